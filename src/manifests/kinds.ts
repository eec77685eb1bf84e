/**
 * Facts about kinds that every reader shares: which kinds are cluster-scoped and which carry pod
 * templates (and where). Change them here, never in a reader.
 */
import { apiGroup, at } from './fields';

/**
 * Kinds that are never namespaced: their objects carry no namespace and their key is
 * `Kind//name`. Core kinds and those of the operators the stack uses or meets (a test checks the
 * CRD kinds against the scope their CRDs declare).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
  'PriorityClass',
  'RuntimeClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'VolumeSnapshotClass',
  'GatewayClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'ClusterAnalysisTemplate',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
]);

/** Whether objects of `kind` are cluster-scoped (see {@link CLUSTER_SCOPED_KINDS}). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** A kind whose objects run pods from a template of their own. */
export interface WorkloadKind {
  readonly kind: string;
  /** API groups that serve the kind (`''` is the core group). */
  readonly groups: readonly string[];
  /** Path of the pod template inside the object; `[]` for a bare Pod (the object is its own template). */
  readonly templatePath: readonly string[];
}

/**
 * Every kind that runs pods, in the order rules and documentation list them. An Argo Rollouts
 * `Rollout` either carries its template at `spec.template` or names a Deployment whose template
 * it runs (`spec.workloadRef`, see `workloadRefOf`).
 */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { kind: 'Deployment', groups: ['apps', 'extensions'], templatePath: ['spec', 'template'] },
  { kind: 'StatefulSet', groups: ['apps'], templatePath: ['spec', 'template'] },
  { kind: 'DaemonSet', groups: ['apps', 'extensions'], templatePath: ['spec', 'template'] },
  { kind: 'ReplicaSet', groups: ['apps', 'extensions'], templatePath: ['spec', 'template'] },
  { kind: 'ReplicationController', groups: [''], templatePath: ['spec', 'template'] },
  { kind: 'Job', groups: ['batch'], templatePath: ['spec', 'template'] },
  { kind: 'CronJob', groups: ['batch'], templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
  { kind: 'Rollout', groups: ['argoproj.io'], templatePath: ['spec', 'template'] },
  { kind: 'Pod', groups: [''], templatePath: [] },
];

const BY_KIND = new Map(WORKLOAD_KINDS.map((w) => [w.kind, w]));

/** The names of {@link WORKLOAD_KINDS}, e.g. for a rule's scope. */
export const WORKLOAD_KIND_NAMES: readonly string[] = WORKLOAD_KINDS.map((w) => w.kind);

/** The workload kind of an object (kind and API group must both match), or undefined. */
export function workloadKindOf(obj: unknown): WorkloadKind | undefined {
  const kind = at(obj, ['kind']);
  const w = typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
  return w && w.groups.includes(apiGroup(at(obj, ['apiVersion']))) ? w : undefined;
}
