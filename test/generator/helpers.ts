/**
 * Shared helpers for the generator tests: render the CTIS stack in-process, parse the YAML
 * and look objects, pod templates and resolved application settings up.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadAllEnvironments } from '../../src/config/load';
import type { EnvironmentConfig, ScalingConfig } from '../../src/config/schema';
import { renderAll, renderFromConfig } from '../../charts/app';
import type { RenderedFiles } from '../../src/synth';
import { isKind, KindName, Manifest, Model, PodTemplateModel, Present } from '../support/k8s';
import type { V1Container, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';

/** A rendered object (narrow it with `isKind`, or look it up by kind with {@link get}). */
export type Obj = Manifest;

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

/** The application components of the CTIS stack (SPEC §1). */
export const APP_COMPONENTS = ['auth-server', 'api', 'app-server', 'frontend'] as const;
export const DOTNET_COMPONENTS = ['auth-server', 'api', 'app-server'] as const;
export const DATA_STORES = ['postgresql', 'redis'] as const;

export const ROOT = path.resolve(__dirname, '..', '..');
export const CONFIG_DIR = path.join(ROOT, 'config');

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/** One rendered environment: its configuration, files and parsed objects. */
export interface RenderedEnv {
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly files: Map<string, string>;
  readonly objects: Manifest[];
}

/** Parses every YAML document of every file; each object remembers its file. */
export function parseFiles(files: RenderedFiles): Map<string, Manifest[]> {
  const out = new Map<string, Manifest[]>();
  for (const [rel, text] of files) {
    // Rendered documents are Kubernetes objects: every one has its kind, apiVersion and metadata.
    const docs = yaml.loadAll(text).filter((d) => d !== null && d !== undefined) as Manifest[];
    out.set(rel, docs);
  }
  return out;
}

/** Splits rendered files per environment folder and parses them. */
export function toEnvironments(files: RenderedFiles, configs: readonly EnvironmentConfig[]): Map<string, RenderedEnv> {
  const parsed = parseFiles(files);
  const result = new Map<string, RenderedEnv>();
  for (const config of configs) {
    const envFiles = new Map<string, string>();
    const objects: Manifest[] = [];
    for (const [rel, text] of files) {
      if (!rel.startsWith(`${config.name}/`)) continue;
      envFiles.set(rel, text);
      for (const o of parsed.get(rel)!) {
        Object.defineProperty(o, '__file', { value: rel, enumerable: false });
        objects.push(o);
      }
    }
    result.set(config.name, { name: config.name, config, files: envFiles, objects });
  }
  return result;
}

/** Configurations as checked in (`config/*.yaml`). */
export function ctisConfigs(): EnvironmentConfig[] {
  return loadAllEnvironments(CTIS_TOPOLOGY, CONFIG_DIR);
}

/** Renders the checked-in configuration of every environment, in-process. */
export function renderCtis(): { files: RenderedFiles; envs: Map<string, RenderedEnv> } {
  const configs = ctisConfigs();
  const files = renderFromConfig(CTIS_TOPOLOGY, CONFIG_DIR);
  return { files, envs: toEnvironments(files, configs) };
}

/** The shipped stack as a test file sees it (see {@link shippedStack}). */
export interface ShippedStack {
  /** The rendered environment `name`. */
  readonly env: (name: string) => RenderedEnv;
  /** A copy of environment `name`'s shipped configuration, free to modify. */
  readonly config: (name: string) => EnvironmentConfig;
}

/** The shipped configuration, loaded and rendered once before the tests of the calling file. */
export function shippedStack(): ShippedStack {
  let envs: Map<string, RenderedEnv> | undefined;
  let configs: EnvironmentConfig[] = [];
  beforeAll(() => {
    envs = renderCtis().envs;
    configs = ctisConfigs();
  });
  const found = <T>(what: string, name: string, x: T | undefined): T => {
    if (x === undefined) throw new Error(`the shipped stack has no ${what} ${name}`);
    return x;
  };
  return {
    env: (name) => found('environment', name, envs?.get(name)),
    config: (name) => cloneConfig(found('configuration', name, configs.find((c) => c.name === name))),
  };
}

/** Renders one (possibly modified) configuration. */
export function renderConfig(config: EnvironmentConfig): RenderedEnv {
  const files = renderAll(CTIS_TOPOLOGY, [config]);
  return toEnvironments(files, [config]).get(config.name)!;
}

export function byKind<K extends KindName>(env: RenderedEnv, kind: K): Model<K>[] {
  return env.objects.filter((o): o is Model<K> => isKind(o, kind));
}

export function find<K extends KindName>(env: RenderedEnv, kind: K, name: string): Model<K> | undefined {
  return byKind(env, kind).find((o) => o.metadata.name === name);
}

export function get<K extends KindName>(env: RenderedEnv, kind: K, name: string): Model<K> {
  const o = find(env, kind, name);
  if (!o) throw new Error(`${env.name}: no ${kind} named "${name}"`);
  return o;
}

/** Kinds that run pods, and where their pod template lives. */
export function podTemplateOf(o: Manifest): PodTemplateModel | undefined {
  if (isKind(o, 'Deployment') || isKind(o, 'StatefulSet') || isKind(o, 'DaemonSet') || isKind(o, 'Job')) return o.spec?.template;
  // A blue-green Rollout carries the full template (never a workloadRef in this stack).
  if (isKind(o, 'Rollout')) return o.spec?.template;
  if (isKind(o, 'CronJob')) return o.spec?.jobTemplate?.spec?.template;
  if (isKind(o, 'Pod')) return { metadata: o.metadata, spec: o.spec };
  return undefined;
}

export interface PodRef {
  readonly owner: Manifest;
  readonly template: PodTemplateModel;
  readonly spec: Present<V1PodSpec>;
}

export function pods(env: RenderedEnv): PodRef[] {
  const out: PodRef[] = [];
  for (const o of env.objects) {
    const template = podTemplateOf(o);
    if (template) out.push({ owner: o, template, spec: template.spec ?? ({} as Present<V1PodSpec>) });
  }
  return out;
}

/** Every container of a pod spec: init, regular and ephemeral. */
export function allContainers(spec: Present<V1PodSpec>): Present<V1Container>[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export type WorkloadModel = Model<'Deployment'> | Model<'StatefulSet'> | Model<'Rollout'>;

/** Every Deployment, Rollout (a blue-green component) and StatefulSet. */
export function workloads(env: RenderedEnv): WorkloadModel[] {
  return env.objects.filter((o): o is WorkloadModel => isKind(o, 'Deployment') || isKind(o, 'StatefulSet') || isKind(o, 'Rollout'));
}

export function workload(env: RenderedEnv, component: string): WorkloadModel {
  const found = env.objects.filter(
    (o): o is WorkloadModel => (isKind(o, 'Deployment') || isKind(o, 'StatefulSet') || isKind(o, 'Rollout')) && podTemplateOf(o)?.metadata?.labels?.[LABEL_NAME] === component,
  );
  if (found.length !== 1) throw new Error(`${env.name}: expected one workload for ${component}, found ${found.length}`);
  return found[0];
}

/** The one application container of a component's workload. */
export function mainContainer(env: RenderedEnv, component: string): { owner: WorkloadModel; spec: Present<V1PodSpec>; container: Present<V1Container> } {
  const owner = workload(env, component);
  const spec = podTemplateOf(owner)!.spec;
  const containers = spec.containers;
  const container = containers.find((c) => c.name === component) ?? containers[0];
  return { owner, spec, container };
}

export type Setting =
  | { readonly kind: 'value'; readonly value: string; readonly from: string }
  | { readonly kind: 'secret'; readonly name: string; readonly key: string }
  | { readonly kind: 'other'; readonly source: Present<V1EnvVar> };

/**
 * The environment a container sees, resolved as the kubelet does: `envFrom` sources in order
 * (later ones win), then `env` entries. A ConfigMap that does not exist is an error.
 */
export function resolveSettings(env: RenderedEnv, container: Present<V1Container>): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef) {
      const cm = find(env, 'ConfigMap', source.configMapRef.name);
      if (!cm) throw new Error(`${env.name}: container ${container.name} pulls in missing ConfigMap ${source.configMapRef.name}`);
      for (const [k, v] of Object.entries(cm.data ?? {})) out.set(prefix + k, { kind: 'value', value: String(v), from: `ConfigMap/${cm.metadata.name}` });
    } else if (source.secretRef) {
      // The keys of a whole Secret are unknown here; remember the source under the prefix.
      out.set(`${prefix}*secret:${source.secretRef.name}`, { kind: 'secret', name: source.secretRef.name, key: '*' });
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) out.set(e.name, { kind: 'value', value: String(e.value), from: 'env' });
    else if (e.valueFrom?.secretKeyRef) out.set(e.name, { kind: 'secret', name: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key });
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = find(env, 'ConfigMap', ref.name);
      const v = cm?.data?.[ref.key];
      if (v === undefined) throw new Error(`${env.name}: ${e.name} reads missing ConfigMap key ${ref.name}/${ref.key}`);
      out.set(e.name, { kind: 'value', value: String(v), from: `ConfigMap/${ref.name}` });
    } else out.set(e.name, { kind: 'other', source: e });
  }
  return out;
}

/** Settings of a component's main container. */
export function settingsOf(env: RenderedEnv, component: string): Map<string, Setting> {
  return resolveSettings(env, mainContainer(env, component).container);
}

/** A plain setting's value; fails the test when it is missing or secret-backed. */
export function value(settings: Map<string, Setting>, key: string): string {
  const s = settings.get(key);
  if (!s) throw new Error(`setting ${key} is not set`);
  if (s.kind !== 'value') throw new Error(`setting ${key} is not a plain value (${s.kind})`);
  return s.value;
}

/** Highest number of pods a workload can run, from the rendered objects (HPA max or replicas). */
export function maxPodsRendered(env: RenderedEnv, owner: WorkloadModel): number {
  const hpa = byKind(env, 'HorizontalPodAutoscaler').find(
    (h) => h.spec?.scaleTargetRef?.kind === owner.kind && h.spec?.scaleTargetRef?.name === owner.metadata.name,
  );
  if (hpa) return hpa.spec.maxReplicas;
  return owner.spec?.replicas ?? 1;
}

/** Highest number of pods a scaling setting allows, straight from configuration. */
export function maxPodsConfigured(scaling: ScalingConfig): number {
  return 'replicas' in scaling ? scaling.replicas : scaling.maxReplicas;
}

/** Whether every label of `selector` is present with the same value in `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Deep copy of a configuration, for modified-config renders. */
export function cloneConfig(config: EnvironmentConfig): EnvironmentConfig {
  return JSON.parse(JSON.stringify(config)) as EnvironmentConfig;
}

/** sha256 of every file under `dir`, keyed by posix relative path (hidden files included). */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const a = path.join(abs, entry.name);
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.set(`${r}/`, 'dir');
        walk(a, r);
      } else {
        out.set(r, createHash('sha256').update(fs.readFileSync(a)).digest('hex'));
      }
    }
  };
  walk(dir, '');
  return out;
}

/** Files under `dir` as posix relative paths. */
export function listFiles(dir: string): string[] {
  return [...hashTree(dir).keys()].filter((k) => !k.endsWith('/')).sort();
}

/** Recursively visits every (key, value) pair of a manifest, with the path to it. */
export function walk(node: unknown, visit: (key: string, value: unknown, at: string) => void, at = ''): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, visit, `${at}[${i}]`));
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v, at ? `${at}.${k}` : k);
      walk(v, visit, at ? `${at}.${k}` : k);
    }
  }
}

/** `Kind/namespace/name` of an object, for failure messages. */
export function ref(o: Manifest): string {
  return `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name ?? ''}`;
}
