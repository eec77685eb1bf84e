/**
 * Small manifest builders and helpers for the validator tests. Builders return plain objects; `load`
 * serialises them to YAML and parses them back so findings carry real file and line numbers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { loadEnvironment } from '../../src/config/load';
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { LoadedObject, loadManifests, NotAnObject, parseManifests } from '../../src/manifests';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { Topology } from '../../src/topology/model';
import { Report, validateObjects } from '../../src/validator';
import type { RuleCase } from './rule-table';
import { asKind, KindName, Model } from '../support/k8s';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CONFIG_DIR = path.join(ROOT, 'config');
export const DIST = path.join(ROOT, 'dist');

/** The namespaces of the shipped environments. */
export const P = 'ctis-production';
export const S = 'ctis-staging';
export const D = 'ctis-development';

const envCache = new Map<string, EnvironmentConfig>();
export function env(name: EnvironmentName = 'production'): EnvironmentConfig {
  let e = envCache.get(name);
  if (!e) envCache.set(name, (e = loadEnvironment(name, CTIS_TOPOLOGY, CONFIG_DIR)));
  return e;
}

/** A manifest (or part of one) a builder assembles; read rendered objects through {@link find}. */
export type Obj = Record<string, unknown>;

export function toYaml(objs: readonly object[]): string {
  return objs.map((o) => `---\n${yaml.dump(o, { noRefs: true, lineWidth: -1 })}`).join('');
}

export function load(objs: readonly object[], file = 'test.yaml'): LoadedObject[] {
  return parseManifests(toYaml(objs), file);
}

/** Deep copy of the committed dist/<env> objects (mutate freely). */
export function distObjects(name: EnvironmentName): LoadedObject[] {
  return loadManifests(path.join(DIST, name));
}

/** The Argo CD objects of the committed dist/argocd (project, Applications, ApplicationSet; not the parameter files). */
export function argoObjects(): LoadedObject[] {
  return ['project', 'applications', 'applicationset'].flatMap((f) =>
    parseManifests(fs.readFileSync(path.join(DIST, 'argocd', `${f}.yaml`), 'utf8'), `argocd/${f}.yaml`),
  );
}

/**
 * The committed parameter files of dist/argocd (`argocd/environments/<env>.yaml`) as documents
 * that are not objects, with some replaced (file name -> text); `merge`: add the given keys to
 * the committed mapping instead.
 */
export function argoParameterFiles(replace: Record<string, string> = {}, merge = false): NotAnObject[] {
  const dir = path.join(DIST, 'argocd', 'environments');
  const out: NotAnObject[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    let text = fs.readFileSync(path.join(dir, f), 'utf8');
    if (replace[f] !== undefined) text = merge ? `${text.trimEnd()}\n${yaml.dump(yaml.load(replace[f]))}` : replace[f];
    parseManifests(text, `argocd/environments/${f}`, (d) => out.push(d));
  }
  return out;
}

/** The committed dist/argocd objects, changed by `f`. */
export function mutateArgo(f: (objs: LoadedObject[]) => LoadedObject[] | void): () => LoadedObject[] {
  return () => {
    const objs = argoObjects();
    return f(objs) ?? objs;
  };
}

export function run(
  objects: LoadedObject[],
  rules: string[] | undefined,
  name: EnvironmentName = 'production',
  override?: Partial<EnvironmentConfig>,
  documents?: readonly NotAnObject[],
  topology: Topology = CTIS_TOPOLOGY,
): Report {
  return validateObjects(objects, { env: { ...env(name), ...(override ?? {}) }, topology, rules, ...(documents ? { documents } : {}) });
}

/** Parses files (name -> text) the way the validator loads a directory: objects, and the documents that are not objects. */
export function loadFiles(files: Record<string, string>): { objects: LoadedObject[]; documents: NotAnObject[] } {
  const documents: NotAnObject[] = [];
  const objects = Object.entries(files).flatMap(([file, text]) => parseManifests(text, file, (d) => documents.push(d)));
  return { objects, documents };
}

export function ns(name: EnvironmentName = 'production'): string {
  return env(name).namespace;
}

export function stdLabels(component: string | undefined, e: EnvironmentName = 'production'): Record<string, string> {
  return {
    ...(component ? { 'app.kubernetes.io/name': component } : {}),
    'app.kubernetes.io/part-of': 'ctis',
    'app.kubernetes.io/instance': `ctis-${e}`,
    'app.kubernetes.io/managed-by': 'ctis-deploy',
  };
}

export function selector(component: string, e: EnvironmentName = 'production'): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': `ctis-${e}` };
}

export interface WorkloadOptions {
  readonly kind?: string;
  readonly name?: string;
  readonly env?: EnvironmentName;
  /** Settings rendered into `<name>-settings` ConfigMap pulled in with envFrom. */
  readonly settings?: Record<string, string>;
  readonly envVars?: Obj[];
  readonly replicas?: number | null;
  readonly image?: string;
  readonly port?: number;
  readonly ports?: Obj[];
  readonly container?: Obj;
  readonly podSpec?: Obj;
  readonly volumes?: Obj[];
  readonly volumeMounts?: Obj[];
  readonly spec?: Obj;
  readonly annotations?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
  readonly probes?: boolean;
}

const HTTP_PORT: Record<string, number> = { 'auth-server': 8080, api: 8080, 'app-server': 8080, frontend: 3000, postgresql: 5432, redis: 6379 };

/** A compliant workload (Deployment by default) of a component, plus its settings ConfigMap. */
export function workload(component: string, o: WorkloadOptions = {}): Obj[] {
  const e = o.env ?? 'production';
  const name = o.name ?? component;
  const port = o.port ?? HTTP_PORT[component] ?? 8080;
  const probes =
    o.probes === false
      ? {}
      : {
          readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
          livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
          startupProbe: { httpGet: { path: '/health/live', port: 'http' } },
        };
  const container = {
    name: component,
    image: o.image ?? `registry.example/ctis/${component}:1.0.0`,
    ports: o.ports ?? [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    ...(o.settings ? { envFrom: [{ configMapRef: { name: `${name}-settings` } }] } : {}),
    ...(o.envVars ? { env: o.envVars } : {}),
    ...probes,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1654,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(o.volumeMounts ?? [])],
    ...(o.container ?? {}),
  };
  const template = {
    metadata: { labels: { ...stdLabels(component, e), ...(o.podLabels ?? {}) } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1654, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container],
      volumes: [{ name: 'tmp', emptyDir: {} }, ...(o.volumes ?? [])],
      ...(o.podSpec ?? {}),
    },
  };
  const kind = o.kind ?? 'Deployment';
  const replicas = o.replicas === null ? {} : { replicas: o.replicas ?? 1 };
  const spec =
    kind === 'Deployment'
      ? { ...replicas, selector: { matchLabels: selector(component, e) }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template, ...(o.spec ?? {}) }
      : { ...replicas, serviceName: `${name}-headless`, selector: { matchLabels: selector(component, e) }, template, ...(o.spec ?? {}) };
  const out: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: ns(e), labels: stdLabels(component, e), ...(o.annotations ? { annotations: o.annotations } : {}) },
      spec,
    },
  ];
  if (o.settings) out.push(configMap(`${name}-settings`, o.settings, e, component));
  return out;
}

export function configMap(name: string, data: Record<string, string>, e: EnvironmentName = 'production', component?: string): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns(e), labels: stdLabels(component, e) }, data };
}

export function service(component: string, o: { name?: string; port?: number; env?: EnvironmentName; spec?: Obj; selector?: Obj } = {}): Obj {
  const e = o.env ?? 'production';
  const port = o.port ?? HTTP_PORT[component] ?? 8080;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name ?? component, namespace: ns(e), labels: stdLabels(component, e) },
    spec: { type: 'ClusterIP', selector: o.selector ?? selector(component, e), ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }], ...(o.spec ?? {}) },
  };
}

export function externalSecret(name: string, e: EnvironmentName = 'production', extra: Obj = {}): Obj {
  const cfg = env(e);
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ns(e) },
    spec: {
      secretStoreRef: { kind: cfg.secretStore.kind, name: cfg.secretStore.name },
      target: { name },
      data: [{ secretKey: 'value', remoteRef: { key: `${cfg.secretStore.keyPrefix}/${name}` } }],
      ...extra,
    },
  };
}

export function secretRef(name: string, secret: string, key = 'value'): Obj {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

export function namespaceObject(e: EnvironmentName = 'production', labels: Record<string, string> = { 'pod-security.kubernetes.io/enforce': 'restricted' }): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns(e), labels } };
}

/** Objects of a dist environment by kind and name, as the model of their kind (for mutation). */
export function find<K extends KindName>(objects: LoadedObject[], kind: K, name: string): Model<K> {
  const o = objects.find((x) => x.object.kind === kind && x.object.metadata?.name === name);
  if (!o) throw new Error(`fixture has no ${kind} ${name}`);
  return asKind(o.object, kind);
}

/** Adds an object as if it came from another file. */
export function withExtra(objects: LoadedObject[], extra: readonly object[], file = 'extra.yaml'): LoadedObject[] {
  return [...objects, ...load(extra, file)];
}

/** A case over the committed dist/<env>, which must pass. */
export const dist = (e: EnvironmentName): RuleCase => ({ name: `committed dist/${e}`, env: e, objects: () => distObjects(e), expect: {} });
export const allDist = (): RuleCase[] => [dist('development'), dist('staging'), dist('production')];

/** The committed dist/<env>, changed by `f` (which may return a new list). */
export function mutate(e: EnvironmentName, f: (objs: LoadedObject[]) => LoadedObject[] | void): () => LoadedObject[] {
  return () => {
    const objs = distObjects(e);
    return f(objs) ?? objs;
  };
}
