import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Application,
  ApplicationSpec,
  ApplicationSpecIgnoreDifferences,
  ApplicationSpecSyncPolicyAutomated,
  toJson_ApplicationSpec,
} from '../imports/argocd-application-argoproj.io';
import {
  AppProject,
  AppProjectSpecOrphanedResourcesIgnore,
  AppProjectSpecSyncWindows,
} from '../imports/argocd-appproject-argoproj.io';
import { targetRevision } from '../src/config/delivery';
import type { EnvironmentConfig } from '../src/config/schema';
import { MANAGED_BY } from '../src/constructs/labels';
import { newApp } from './component-chart';
import { EDGE_CONTROLLER_FOLDER } from './edge-controller';
import { apiGroup, at, isClusterScoped, KubeObject, records, ROLLOUT_HASH_LABEL, rolloutManagedServices, str } from '../src/manifests';
import { ARGOCD_FOLDER, ARGOCD_PARAMETERS_FOLDER } from '../src/synth';

/**
 * Argo CD delivery of the rendered environments (`dist/argocd/`): one AppProject fencing in
 * what the applications may touch, one Application per environment, and an ApplicationSet that
 * generates the same Applications from the `dist/*` folders. Apply the Applications or the
 * ApplicationSet, never both: they would fight over the same Application objects.
 */
export const ArgoCd = {
  /** Namespace Argo CD runs in; its Applications and AppProjects live there. */
  NAMESPACE: 'argocd',
  /** Folder of `dist/` the Argo CD manifests are rendered into; it is no environment. */
  FOLDER: ARGOCD_FOLDER,
  /** Folder of `dist/` Argo CD reads the environments from. */
  DIST: 'dist',
  /** Deleting an Application with this finalizer deletes the resources it manages (cascade). */
  RESOURCES_FINALIZER: 'resources-finalizer.argocd.argoproj.io',
  /** Path-parameter prefix of the parameter-file generator, so its `path` does not shadow the folder's. */
  PARAMETERS_PREFIX: 'parameters',
  /** Folder of `dist/argocd` holding the ApplicationSet's parameter files (not Kubernetes objects). */
  PARAMETERS_FOLDER: ARGOCD_PARAMETERS_FOLDER,
} as const;

/**
 * Sync options every Application uses. The namespace is one of our manifests (with its Pod
 * Security labels, reviewed and validated with the rest, and protected from prune and delete
 * like the claims), so Argo CD must not create it; a resource another Application already
 * manages is an error, not a silent takeover; pruning happens after everything else is healthy.
 */
export const SYNC_OPTIONS: readonly string[] = [
  'ServerSideApply=true',
  'PruneLast=true',
  'CreateNamespace=false',
  'FailOnSharedResource=true',
  // A sync keeps the fields listed in ignoreDifferences as they are live (the Services whose
  // selectors the Argo Rollouts controller points at one colour).
  'RespectIgnoreDifferences=true',
];

/** Failed syncs are retried with exponential backoff: 10s, 20s, 40s, ... up to 5m, five times. */
const RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** Sync results Argo CD keeps per Application (rollback targets). */
const REVISION_HISTORY_LIMIT = 10;

/**
 * Whether deleting an environment's Application also deletes what it deployed. Production does
 * not cascade: deleting (or re-creating) its Application must never take the running stack
 * down; tearing production down is a deliberate `kubectl delete`. Elsewhere the finalizer keeps
 * clusters free of leftovers. The Namespace and the data claims carry `Delete=false` and survive
 * either way.
 */
export function cascadesOnDelete(env: EnvironmentConfig): boolean {
  return env.name !== 'production';
}

/** An API group and kind, as AppProject resource lists name them (`''` is the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/**
 * The per-environment values of an Application: exactly the file
 * `dist/argocd/environments/<env>.yaml` the ApplicationSet reads for the folder `dist/<env>`.
 */
export interface EnvironmentParameters {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly destination: { readonly server: string; readonly namespace: string };
  /** Application finalizers: the resources finalizer where deletion cascades, else none. */
  readonly finalizers: readonly string[];
  /** `spec.syncPolicy.automated`, or `null` where the environment is synced by hand. */
  readonly automated: ApplicationSpecSyncPolicyAutomated | null;
  /** Fields other controllers own, which Argo CD neither diffs nor overwrites. */
  readonly ignoreDifferences: readonly ApplicationSpecIgnoreDifferences[];
}

/**
 * The Services whose selectors the Argo Rollouts controller narrows to one colour (it adds the
 * pod-template hash): Argo CD must neither report that as drift nor undo it on the next sync, or
 * the active Service would send traffic to both colours. `objects` are the environment's.
 */
export function rolloutSelectorIgnores(objects: readonly KubeObject[]): ApplicationSpecIgnoreDifferences[] {
  const names = new Set(objects.flatMap((o) => rolloutManagedServices(o)));
  return [...names].sort().map((name) => ({ group: '', kind: 'Service', name, jsonPointers: [`/spec/selector/${ROLLOUT_HASH_LABEL}`] }));
}

/** @param objects the objects rendered for the environment */
export function environmentParameters(env: EnvironmentConfig, objects: readonly KubeObject[] = []): EnvironmentParameters {
  const a = env.argocd;
  return {
    repoURL: a.repoURL,
    targetRevision: targetRevision(a),
    destination: { server: a.destinationServer, namespace: env.namespace },
    finalizers: cascadesOnDelete(env) ? [ArgoCd.RESOURCES_FINALIZER] : [],
    automated: a.automatedSync ? { prune: true, selfHeal: a.selfHeal } : null,
    ignoreDifferences: rolloutSelectorIgnores(objects),
  };
}

/** The Application of an environment: `<partOf>-<env>`. */
export function applicationName(partOf: string, env: string): string {
  return `${partOf}-${env}`;
}

/**
 * Allow windows of the environments' Applications: automated syncs start only while one is
 * open; manual syncs are allowed at any time (an urgent fix need not wait for the window).
 */
export function syncWindows(partOf: string, envs: readonly EnvironmentConfig[]): AppProjectSpecSyncWindows[] {
  return envs.flatMap((e) =>
    e.argocd.syncWindows.map((w) => ({
      kind: 'allow',
      schedule: w.schedule,
      duration: w.duration,
      timeZone: w.timeZone,
      applications: [applicationName(partOf, e.name)],
      manualSync: true,
    })),
  );
}

/** Where the parameter file of an environment is committed, relative to the repository root. */
export function parametersPath(env: string): string {
  return `${ArgoCd.DIST}/${ArgoCd.FOLDER}/${ArgoCd.PARAMETERS_FOLDER}/${env}.yaml`;
}

/** String-valued parts of an Application: literal values, or Go-template expressions in the ApplicationSet. */
interface ApplicationFields {
  readonly name: string;
  readonly path: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly server: string;
  readonly namespace: string;
}

export interface ArgoCdProps {
  /** `app.kubernetes.io/part-of` of the stack: the AppProject's name and the Applications' prefix. */
  readonly partOf: string;
  /** Rendered environments, in output order. */
  readonly environments: readonly EnvironmentConfig[];
  /** Every object rendered for those environments: the project admits exactly their kinds. */
  readonly objects: readonly KubeObject[];
  /** The same objects by environment name. */
  readonly environmentObjects: ReadonlyMap<string, readonly KubeObject[]>;
}

function metadataOf(partOf: string, name: string): ApiObjectMetadata {
  return {
    name,
    labels: { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': MANAGED_BY },
  };
}

/** The environment-independent Application metadata and spec, around the given field values. */
function applicationBase(partOf: string, f: ApplicationFields): { metadata: ApiObjectMetadata; spec: ApplicationSpec } {
  return {
    metadata: {
      ...metadataOf(partOf, f.name),
      namespace: ArgoCd.NAMESPACE,
      // With a Git webhook, refresh only when the environment's own folder changed.
      annotations: { 'argocd.argoproj.io/manifest-generate-paths': '.' },
    },
    spec: {
      project: partOf,
      source: { repoUrl: f.repoURL, targetRevision: f.targetRevision, path: f.path, directory: { recurse: false } },
      destination: { server: f.server, namespace: f.namespace },
      syncPolicy: { syncOptions: [...SYNC_OPTIONS], retry: RETRY },
      revisionHistoryLimit: REVISION_HISTORY_LIMIT,
    },
  };
}

function sortedUnique<T>(items: T[], key: (t: T) => string): T[] {
  const byKey = new Map(items.map((i) => [key(i), i]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** Cluster-scoped and namespaced kinds among the rendered objects, sorted by group and kind. */
export function resourceKinds(objects: readonly KubeObject[]): { cluster: GroupKind[]; namespaced: GroupKind[] } {
  const all = objects.map((o) => ({ group: apiGroup(o.apiVersion), kind: o.kind }));
  const unique = sortedUnique(all, (k) => `${k.group}\u0000${k.kind}`);
  return {
    cluster: unique.filter((k) => isClusterScoped(k.kind)),
    namespaced: unique.filter((k) => !isClusterScoped(k.kind)),
  };
}

/**
 * Objects controllers create from ours without an owner reference, so Argo CD would report
 * them as orphaned: the namespace's own root CA ConfigMap and default ServiceAccount, the
 * claims of StatefulSet volume templates, and certificate Secrets cert-manager writes.
 */
export function controllerCreated(objects: readonly KubeObject[]): AppProjectSpecOrphanedResourcesIgnore[] {
  const out: AppProjectSpecOrphanedResourcesIgnore[] = [
    { group: '', kind: 'ConfigMap', name: 'kube-root-ca.crt' },
    { group: '', kind: 'ServiceAccount', name: 'default' },
  ];
  const secret = (name: unknown) => {
    if (typeof name === 'string' && name !== '') out.push({ group: '', kind: 'Secret', name });
  };
  for (const o of objects) {
    if (o.kind === 'StatefulSet') {
      for (const { item: t } of records(at(o, ['spec', 'volumeClaimTemplates']))) {
        out.push({ group: '', kind: 'PersistentVolumeClaim', name: `${str(at(t, ['metadata', 'name'])) ?? ''}-${o.metadata?.name ?? ''}-*` });
      }
    }
    if (o.kind === 'Certificate') secret(at(o, ['spec', 'secretName']));
    if (o.kind === 'Ingress') for (const { item: tls } of records(at(o, ['spec', 'tls']))) secret(tls.secretName);
    if (o.kind === 'Gateway') {
      for (const { item: l } of records(at(o, ['spec', 'listeners']))) {
        for (const { item: ref } of records(at(l, ['tls', 'certificateRefs']))) secret(ref.name);
      }
    }
  }
  return sortedUnique(out, (i) => `${i.kind}\u0000${i.name}`);
}

/** The AppProject `<partOf>`: which repositories, destinations and kinds the applications may use. */
export class ArgoProjectChart extends Chart {
  readonly fileName = 'project';

  constructor(scope: Construct, props: ArgoCdProps) {
    super(scope, 'project', { namespace: ArgoCd.NAMESPACE, disableResourceNameHashes: true });
    const envs = props.environments;
    const kinds = resourceKinds(props.objects);
    const windows = syncWindows(props.partOf, envs);
    new AppProject(this, 'Project', {
      metadata: {
        ...metadataOf(props.partOf, props.partOf),
        // The project cannot be deleted while an Application still uses it.
        finalizers: [ArgoCd.RESOURCES_FINALIZER],
      },
      spec: {
        description: `The ${props.partOf} stack, rendered per environment into ${ArgoCd.DIST}/<environment>`,
        sourceRepos: [...new Set(envs.map((e) => e.argocd.repoURL))],
        destinations: sortedUnique(
          envs.map((e) => ({ server: e.argocd.destinationServer, namespace: e.namespace })),
          (d) => `${d.server} ${d.namespace}`,
        ),
        clusterResourceWhitelist: kinds.cluster,
        namespaceResourceWhitelist: kinds.namespaced,
        orphanedResources: { warn: true, ignore: controllerCreated(props.objects) },
        ...(windows.length > 0 ? { syncWindows: windows } : {}),
      },
    });
  }
}

/** One Application per environment, syncing `dist/<env>`. */
export class ArgoApplicationsChart extends Chart {
  readonly fileName = 'applications';

  constructor(scope: Construct, props: ArgoCdProps) {
    super(scope, 'applications', { namespace: ArgoCd.NAMESPACE, disableResourceNameHashes: true });
    for (const env of props.environments) {
      const p = environmentParameters(env, props.environmentObjects.get(env.name));
      const base = applicationBase(props.partOf, {
        name: applicationName(props.partOf, env.name),
        path: `${ArgoCd.DIST}/${env.name}`,
        repoURL: p.repoURL,
        targetRevision: p.targetRevision,
        server: p.destination.server,
        namespace: p.destination.namespace,
      });
      new Application(this, env.name, {
        metadata: { ...base.metadata, ...(p.finalizers.length > 0 ? { finalizers: [...p.finalizers] } : {}) },
        spec: {
          ...base.spec,
          ...(p.ignoreDifferences.length > 0 ? { ignoreDifferences: [...p.ignoreDifferences] } : {}),
          syncPolicy: { ...(p.automated ? { automated: p.automated } : {}), ...base.spec.syncPolicy },
        },
      });
    }
  }
}

/** The fields of the ApplicationSet this project uses (the full binding is too large to import). */
export interface GitGenerator {
  readonly repoURL: string;
  readonly revision: string;
  readonly directories?: ReadonlyArray<{ readonly path: string; readonly exclude?: boolean }>;
  readonly files?: ReadonlyArray<{ readonly path: string }>;
  readonly pathParamPrefix?: string;
}

export interface ApplicationSetGenerator {
  readonly git?: GitGenerator;
  readonly matrix?: { readonly generators: readonly ApplicationSetGenerator[] };
}

export interface ApplicationSetSpec {
  readonly goTemplate: boolean;
  readonly goTemplateOptions: readonly string[];
  readonly generators: readonly ApplicationSetGenerator[];
  readonly template: { readonly metadata: ApiObjectMetadata; readonly spec: Record<string, unknown> };
  /** Go template rendering YAML, strategically merged into each generated Application. */
  readonly templatePatch: string;
  readonly syncPolicy: { readonly preserveResourcesOnDeletion: boolean };
}

/**
 * `templatePatch` of the ApplicationSet: the fields that are not strings (finalizers, the
 * ignored differences and the automated sync policy) come verbatim from the environment's
 * parameter file.
 */
export const TEMPLATE_PATCH = [
  'metadata:',
  '  finalizers: {{ toJson .finalizers }}',
  'spec:',
  '  ignoreDifferences: {{ toJson .ignoreDifferences }}',
  '  syncPolicy:',
  '    automated: {{ toJson .automated }}',
  '',
].join('\n');

/**
 * The ApplicationSet alternative: for every folder `dist/<env>` (not `dist/argocd`) that has a
 * parameter file `dist/argocd/environments/<env>.yaml`, the same Application as
 * `applications.yaml`. A matrix pairs each folder with its parameter file (the second generator's
 * path is templated from the first's folder name); a folder without one generates nothing.
 * The generators read the branch changes are merged into (`argocd.branch`), never a promoted
 * ref: the parameter file on the branch names the ref a promoted environment syncs, while the
 * file as committed at that ref would still name the previous one. When environments differ in
 * repository or branch, each gets its own matrix over its own folders.
 */
export class ArgoApplicationSetChart extends Chart {
  readonly fileName = 'applicationset';

  constructor(scope: Construct, props: ArgoCdProps) {
    super(scope, 'applicationset', { namespace: ArgoCd.NAMESPACE, disableResourceNameHashes: true });
    const base = applicationBase(props.partOf, {
      name: applicationName(props.partOf, '{{ .path.basename }}'),
      path: '{{ .path.path }}',
      repoURL: '{{ .repoURL }}',
      targetRevision: '{{ .targetRevision }}',
      server: '{{ .destination.server }}',
      namespace: '{{ .destination.namespace }}',
    });
    const spec: ApplicationSetSpec = {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: sourceGroups(props.environments).map((g) => ({
        matrix: {
          generators: [
            {
              git: {
                repoURL: g.repoURL,
                revision: g.revision,
                directories: [
                  { path: `${ArgoCd.DIST}/*` },
                  { path: `${ArgoCd.DIST}/${ArgoCd.FOLDER}`, exclude: true },
                  ...g.elsewhere.map((e) => ({ path: `${ArgoCd.DIST}/${e}`, exclude: true })),
                ],
              },
            },
            {
              git: {
                repoURL: g.repoURL,
                revision: g.revision,
                pathParamPrefix: ArgoCd.PARAMETERS_PREFIX,
                files: [{ path: parametersPath('{{ .path.basename }}') }],
              },
            },
          ],
        },
      })),
      template: { metadata: base.metadata, spec: toJson_ApplicationSpec(base.spec)! },
      templatePatch: TEMPLATE_PATCH,
      // The controller adds no resources finalizer of its own: each generated Application has
      // the finalizers of its parameter file, so deleting the ApplicationSet (or a folder)
      // deletes it as deleting applications.yaml's would (production's never cascades).
      syncPolicy: { preserveResourcesOnDeletion: true },
    };
    new ApiObject(this, 'ApplicationSet', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: metadataOf(props.partOf, props.partOf),
      spec,
    });
  }
}

/** Environments grouped by the repository and branch their parameters are read from. */
function sourceGroups(envs: readonly EnvironmentConfig[]): Array<{ repoURL: string; revision: string; elsewhere: string[] }> {
  const key = (e: EnvironmentConfig) => `${e.argocd.repoURL} ${e.argocd.branch}`;
  const groups = new Map<string, EnvironmentConfig[]>();
  for (const e of envs) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  return [...groups.values()].map((members) => ({
    repoURL: members[0].argocd.repoURL,
    revision: members[0].argocd.branch,
    elsewhere: envs.filter((e) => !members.includes(e)).map((e) => e.name),
  }));
}

/**
 * Every Argo CD file for the rendered environments, keyed by path relative to `dist/`
 * (`argocd/project.yaml`, `argocd/applications.yaml`, `argocd/applicationset.yaml`,
 * `argocd/environments/<env>.yaml`), as the documents each holds, for the objects rendered for
 * those environments (by file, as `charts/app.ts` renders them).
 */
export function argoCdManifests(
  partOf: string,
  environments: readonly EnvironmentConfig[],
  rendered: ReadonlyMap<string, readonly KubeObject[]>,
): Map<string, unknown[]> {
  const files = new Map<string, unknown[]>();
  if (environments.length === 0) return files;
  // The edge controller's settings (`<env>/edge-controller/`) are not synced, so they do not count.
  const synced = [...rendered].filter(([rel]) => rel.split('/')[1] !== EDGE_CONTROLLER_FOLDER);
  const objects = synced.flatMap(([, objs]) => objs);
  const environmentObjects = new Map(environments.map((e) => [e.name, synced.filter(([rel]) => rel.startsWith(`${e.name}/`)).flatMap(([, objs]) => objs)]));
  const props: ArgoCdProps = { partOf, environments, objects, environmentObjects };
  for (const chart of [
    new ArgoProjectChart(newApp(), props),
    new ArgoApplicationsChart(newApp(), props),
    new ArgoApplicationSetChart(newApp(), props),
  ]) {
    files.set(`${ArgoCd.FOLDER}/${chart.fileName}.yaml`, chart.toJson());
  }
  for (const env of environments) {
    files.set(`${ArgoCd.FOLDER}/${ArgoCd.PARAMETERS_FOLDER}/${env.name}.yaml`, [environmentParameters(env, environmentObjects.get(env.name))]);
  }
  return files;
}
