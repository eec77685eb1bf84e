import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { isClusterScoped, LoadedObject } from '../manifests';
import { Selector } from '../netpol/selector';
import type { EnvironmentConfig } from '../config/schema';
import { EffectiveComponent, EffectiveTopology, effectiveTopology } from '../topology/effective';
import type { ComponentSpec, TaskSpec, Topology } from '../topology/model';
import { isRecord, list, str, stringMap } from './k8s/util';
import { checkSchema, kindStatus, SchemaIssue } from './schema/check';

/** The label that names a component (SPEC §5). */
export const NAME_LABEL = 'app.kubernetes.io/name';

/** Kinds whose objects run pods, with the path of their pod template. */
const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
  Pod: [],
};

/** Kinds that run pods. */
export const WORKLOAD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS).filter((k) => k !== 'PodTemplate');

/** One pod template (or bare Pod) found in the manifests. */
export interface PodTemplate {
  /** The workload (or Pod) that holds it. */
  readonly owner: LoadedObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Path of the template inside the owner (`[]` for a bare Pod). */
  readonly path: readonly (string | number)[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod spec (always a mapping; fields may be missing on malformed input). */
  readonly spec: V1PodSpec;
  /** Value of `app.kubernetes.io/name` on the template. */
  readonly component?: string;
}

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
  return name.replace(/__/g, ':').toLowerCase();
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
    for (const s of variables) {
      const l = this.byKey.get(s.key);
      if (l) l.push(s);
      else this.byKey.set(s.key, [s]);
    }
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

/** Options to build a context. */
export interface ContextOptions {
  readonly env: EnvironmentConfig;
  readonly topology: Topology;
  /** Ids of every registered rule (suppressions are checked against them). */
  readonly ruleIds?: ReadonlySet<string>;
}

/**
 * Read-only view of everything a rule may consult: every loaded object, indexes built once
 * (by kind, by namespace and name, pod templates by label), the effective topology and the
 * environment configuration, and the evaluated network model (computed on first use).
 */
export class ValidationContext {
  readonly env: EnvironmentConfig;
  readonly topology: Topology;
  readonly effective: EffectiveTopology;
  /** The environment's namespace: the default for objects that name none. */
  readonly namespace: string;
  readonly objects: readonly LoadedObject[];
  /** Ids of every registered rule. */
  readonly ruleIds: ReadonlySet<string>;

  private readonly kindIndex = new Map<string, LoadedObject[]>();
  private readonly keyIndex = new Map<string, LoadedObject>();
  private readonly duplicateOf = new Map<LoadedObject, LoadedObject>();
  private readonly schemaIssueMap = new Map<LoadedObject, SchemaIssue[]>();
  private readonly malformedSet = new Set<LoadedObject>();
  private readonly templates: PodTemplate[] = [];
  private readonly templateByOwner = new Map<LoadedObject, PodTemplate>();
  private readonly templatesByNamespace = new Map<string, PodTemplate[]>();
  private readonly templatesByLabel = new Map<string, PodTemplate[]>();
  private readonly templatesByComponent = new Map<string, PodTemplate[]>();
  private readonly hpaByTarget = new Map<string, LoadedObject[]>();
  private readonly secretProducers = new Map<string, LoadedObject[]>();
  private readonly componentSpecs = new Map<string, ComponentSpec>();
  private readonly effectiveComponents = new Map<string, EffectiveComponent>();
  private readonly settingsCache = new Map<string, Settings>();
  private readonly cache = new Map<string, unknown>();

  constructor(objects: readonly LoadedObject[], options: ContextOptions) {
    this.env = options.env;
    this.topology = options.topology;
    this.effective = effectiveTopology(options.topology, options.env);
    this.namespace = options.env.namespace;
    this.objects = objects;
    this.ruleIds = options.ruleIds ?? new Set();
    for (const c of options.topology.components) this.componentSpecs.set(c.id, c);
    for (const c of this.effective.components) this.effectiveComponents.set(c.id, c);

    for (const o of objects) {
      const kind = o.object.kind ?? '';
      let byKind = this.kindIndex.get(kind);
      if (!byKind) this.kindIndex.set(kind, (byKind = []));
      byKind.push(o);
      const key = this.keyOf(o);
      const first = this.keyIndex.get(key);
      if (first) this.duplicateOf.set(o, first);
      else this.keyIndex.set(key, o);

      const status = kindStatus(kind, o.object.apiVersion ?? '');
      if (status.known) {
        const issues = checkSchema(o.object, status.schema);
        if (issues.length > 0) this.schemaIssueMap.set(o, issues);
        if (issues.some((i) => i.structural)) this.malformedSet.add(o);
      } else if (status.reason !== 'unknown-kind') {
        this.malformedSet.add(o);
      }
      if (!isRecord(o.object.metadata) && o.object.metadata !== undefined) this.malformedSet.add(o);
    }

    for (const o of objects) {
      if (this.malformedSet.has(o)) continue;
      const kind = o.object.kind ?? '';
      const tp = TEMPLATE_PATHS[kind];
      if (tp) this.addTemplate(o, tp);
      if (kind === 'HorizontalPodAutoscaler') {
        const ref = o.object.spec?.scaleTargetRef;
        if (isRecord(ref)) this.push(this.hpaByTarget, `${str(ref.kind)}/${this.namespaceOf(o)}/${str(ref.name)}`, o);
      } else if (kind === 'ExternalSecret') {
        const target = str(o.object.spec?.target?.name) ?? str(o.object.metadata?.name);
        if (target) this.push(this.secretProducers, `${this.namespaceOf(o)}/${target}`, o);
      } else if (kind === 'Certificate') {
        const target = str(o.object.spec?.secretName);
        if (target) this.push(this.secretProducers, `${this.namespaceOf(o)}/${target}`, o);
      }
    }
  }

  private push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  }

  private addTemplate(owner: LoadedObject, path: readonly string[]): void {
    let t: any = owner.object;
    for (const p of path) t = isRecord(t) ? t[p] : undefined;
    if (!isRecord(t)) return;
    const spec = isRecord(t.spec) ? (t.spec as V1PodSpec) : ({} as V1PodSpec);
    const labels = stringMap(t.metadata?.labels);
    const template: PodTemplate = {
      owner,
      kind: owner.object.kind ?? '',
      name: str(owner.object.metadata?.name) ?? '',
      namespace: this.namespaceOf(owner),
      path,
      labels,
      annotations: stringMap(t.metadata?.annotations),
      spec,
      component: labels[NAME_LABEL],
    };
    if (owner.object.kind === 'PodTemplate') return; // a template nothing runs
    this.templates.push(template);
    this.templateByOwner.set(owner, template);
    this.push(this.templatesByNamespace, template.namespace, template);
    for (const [k, v] of Object.entries(labels)) this.push(this.templatesByLabel, `${template.namespace}\u0000${k}=${v}`, template);
    if (template.component) this.push(this.templatesByComponent, template.component, template);
  }

  /** Effective namespace: `metadata.namespace`, or the environment's for namespaced kinds. */
  namespaceOf(o: LoadedObject): string {
    if (isClusterScoped(o.object.kind ?? '')) return '';
    return str(o.object.metadata?.namespace) ?? this.namespace;
  }

  /** `metadata.name` or `''`. */
  nameOf(o: LoadedObject): string {
    return str(o.object.metadata?.name) ?? '';
  }

  /** `Kind/namespace/name` with the effective namespace. */
  keyOf(o: LoadedObject): string {
    return `${o.object.kind}/${this.namespaceOf(o)}/${this.nameOf(o)}`;
  }

  /** Every object of a kind, in load order. */
  ofKind(kind: string): readonly LoadedObject[] {
    return this.kindIndex.get(kind) ?? [];
  }

  /** The (first) object with this kind, namespace and name. */
  get(kind: string, namespace: string, name: string): LoadedObject | undefined {
    return this.keyIndex.get(`${kind}/${namespace}/${name}`);
  }

  /** The earlier object with the same kind, namespace and name, when `o` repeats one. */
  duplicateOfObject(o: LoadedObject): LoadedObject | undefined {
    return this.duplicateOf.get(o);
  }

  /** Structural problems of an object (wrong types, missing required or unknown fields). */
  schemaIssues(o: LoadedObject): readonly SchemaIssue[] {
    return this.schemaIssueMap.get(o) ?? [];
  }

  /** Whether the object's structure is broken so that typed rules must not read it. */
  isMalformed(o: LoadedObject): boolean {
    return this.malformedSet.has(o);
  }

  /** Every pod template of a running workload (Deployment, StatefulSet, ..., bare Pod). */
  podTemplates(): readonly PodTemplate[] {
    return this.templates;
  }

  /** The pod template of a workload object. */
  templateOf(o: LoadedObject): PodTemplate | undefined {
    return this.templateByOwner.get(o);
  }

  /** Pod templates labelled with a component id. */
  templatesOfComponent(id: string): readonly PodTemplate[] {
    return this.templatesByComponent.get(id) ?? [];
  }

  /**
   * Pod templates in `namespace` that a label selector (as written in a manifest) selects. The
   * candidates come from the most selective `key=value` of the selector in the label index, so
   * the cost follows the size of the answer, not of the namespace.
   */
  selectTemplates(namespace: string, rawSelector: unknown): PodTemplate[] {
    const selector = Selector.compile(rawSelector);
    if (selector.matchesNothing) return [];
    let best: readonly PodTemplate[] | undefined;
    const consider = (bucket: readonly PodTemplate[]) => {
      if (best === undefined || bucket.length < best.length) best = bucket;
    };
    if (isRecord(rawSelector)) {
      for (const [k, v] of Object.entries(stringMap(rawSelector.matchLabels))) {
        consider(this.templatesByLabel.get(`${namespace}\u0000${k}=${v}`) ?? []);
        if (best!.length === 0) return [];
      }
      for (const e of list(rawSelector.matchExpressions)) {
        if (!isRecord(e) || e.operator !== 'In' || typeof e.key !== 'string') continue;
        const union = new Set<PodTemplate>();
        for (const v of list(e.values)) for (const t of this.templatesByLabel.get(`${namespace}\u0000${e.key}=${String(v)}`) ?? []) union.add(t);
        consider([...union]);
      }
    }
    const candidates = best ?? this.templatesByNamespace.get(namespace) ?? [];
    return candidates.filter((t) => selector.matches(t.labels));
  }

  /** Pod templates a Service-style selector (a plain label map) selects. */
  selectTemplatesByMap(namespace: string, labels: unknown): PodTemplate[] {
    return this.selectTemplates(namespace, { matchLabels: stringMap(labels) });
  }

  /** HorizontalPodAutoscalers whose `scaleTargetRef` names this object. */
  autoscalersOf(o: LoadedObject): readonly LoadedObject[] {
    return this.hpaByTarget.get(`${o.object.kind}/${this.namespaceOf(o)}/${this.nameOf(o)}`) ?? [];
  }

  /** ExternalSecrets and Certificates that produce a Secret of this name in the namespace. */
  secretProducersOf(namespace: string, name: string): readonly LoadedObject[] {
    return this.secretProducers.get(`${namespace}/${name}`) ?? [];
  }

  /** The declared component with this id. */
  component(id: string | undefined): ComponentSpec | undefined {
    return id === undefined ? undefined : this.componentSpecs.get(id);
  }

  /** The declared scheduled task with this id (e.g. `postgresql-backup`). */
  task(id: string | undefined): TaskSpec | undefined {
    return id === undefined ? undefined : this.topology.tasks?.find((t) => t.id === id);
  }

  /** The component as this environment runs it. */
  effectiveComponent(id: string | undefined): EffectiveComponent | undefined {
    return id === undefined ? undefined : this.effectiveComponents.get(id);
  }

  /** The component ids with a given role. */
  componentsWithRole(role: ComponentSpec['role']): ComponentSpec[] {
    return this.topology.components.filter((c) => c.role === role);
  }

  /**
   * Highest number of pods the workload can run: an autoscaler's `maxReplicas`, else
   * `spec.replicas` (default 1); a DaemonSet counts as many.
   */
  maxPods(t: PodTemplate): number {
    const hpaMax = Math.max(0, ...this.autoscalersOf(t.owner).map((h) => (typeof h.object.spec?.maxReplicas === 'number' ? h.object.spec.maxReplicas : 0)));
    if (hpaMax > 0) return hpaMax;
    switch (t.kind) {
      case 'Pod':
        return 1;
      case 'DaemonSet':
        return Number.POSITIVE_INFINITY;
      case 'Job':
      case 'CronJob': {
        const p = t.kind === 'Job' ? t.owner.object.spec?.parallelism : t.owner.object.spec?.jobTemplate?.spec?.parallelism;
        return typeof p === 'number' ? p : 1;
      }
      default: {
        const r = t.owner.object.spec?.replicas;
        return typeof r === 'number' ? r : 1;
      }
    }
  }

  /** The main container: the one named like the component, else the first. */
  mainContainer(t: PodTemplate): { container: V1Container; index: number } | undefined {
    const containers = list<V1Container>(t.spec.containers);
    const i = containers.findIndex((c) => isRecord(c) && c.name === t.component);
    const index = i >= 0 ? i : containers.findIndex((c) => isRecord(c));
    return index >= 0 ? { container: containers[index], index } : undefined;
  }

  /**
   * Environment of a container as the kubelet resolves it: `envFrom` sources in order (later
   * ones win, with their prefix), then `env` entries (which win over `envFrom`). ConfigMap
   * values are read from the ConfigMaps in the manifests. Looked up by .NET configuration key
   * (see {@link Settings}).
   */
  settings(t: PodTemplate, containerIndex: number): Settings {
    const cacheKey = `${this.keyOf(t.owner)}#${t.owner.location.file}:${t.owner.location.line}#${containerIndex}`;
    const cached = this.settingsCache.get(cacheKey);
    if (cached) return cached;
    const out = new Map<string, Setting>();
    const c = list(t.spec.containers)[containerIndex];
    const base = [...t.path, 'spec', 'containers', containerIndex];
    if (isRecord(c)) {
      list(c.envFrom).forEach((src: any, i: number) => {
        if (!isRecord(src)) return;
        const prefix = str(src.prefix) ?? '';
        const path = [...base, 'envFrom', i];
        const cmName = str(src.configMapRef?.name);
        const secretName = str(src.secretRef?.name);
        if (cmName !== undefined) {
          const cm = this.get('ConfigMap', t.namespace, cmName);
          for (const [k, v] of Object.entries(stringMap(cm?.object.data))) {
            out.set(prefix + k, { name: prefix + k, key: settingKey(prefix + k), value: v, source: { kind: 'configMap', name: cmName, key: k, object: cm }, path });
          }
        } else if (secretName !== undefined) {
          // Keys of a Secret are unknown here; they are recorded when referenced explicitly.
        }
      });
      list(c.env).forEach((e: any, i: number) => {
        if (!isRecord(e) || typeof e.name !== 'string') return;
        const path = [...base, 'env', i];
        const vf = e.valueFrom;
        if (isRecord(vf)) {
          if (isRecord(vf.secretKeyRef)) {
            out.set(e.name, { name: e.name, key: settingKey(e.name), source: { kind: 'secret', name: str(vf.secretKeyRef.name) ?? '', key: str(vf.secretKeyRef.key) }, path });
          } else if (isRecord(vf.configMapKeyRef)) {
            const cmName = str(vf.configMapKeyRef.name) ?? '';
            const key = str(vf.configMapKeyRef.key) ?? '';
            const cm = this.get('ConfigMap', t.namespace, cmName);
            const value = stringMap(cm?.object.data)[key];
            out.set(e.name, { name: e.name, key: settingKey(e.name), value, source: { kind: 'configMap', name: cmName, key, object: cm }, path });
          } else {
            out.set(e.name, { name: e.name, key: settingKey(e.name), source: { kind: 'other' }, path });
          }
        } else {
          const value = typeof e.value === 'string' ? e.value : e.value === undefined || e.value === null ? '' : String(e.value);
          out.set(e.name, { name: e.name, key: settingKey(e.name), value, source: { kind: 'literal' }, path: [...path, 'value'] });
        }
      });
    }
    const settings = new Settings(out.values());
    this.settingsCache.set(cacheKey, settings);
    return settings;
  }

  /** Settings of the main container of a pod template. */
  mainSettings(t: PodTemplate): Settings {
    const main = this.mainContainer(t);
    return main ? this.settings(t, main.index) : NO_SETTINGS;
  }

  /** Memoises a derived value for the lifetime of the context (e.g. the network model). */
  memo<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }
}
