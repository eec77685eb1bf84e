import { at, isRecord, list, LoadedObject, record, str, stringMap, text } from '../../manifests';
import type { ObjectIndex } from './objects';
import type { PodTemplate, PodTemplates } from './pods';
import { addTo } from '../../multimap';

/** Where a container setting comes from. */
export type SettingSource =
  | { readonly kind: 'literal' }
  | { readonly kind: 'configMap'; readonly name: string; readonly key: string; readonly object?: LoadedObject }
  | { readonly kind: 'secret'; readonly name: string; readonly key?: string }
  | { readonly kind: 'other' };

/** A resolved environment variable of a container. */
export interface Setting {
  /** The variable name as written (`Cors__AllowedOrigins__0`, `CORS:ALLOWEDORIGINS:0`). */
  readonly name: string;
  /** The .NET configuration key it binds to: {@link settingKey} of the name. */
  readonly key: string;
  /** The value when it is known from the manifests (literal or ConfigMap). */
  readonly value?: string;
  readonly source: SettingSource;
  /** Path inside the workload of the entry that defines it (`env[i]` or `envFrom[i]`). */
  readonly path: readonly (string | number)[];
}

/**
 * The .NET configuration key of an environment variable or ConfigMap key: keys are
 * case-insensitive and `__` is the environment-variable spelling of the `:` separator, so
 * `Cors__AllowedOrigins__1`, `CORS__ALLOWEDORIGINS__1` and `Cors:AllowedOrigins:1` are one key.
 */
export function settingKey(name: string): string {
  return (name.includes('__') ? name.replaceAll('__', ':') : name).toLowerCase();
}

/**
 * A container's settings as .NET configuration reads them: looked up by configuration key
 * (case-insensitive, `:` or `__`). Variables whose names differ but bind to the same key are all
 * kept ({@link all}); which of them .NET uses is undefined.
 */
export class Settings {
  private readonly byKey = new Map<string, Setting[]>();

  /** @param variables the container's environment as the kubelet resolves it, one entry per variable name */
  constructor(variables: Iterable<Setting>) {
    for (const s of variables) addTo(this.byKey, s.key, s);
  }

  /** The setting for a configuration key (any spelling); the last defined when several variables bind to it. */
  get(name: string): Setting | undefined {
    const l = this.byKey.get(settingKey(name));
    return l ? l[l.length - 1] : undefined;
  }

  /** Every variable that binds to a configuration key, in definition order. */
  all(name: string): readonly Setting[] {
    return this.byKey.get(settingKey(name)) ?? [];
  }

  has(name: string): boolean {
    return this.byKey.has(settingKey(name));
  }

  /** Every variable, grouped by configuration key. */
  *values(): IterableIterator<Setting> {
    for (const l of this.byKey.values()) yield* l;
  }

  /** Configuration keys bound by more than one variable name, with those variables. */
  *ambiguous(): IterableIterator<readonly Setting[]> {
    for (const l of this.byKey.values()) if (l.length > 1) yield l;
  }

  get size(): number {
    let n = 0;
    for (const l of this.byKey.values()) n += l.length;
    return n;
  }
}

const NO_SETTINGS = new Settings([]);

/**
 * Resolves the settings of containers as the kubelet would: `envFrom` and `env`, with ConfigMap
 * values read from the manifests. Each container is resolved once.
 */
export class SettingsResolver {
  private readonly cache = new Map<string, Settings>();
  /** What {@link of} answered for each workload, by container index (the same as `cache` has under the workload's key). */
  private readonly byOwner = new Map<LoadedObject, Settings[]>();

  constructor(
    private readonly objects: ObjectIndex,
    private readonly pods: PodTemplates,
  ) {}

  /**
   * Environment of a container as the kubelet resolves it: `envFrom` sources in order (later
   * ones win, with their prefix), then `env` entries (which win over `envFrom`). ConfigMap
   * values are read from the ConfigMaps in the manifests. Looked up by .NET configuration key
   * (see {@link Settings}).
   */
  of(t: PodTemplate, containerIndex: number): Settings {
    let ofOwner = this.byOwner.get(t.owner);
    const known = ofOwner?.[containerIndex];
    if (known) return known;
    if (!ofOwner) this.byOwner.set(t.owner, (ofOwner = []));
    const cacheKey = `${this.objects.keyOf(t.owner)}#${t.owner.location.file}:${t.owner.location.line}#${containerIndex}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return (ofOwner[containerIndex] = cached);
    const out = new Map<string, Setting>();
    const c = list(t.spec.containers)[containerIndex];
    const base = [...t.path, 'spec', 'containers', containerIndex];
    if (isRecord(c)) {
      list(c.envFrom).forEach((src: unknown, i: number) => {
        if (!isRecord(src)) return;
        const prefix = str(src.prefix) ?? '';
        const path = [...base, 'envFrom', i];
        const cmName = str(at(src.configMapRef, ['name']));
        const secretName = str(at(src.secretRef, ['name']));
        if (cmName !== undefined) {
          const cm = this.objects.get('ConfigMap', t.namespace, cmName);
          const data = record(cm?.object.data);
          for (const k of Object.keys(data)) {
            const v = data[k];
            if (typeof v !== 'string') continue;
            out.set(prefix + k, { name: prefix + k, key: settingKey(prefix + k), value: v, source: { kind: 'configMap', name: cmName, key: k, object: cm }, path });
          }
        } else if (secretName !== undefined) {
          // Keys of a Secret are unknown here; they are recorded when referenced explicitly.
        }
      });
      list(c.env).forEach((e: unknown, i: number) => {
        if (!isRecord(e) || typeof e.name !== 'string') return;
        const path = [...base, 'env', i];
        const vf = e.valueFrom;
        if (isRecord(vf)) {
          if (isRecord(vf.secretKeyRef)) {
            out.set(e.name, { name: e.name, key: settingKey(e.name), source: { kind: 'secret', name: str(vf.secretKeyRef.name) ?? '', key: str(vf.secretKeyRef.key) }, path });
          } else if (isRecord(vf.configMapKeyRef)) {
            const cmName = str(vf.configMapKeyRef.name) ?? '';
            const key = str(vf.configMapKeyRef.key) ?? '';
            const cm = this.objects.get('ConfigMap', t.namespace, cmName);
            const value = stringMap(cm?.object.data)[key];
            out.set(e.name, { name: e.name, key: settingKey(e.name), value, source: { kind: 'configMap', name: cmName, key, object: cm }, path });
          } else {
            out.set(e.name, { name: e.name, key: settingKey(e.name), source: { kind: 'other' }, path });
          }
        } else {
          const value = typeof e.value === 'string' ? e.value : e.value === undefined || e.value === null ? '' : text(e.value);
          out.set(e.name, { name: e.name, key: settingKey(e.name), value, source: { kind: 'literal' }, path: [...path, 'value'] });
        }
      });
    }
    const settings = new Settings(out.values());
    this.cache.set(cacheKey, settings);
    return (ofOwner[containerIndex] = settings);
  }

  /** Settings of the main container of a pod template. */
  main(t: PodTemplate): Settings {
    const main = this.pods.mainContainer(t);
    return main ? this.of(t, main.index) : NO_SETTINGS;
  }
}
