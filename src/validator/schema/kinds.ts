/**
 * Which kinds the validator knows, at which served `apiVersion`, and with which structural model.
 * Core kinds are checked against `@kubernetes/client-node` models (`core-models.json`); the CRD
 * kinds the stack uses have hand-written schemas in `crds.ts`.
 */

/** Core kinds: kind -> served apiVersion -> client-node model name. */
export const CORE_KINDS: Record<string, Record<string, string>> = {
  Namespace: { v1: 'V1Namespace' },
  Pod: { v1: 'V1Pod' },
  Service: { v1: 'V1Service' },
  ConfigMap: { v1: 'V1ConfigMap' },
  Secret: { v1: 'V1Secret' },
  ServiceAccount: { v1: 'V1ServiceAccount' },
  PersistentVolumeClaim: { v1: 'V1PersistentVolumeClaim' },
  PersistentVolume: { v1: 'V1PersistentVolume' },
  Endpoints: { v1: 'V1Endpoints' },
  LimitRange: { v1: 'V1LimitRange' },
  ResourceQuota: { v1: 'V1ResourceQuota' },
  ReplicationController: { v1: 'V1ReplicationController' },
  PodTemplate: { v1: 'V1PodTemplate' },
  Deployment: { 'apps/v1': 'V1Deployment' },
  StatefulSet: { 'apps/v1': 'V1StatefulSet' },
  DaemonSet: { 'apps/v1': 'V1DaemonSet' },
  ReplicaSet: { 'apps/v1': 'V1ReplicaSet' },
  Job: { 'batch/v1': 'V1Job' },
  CronJob: { 'batch/v1': 'V1CronJob' },
  HorizontalPodAutoscaler: { 'autoscaling/v2': 'V2HorizontalPodAutoscaler', 'autoscaling/v1': 'V1HorizontalPodAutoscaler' },
  PodDisruptionBudget: { 'policy/v1': 'V1PodDisruptionBudget' },
  NetworkPolicy: { 'networking.k8s.io/v1': 'V1NetworkPolicy' },
  Ingress: { 'networking.k8s.io/v1': 'V1Ingress' },
  IngressClass: { 'networking.k8s.io/v1': 'V1IngressClass' },
  EndpointSlice: { 'discovery.k8s.io/v1': 'V1EndpointSlice' },
  Role: { 'rbac.authorization.k8s.io/v1': 'V1Role' },
  RoleBinding: { 'rbac.authorization.k8s.io/v1': 'V1RoleBinding' },
  ClusterRole: { 'rbac.authorization.k8s.io/v1': 'V1ClusterRole' },
  ClusterRoleBinding: { 'rbac.authorization.k8s.io/v1': 'V1ClusterRoleBinding' },
  PriorityClass: { 'scheduling.k8s.io/v1': 'V1PriorityClass' },
  StorageClass: { 'storage.k8s.io/v1': 'V1StorageClass' },
  // Served at v1 from Kubernetes 1.30 (MINIMUM_KUBERNETES below).
  ValidatingAdmissionPolicy: { 'admissionregistration.k8s.io/v1': 'V1ValidatingAdmissionPolicy' },
  ValidatingAdmissionPolicyBinding: { 'admissionregistration.k8s.io/v1': 'V1ValidatingAdmissionPolicyBinding' },
};

/**
 * The first Kubernetes minor that serves a kind at an apiVersion, where it is later than the
 * oldest cluster the stack otherwise runs on: the admission policies need 1.30.
 */
export const MINIMUM_KUBERNETES: Record<string, Record<string, string>> = {
  ValidatingAdmissionPolicy: { 'admissionregistration.k8s.io/v1': '1.30' },
  ValidatingAdmissionPolicyBinding: { 'admissionregistration.k8s.io/v1': '1.30' },
};

/** apiVersions that Kubernetes (or an operator) no longer serves, with the replacement. */
export const REMOVED_API_VERSIONS: Record<string, Record<string, string>> = {
  Deployment: { 'extensions/v1beta1': 'apps/v1 (removed in Kubernetes 1.16)', 'apps/v1beta1': 'apps/v1 (removed in 1.16)', 'apps/v1beta2': 'apps/v1 (removed in 1.16)' },
  StatefulSet: { 'apps/v1beta1': 'apps/v1 (removed in 1.16)', 'apps/v1beta2': 'apps/v1 (removed in 1.16)' },
  DaemonSet: { 'extensions/v1beta1': 'apps/v1 (removed in 1.16)', 'apps/v1beta2': 'apps/v1 (removed in 1.16)' },
  ReplicaSet: { 'extensions/v1beta1': 'apps/v1 (removed in 1.16)', 'apps/v1beta2': 'apps/v1 (removed in 1.16)' },
  NetworkPolicy: { 'extensions/v1beta1': 'networking.k8s.io/v1 (removed in 1.16)' },
  Ingress: { 'extensions/v1beta1': 'networking.k8s.io/v1 (removed in 1.22)', 'networking.k8s.io/v1beta1': 'networking.k8s.io/v1 (removed in 1.22)' },
  IngressClass: { 'networking.k8s.io/v1beta1': 'networking.k8s.io/v1 (removed in 1.22)' },
  PodDisruptionBudget: { 'policy/v1beta1': 'policy/v1 (removed in 1.25)' },
  CronJob: { 'batch/v1beta1': 'batch/v1 (removed in 1.25)' },
  HorizontalPodAutoscaler: { 'autoscaling/v2beta1': 'autoscaling/v2 (removed in 1.25)', 'autoscaling/v2beta2': 'autoscaling/v2 (removed in 1.26)' },
  EndpointSlice: { 'discovery.k8s.io/v1beta1': 'discovery.k8s.io/v1 (removed in 1.25)' },
  PriorityClass: { 'scheduling.k8s.io/v1beta1': 'scheduling.k8s.io/v1 (removed in 1.22)' },
  Role: { 'rbac.authorization.k8s.io/v1beta1': 'rbac.authorization.k8s.io/v1 (removed in 1.22)' },
  RoleBinding: { 'rbac.authorization.k8s.io/v1beta1': 'rbac.authorization.k8s.io/v1 (removed in 1.22)' },
  ClusterRole: { 'rbac.authorization.k8s.io/v1beta1': 'rbac.authorization.k8s.io/v1 (removed in 1.22)' },
  ClusterRoleBinding: { 'rbac.authorization.k8s.io/v1beta1': 'rbac.authorization.k8s.io/v1 (removed in 1.22)' },
  ExternalSecret: {
    'external-secrets.io/v1beta1': 'external-secrets.io/v1 (v1beta1 is no longer served by the External Secrets operator)',
    'external-secrets.io/v1alpha1': 'external-secrets.io/v1 (no longer served)',
  },
  SecretStore: { 'external-secrets.io/v1beta1': 'external-secrets.io/v1 (no longer served)' },
  ClusterSecretStore: { 'external-secrets.io/v1beta1': 'external-secrets.io/v1 (no longer served)' },
  Certificate: { 'cert-manager.io/v1alpha2': 'cert-manager.io/v1 (removed in cert-manager 1.6)', 'cert-manager.io/v1alpha3': 'cert-manager.io/v1 (removed in cert-manager 1.6)', 'cert-manager.io/v1beta1': 'cert-manager.io/v1 (removed in cert-manager 1.6)' },
  Gateway: { 'gateway.networking.k8s.io/v1alpha2': 'gateway.networking.k8s.io/v1 (no longer served)' },
  HTTPRoute: { 'gateway.networking.k8s.io/v1alpha2': 'gateway.networking.k8s.io/v1 (no longer served)' },
  ValidatingAdmissionPolicy: {
    'admissionregistration.k8s.io/v1beta1': 'admissionregistration.k8s.io/v1 (Kubernetes 1.30+; v1beta1 is off by default and no longer served by 1.34)',
    'admissionregistration.k8s.io/v1alpha1': 'admissionregistration.k8s.io/v1 (Kubernetes 1.30+; v1alpha1 is off by default and no longer served by 1.34)',
  },
  ValidatingAdmissionPolicyBinding: {
    'admissionregistration.k8s.io/v1beta1': 'admissionregistration.k8s.io/v1 (Kubernetes 1.30+; v1beta1 is off by default and no longer served by 1.34)',
    'admissionregistration.k8s.io/v1alpha1': 'admissionregistration.k8s.io/v1 (Kubernetes 1.30+; v1alpha1 is off by default and no longer served by 1.34)',
  },
  Middleware: { 'traefik.containo.us/v1alpha1': 'traefik.io/v1alpha1 (the traefik.containo.us group was removed in Traefik v3)' },
  TLSOption: { 'traefik.containo.us/v1alpha1': 'traefik.io/v1alpha1 (the traefik.containo.us group was removed in Traefik v3)' },
};
