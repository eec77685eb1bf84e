/**
 * Typed views of rendered manifests for the tests. A test reads an object as the model of its
 * kind (`@kubernetes/client-node` for core kinds, the interfaces below for the custom resources
 * the stack renders) through {@link Present}: every field is typed as present, so a test that
 * reads a field the object lacks fails on its assertion (or with a TypeError), as it should.
 */
import type {
  V1ConfigMap,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Ingress,
  V1Job,
  V1LabelSelector,
  V1Namespace,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1ReplicationController,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/** `T` with every field present, recursively (arrays and maps included); still mutable, as tests edit copies. */
export type Present<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? Present<U>[]
    : T extends object
      ? { -readonly [K in keyof T]-?: Present<NonNullable<T[K]>> }
      : T;

/** Fields every object has. */
export interface ObjectFields {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
}

/** A custom resource with a spec of type `S`. */
export interface CustomResource<S> extends ObjectFields {
  spec: S;
}

/** external-secrets.io/v1 ExternalSecret, the fields the tests read. */
export type ExternalSecret = CustomResource<{
  refreshInterval?: string;
  secretStoreRef: { kind?: string; name: string };
  target: { name?: string; creationPolicy?: string; deletionPolicy?: string; template?: { data?: Record<string, string>; mergePolicy?: string; engineVersion?: string; type?: string } };
  data?: { secretKey: string; remoteRef: { key: string; property?: string; conversionStrategy?: string; decodingStrategy?: string; metadataPolicy?: string } }[];
  dataFrom?: unknown[];
}>;

/** cert-manager.io/v1 Certificate. */
export type Certificate = CustomResource<{
  secretName: string;
  commonName?: string;
  dnsNames?: string[];
  usages?: string[];
  duration?: string;
  renewBefore?: string;
  issuerRef: { name: string; kind?: string; group?: string };
  privateKey?: { algorithm?: string; size?: number; rotationPolicy?: string };
}>;

interface ParentRef {
  name: string;
  namespace?: string;
  sectionName?: string;
  kind?: string;
  port?: number;
}

interface HeaderModifier {
  set?: { name: string; value: string }[];
  add?: { name: string; value: string }[];
  remove?: string[];
}

interface HttpRouteFilter {
  type: string;
  requestRedirect?: { scheme?: string; statusCode?: number; port?: number; hostname?: string };
  responseHeaderModifier?: HeaderModifier;
  requestHeaderModifier?: HeaderModifier;
}

/** gateway.networking.k8s.io/v1 HTTPRoute. */
export type HTTPRoute = CustomResource<{
  parentRefs: ParentRef[];
  hostnames?: string[];
  rules: {
    matches?: { path?: { type?: string; value?: string } }[];
    filters?: HttpRouteFilter[];
    backendRefs?: { name: string; namespace?: string; port?: number; kind?: string; group?: string; filters?: HttpRouteFilter[] }[];
  }[];
}>;

/** gateway.networking.k8s.io/v1 Gateway. */
export type Gateway = CustomResource<{
  gatewayClassName: string;
  listeners: {
    name: string;
    protocol: string;
    port: number;
    hostname?: string;
    tls?: { mode?: string; certificateRefs?: { name: string; namespace?: string; kind?: string }[]; options?: Record<string, string> };
    allowedRoutes?: { namespaces?: { from?: string } };
  }[];
}>;

/** traefik.io/v1alpha1 Middleware. */
export type Middleware = CustomResource<{
  headers?: Record<string, unknown> & {
    stsSeconds?: number;
    stsIncludeSubdomains?: boolean;
    stsPreload?: boolean;
    forceSTSHeader?: boolean;
    contentSecurityPolicy?: string;
    referrerPolicy?: string;
    permissionsPolicy?: string;
    frameDeny?: boolean;
    contentTypeNosniff?: boolean;
    customFrameOptionsValue?: string;
    customResponseHeaders?: Record<string, string>;
  };
  redirectScheme?: { scheme: string; permanent?: boolean; port?: string };
  ipAllowList?: { sourceRange: string[]; ipStrategy?: { depth?: number; excludedIPs?: string[] } };
  chain?: { middlewares: { name: string; namespace?: string }[] };
}>;

/** traefik.io/v1alpha1 TLSOption. */
export type TLSOption = CustomResource<{ minVersion?: string; maxVersion?: string; cipherSuites?: string[]; sniStrict?: boolean }>;

interface MonitorEndpoint {
  port?: string;
  portNumber?: number;
  path?: string;
  interval?: string;
  scheme?: string;
  scrapeTimeout?: string;
}

/** monitoring.coreos.com/v1 PodMonitor. */
export type PodMonitor = CustomResource<{ selector: V1LabelSelector; namespaceSelector?: { matchNames?: string[]; any?: boolean }; podMetricsEndpoints: MonitorEndpoint[]; jobLabel?: string }>;

/** monitoring.coreos.com/v1 ServiceMonitor. */
export type ServiceMonitor = CustomResource<{ selector: V1LabelSelector; namespaceSelector?: { matchNames?: string[]; any?: boolean }; endpoints: MonitorEndpoint[] }>;

/** monitoring.coreos.com/v1 PrometheusRule. */
export type PrometheusRule = CustomResource<{
  groups: { name: string; interval?: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}>;

/** argoproj.io/v1alpha1 Application. */
export type Application = CustomResource<{
  project: string;
  source: { repoURL: string; targetRevision: string; path: string; directory?: { recurse?: boolean } };
  destination: { server?: string; name?: string; namespace: string };
  syncPolicy: {
    automated?: { prune?: boolean; selfHeal?: boolean } | null;
    syncOptions?: string[];
    retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } };
  };
  revisionHistoryLimit?: number;
  ignoreDifferences?: { group: string; kind: string; name?: string; namespace?: string; jsonPointers?: string[]; jqPathExpressions?: string[] }[];
}>;

/** argoproj.io/v1alpha1 AppProject. */
export type AppProject = CustomResource<{
  description?: string;
  sourceRepos: string[];
  destinations: { server?: string; name?: string; namespace: string }[];
  clusterResourceWhitelist: { group: string; kind: string }[];
  namespaceResourceWhitelist: { group: string; kind: string }[];
  orphanedResources?: { warn?: boolean; ignore?: { group?: string; kind: string; name?: string }[] };
  syncWindows?: {
    kind: string;
    schedule: string;
    duration: string;
    timeZone?: string;
    manualSync?: boolean;
    applications?: string[];
    namespaces?: string[];
    clusters?: string[];
    andOperator?: boolean;
  }[];
}>;

/** The generators of an ApplicationSet this project uses. */
export interface AppSetGenerator {
  git?: {
    repoURL: string;
    revision: string;
    directories?: { path: string; exclude?: boolean }[];
    files?: { path: string }[];
    pathParamPrefix?: string;
  };
  matrix?: { generators: AppSetGenerator[] };
}

/** argoproj.io/v1alpha1 ApplicationSet. */
export type ApplicationSet = CustomResource<{
  goTemplate?: boolean;
  goTemplateOptions?: string[];
  generators: AppSetGenerator[];
  template: { metadata: V1ObjectMeta; spec: Application['spec'] };
  templatePatch?: string;
  syncPolicy?: { preserveResourcesOnDeletion?: boolean };
}>;

/** argoproj.io/v1alpha1 Rollout (Argo Rollouts): the blue-green strategy `src/constructs/rollout.ts` renders, a pod template or a `workloadRef` to a Deployment's. */
export type Rollout = CustomResource<{
  replicas?: number;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
  selector: V1LabelSelector;
  template?: V1PodTemplateSpec;
  workloadRef?: { apiVersion: string; kind: string; name: string; scaleDown?: string };
  strategy: {
    blueGreen?: {
      activeService: string;
      previewService?: string;
      autoPromotionEnabled?: boolean;
      autoPromotionSeconds?: number;
      scaleDownDelaySeconds?: number;
      prePromotionAnalysis?: { templates: { templateName: string }[] };
    };
    canary?: Record<string, unknown>;
  };
}> & { status?: { phase?: string; abort?: boolean; pauseConditions?: { reason: string; startTime?: string }[] | null } };

/** argoproj.io/v1alpha1 AnalysisTemplate of web metrics (`src/constructs/rollout.ts`). */
export type AnalysisTemplate = CustomResource<{
  metrics: {
    name: string;
    count?: number;
    interval?: string;
    consecutiveErrorLimit?: number;
    failureLimit?: number;
    successCondition?: string;
    provider: { web?: { url: string; timeoutSeconds?: number; method?: string; jsonPath?: string }; job?: Record<string, unknown> };
  }[];
}>;

/** networking.k8s.io/v1 NetworkPolicy as written (the client model names the ingress peers `_from`). */
export type NetworkPolicy = Omit<V1NetworkPolicy, 'spec'> & {
  spec?: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress?: (Omit<V1NetworkPolicyIngressRule, '_from'> & { from?: V1NetworkPolicyPeer[] })[] };
};

/** apiextensions.k8s.io/v1 CustomResourceDefinition, the fields the tests read. */
export interface CustomResourceDefinition {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[] };
}

/** The model of each kind the tests read. */
export interface KindModels {
  Namespace: V1Namespace;
  Pod: V1Pod;
  Deployment: V1Deployment;
  StatefulSet: V1StatefulSet;
  DaemonSet: V1DaemonSet;
  ReplicaSet: V1ReplicaSet;
  ReplicationController: V1ReplicationController;
  Job: V1Job;
  CronJob: V1CronJob;
  Service: V1Service;
  ServiceAccount: V1ServiceAccount;
  ConfigMap: V1ConfigMap;
  Secret: V1Secret;
  PersistentVolumeClaim: V1PersistentVolumeClaim;
  HorizontalPodAutoscaler: V2HorizontalPodAutoscaler;
  PodDisruptionBudget: V1PodDisruptionBudget;
  NetworkPolicy: NetworkPolicy;
  Ingress: V1Ingress;
  ExternalSecret: ExternalSecret;
  Certificate: Certificate;
  Gateway: Gateway;
  HTTPRoute: HTTPRoute;
  Middleware: Middleware;
  TLSOption: TLSOption;
  PodMonitor: PodMonitor;
  ServiceMonitor: ServiceMonitor;
  PrometheusRule: PrometheusRule;
  Application: Application;
  AppProject: AppProject;
  ApplicationSet: ApplicationSet;
  ValidatingAdmissionPolicy: V1ValidatingAdmissionPolicy;
  ValidatingAdmissionPolicyBinding: V1ValidatingAdmissionPolicyBinding;
  Rollout: Rollout;
  AnalysisTemplate: AnalysisTemplate;
}

export type KindName = keyof KindModels;

/** An object of a known kind, as tests read it. */
export type Model<K extends KindName> = Present<KindModels[K]> & { kind: K };

/** Any rendered object: its kind, apiVersion and metadata; narrow it with {@link isKind} to read more. */
export type Manifest = Present<ObjectFields>;

/** Whether an object is of kind `K` (narrowing it to the model of that kind). */
export function isKind<K extends KindName>(o: unknown, kind: K): o is Model<K> {
  return typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === kind;
}

/** The object as the model of its kind; throws when it is of another kind. */
export function asKind<K extends KindName>(o: unknown, kind: K): Model<K> {
  if (!isKind(o, kind)) throw new Error(`expected a ${kind}, got ${JSON.stringify((o as { kind?: unknown } | null)?.kind)}`);
  return o;
}

/** A pod template as tests read it. */
export type PodTemplateModel = Present<V1PodTemplateSpec>;

/** A pod spec as tests read it. */
export type PodSpecModel = PodTemplateModel['spec'];

/** `T` with every field optional, recursively: what a test gives when it builds part of an object. */
export type DeepPartial<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? DeepPartial<U>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/**
 * A value a test builds with only the fields that matter, typed as the model its place expects
 * (`p.spec.ingress.push(given({ ports: [{ port: 80 }] }))`): models type every field as present.
 */
export function given<T>(value: DeepPartial<NoInfer<T>>): T {
  return value as T;
}

/** Removes a field from an object a test mutates (models type every field as present, so `delete` does not type-check). */
export function unset<T extends object>(o: T, key: keyof T): void {
  Reflect.deleteProperty(o, key);
}

/** The objects of one kind, as the model of that kind. */
export function ofKind<K extends KindName>(objects: readonly unknown[], kind: K): Model<K>[] {
  return objects.filter((o): o is Model<K> => isKind(o, kind));
}
