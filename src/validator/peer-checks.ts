/**
 * How the validator compares with the checks of three widely used Kubernetes scanners, check by
 * check: which rules cover each, and why the others are deliberately left out. Maintained here
 * beside the registry; `docs/rules.md` renders it, and a test keeps every rule id it names in the
 * registry. The check lists are those of the scanners' own documentation (kube-score
 * `README_CHECKS.md`, kube-linter `docs/generated/checks.md`, Polaris `pkg/config/checks`).
 */

/** One check of another scanner, and how the validator stands to it. */
export interface PeerCheck {
  /** The check's id in the scanner. */
  readonly id: string;
  /** The validator rules that cover it (empty: deliberately not covered). */
  readonly rules: readonly string[];
  /** What differs, or why it is left out. */
  readonly note?: string;
}

export interface PeerTool {
  readonly name: string;
  readonly source: string;
  readonly checks: readonly PeerCheck[];
}

const c = (id: string, rules: readonly string[], note?: string): PeerCheck => ({ id, rules, ...(note ? { note } : {}) });

/** Reasons shared by several checks. */
const WHY = {
  cpuLimit: 'CPU limits are not required: they throttle a busy .NET or Node.js server long before the node runs short; CPU requests (for scheduling and the HPA) and memory limits are',
  replicas3: 'the runbook asks for at least 2 pods outside development (the HPA floor, checked by hpa-managed-replicas and the configuration); 3 is a sizing choice per environment',
  pullAlways: 'images are pinned by tag and, in production, by digest (image-pinned): the node cache cannot serve other contents, and Always only adds a registry round trip to every start',
  priorityClass: 'priority classes are the cluster\'s, unknown to the manifests; the platform team assigns them',
  nodeAffinity: 'node placement is the cluster\'s concern; replicas are spread over nodes (pods-spread)',
  ownerAnnotations: 'ownership is carried by the app.kubernetes.io labels every object has (standard-labels), not by e-mail annotations',
  sortedKeys: 'the generator writes deterministic YAML; key order carries no meaning for the cluster',
  openShift: 'OpenShift SecurityContextConstraints: the clusters run Pod Security restricted (namespace-pod-security)',
  secretFiles: 'ASP.NET reads its settings from the environment; secrets come from Secrets written by ExternalSecrets (secret-source), never literals (secret-literal)',
  ephemeral: 'not required: the root filesystem is read-only (read-only-root-filesystem), so a container writes only to its volumes (/tmp is a sized emptyDir); the kubelet evicts a pod that fills the node',
  hostPort: 'pod-security-restricted forbids every host port and host network; internal-not-exposed names them for internal components',
  hostPath: 'pod-security-restricted allows only the volume types of Pod Security restricted: no hostPath at all',
  rbacBinding: 'the role a binding names is judged where it is defined (rbac-least-privilege); a binding to a role outside the manifests cannot be judged',
  probeAll: 'health-probes requires readiness, liveness and startup probes on the main container of every component, on its health endpoints; sidecars and scheduled tasks have no health endpoint',
  portExposure: 'a container port opens nothing by itself: what may reach it is judged edge by edge (network-extra-connection)',
} as const;

/** kube-score: README_CHECKS.md. */
const KUBE_SCORE: PeerTool = {
  name: 'kube-score',
  source: 'README_CHECKS.md of zegl/kube-score',
  checks: [
    c('deployment-strategy', ['rolling-update-safe']),
    c('deployment-replicas', ['hpa-managed-replicas'], WHY.replicas3),
    c('ingress-targets-service', ['route-backend-exists']),
    c('cronjob-has-deadline', ['jobs-bounded'], 'each run has a deadline (activeDeadlineSeconds); startingDeadlineSeconds is not required: a nightly backup that missed its hour should still run, and the backup alerts catch one that never does'),
    c('cronjob-restartpolicy', ['workload-template-valid']),
    c('container-resources', ['container-resources'], WHY.cpuLimit),
    c('container-resource-requests-equal-limits', [], 'requests below limits (burstable pods) are intended: the stack bursts on CPU at start-up and under load'),
    c('container-cpu-requests-equal-limits', [], WHY.cpuLimit),
    c('container-memory-requests-equal-limits', [], 'memory limits may exceed requests; the configuration sizes both per environment'),
    c('container-image-tag', ['image-pinned']),
    c('container-image-pull-policy', [], WHY.pullAlways),
    c('container-ephemeral-storage-request-and-limit', [], WHY.ephemeral),
    c('container-ephemeral-storage-request-equals-limit', [], WHY.ephemeral),
    c('container-ports-check', ['workload-template-valid', 'schema-valid'], 'port names (IANA service names), and a Service naming each of several ports'),
    c('environment-variable-key-duplication', ['schema-valid'], 'a warning: the last definition wins'),
    c('statefulset-has-poddisruptionbudget', ['pdb-required'], 'wherever more than one pod can run'),
    c('deployment-has-poddisruptionbudget', ['pdb-required'], 'wherever more than one pod can run'),
    c('poddisruptionbudget-has-policy', ['pdb-required']),
    c('pod-networkpolicy', ['network-default-deny', 'network-extra-connection']),
    c('networkpolicy-targets-pod', ['policy-selects-pods']),
    c('pod-probes', ['health-probes'], WHY.probeAll),
    c('pod-probes-identical', ['health-probes'], 'readiness probes /health/ready, liveness and startup /health/live'),
    c('container-security-context-user-group-id', ['pod-security-restricted'], 'a numeric non-root user; the group is the image\'s'),
    c('container-security-context-privileged', ['pod-security-restricted']),
    c('container-security-context-readonlyrootfilesystem', ['read-only-root-filesystem']),
    c('container-seccomp-profile', ['pod-security-restricted']),
    c('service-targets-pod', ['service-selects-pods']),
    c('service-type', ['service-type'], 'LoadBalancer and externalIPs too'),
    c('stable-version', ['api-version-served']),
    c('deployment-has-host-podantiaffinity', ['pods-spread'], 'a topologySpreadConstraint on the hostname counts as well'),
    c('statefulset-has-host-podantiaffinity', ['pods-spread']),
    c('deployment-targeted-by-hpa-does-not-have-replicas-configured', ['hpa-managed-replicas']),
    c('statefulset-has-servicename', ['referenced-object-exists'], 'and that Service is headless'),
    c('deployment-pod-selector-labels-match-template-metadata-labels', ['workload-template-valid']),
    c('statefulset-pod-selector-labels-match-template-metadata-labels', ['workload-template-valid']),
    c('label-values', ['schema-valid']),
    c('horizontalpodautoscaler-has-target', ['hpa-target-exists']),
    c('horizontalpodautoscaler-replicas', ['hpa-managed-replicas']),
    c('pod-topology-spread-constraints', ['pods-spread']),
  ],
};

/** kube-linter: docs/generated/checks.md. */
const KUBE_LINTER: PeerTool = {
  name: 'kube-linter',
  source: 'docs/generated/checks.md of stackrox/kube-linter',
  checks: [
    c('access-to-create-pods', ['rbac-least-privilege']),
    c('access-to-secrets', ['rbac-least-privilege'], 'get, list and watch of Secrets'),
    c('cluster-admin-role-binding', ['rbac-least-privilege'], 'admin and edit too'),
    c('dangling-horizontalpodautoscaler', ['hpa-target-exists']),
    c('dangling-ingress', ['route-backend-exists']),
    c('dangling-networkpolicy', ['policy-selects-pods']),
    c('dangling-networkpolicypeer-podselector', ['network-extra-connection', 'network-missing-edge'], 'a peer matters by the connections it admits or fails to admit, which are compared with the topology'),
    c('dangling-service', ['service-selects-pods']),
    c('dangling-servicemonitor', ['monitor-targets'], 'PodMonitors, which the project renders'),
    c('default-service-account', ['dedicated-service-account']),
    c('deprecated-service-account-field', ['dedicated-service-account']),
    c('dnsconfig-options', [], 'DNS tuning (ndots) is a property of the cluster\'s resolver, not of these manifests'),
    c('docker-sock', ['pod-security-restricted'], WHY.hostPath),
    c('drop-net-raw-capability', ['pod-security-restricted'], 'every capability is dropped'),
    c('duplicate-env-var', ['schema-valid', 'setting-key-unambiguous'], 'also variables that bind to the same .NET configuration key'),
    c('env-value-from', ['referenced-object-exists', 'secret-source']),
    c('env-var-secret', ['secret-literal']),
    c('exposed-services', ['service-type']),
    c('host-ipc', ['pod-security-restricted']),
    c('host-network', ['pod-security-restricted', 'internal-not-exposed']),
    c('host-pid', ['pod-security-restricted']),
    c('hpa-minimum-three-replicas', ['hpa-managed-replicas'], WHY.replicas3),
    c('invalid-target-ports', ['workload-template-valid', 'service-selects-pods']),
    c('job-ttl-seconds-after-finished', ['jobs-bounded'], 'for Jobs of their own; a CronJob keeps its history by its limits'),
    c('latest-tag', ['image-pinned']),
    c('liveness-port', ['workload-template-valid', 'health-probes'], 'a named port must exist; a numeric one needs no declaration (the kubelet probes it anyway)'),
    c('minimum-three-replicas', ['hpa-managed-replicas'], WHY.replicas3),
    c('mismatching-selector', ['workload-template-valid']),
    c('no-anti-affinity', ['pods-spread']),
    c('no-extensions-v1beta', ['api-version-served']),
    c('no-liveness-probe', ['health-probes'], WHY.probeAll),
    c('no-node-affinity', [], WHY.nodeAffinity),
    c('no-read-only-root-fs', ['read-only-root-filesystem']),
    c('no-readiness-probe', ['health-probes'], WHY.probeAll),
    c('no-rolling-update-strategy', ['rolling-update-safe']),
    c('non-existent-service-account', ['referenced-object-exists']),
    c('non-isolated-pod', ['network-default-deny', 'network-extra-connection']),
    c('pdb-max-unavailable', ['pdb-required']),
    c('pdb-min-available', ['pdb-required'], 'against the fewest pods the workload runs (HPA minReplicas)'),
    c('pdb-unhealthy-pod-eviction-policy', [], 'the budgets keep the Kubernetes default (IfHealthyBudget); how drains treat crash-looping pods is the platform team\'s node-maintenance policy'),
    c('priority-class-name', [], WHY.priorityClass),
    c('privilege-escalation-container', ['pod-security-restricted']),
    c('privileged-container', ['pod-security-restricted']),
    c('privileged-ports', [], 'containers run as non-root users without capabilities (pod-security-restricted), so they cannot bind a port below 1024; one that tries fails its probes'),
    c('read-secret-from-env-var', [], WHY.secretFiles),
    c('readiness-port', ['workload-template-valid', 'health-probes']),
    c('required-annotation-email', [], WHY.ownerAnnotations),
    c('required-label-owner', ['standard-labels'], WHY.ownerAnnotations),
    c('restart-policy', ['workload-template-valid']),
    c('run-as-non-root', ['pod-security-restricted']),
    c('scc-deny-privileged-container', [], WHY.openShift),
    c('schema-validation', ['schema-valid', 'unknown-kind'], 'against the OpenAPI schemas of Kubernetes 1.28 to 1.34 and the CRDs the stack uses, generated offline'),
    c('sensitive-host-mounts', ['pod-security-restricted'], WHY.hostPath),
    c('sorted-keys', [], WHY.sortedKeys),
    c('ssh-port', [], WHY.portExposure),
    c('startup-port', ['workload-template-valid', 'health-probes']),
    c('unsafe-proc-mount', ['pod-security-restricted']),
    c('unsafe-sysctls', ['pod-security-restricted']),
    c('unset-cpu-requirements', ['container-resources'], WHY.cpuLimit),
    c('unset-memory-requirements', ['container-resources']),
    c('use-namespace', ['namespace-matches-environment', 'manifests-match-environment']),
    c('wildcard-in-rules', ['rbac-least-privilege']),
    c('writable-host-mount', ['pod-security-restricted'], WHY.hostPath),
  ],
};

/** Polaris: pkg/config/checks. */
const POLARIS: PeerTool = {
  name: 'Polaris',
  source: 'pkg/config/checks of FairwindsOps/polaris',
  checks: [
    c('automountServiceAccountToken', ['service-account-token'], 'unless the component declares it calls the Kubernetes API'),
    c('clusterrolePodExecAttach', ['rbac-least-privilege']),
    c('clusterrolebindingClusterAdmin', ['rbac-least-privilege']),
    c('clusterrolebindingPodExecAttach', ['rbac-least-privilege'], WHY.rbacBinding),
    c('cpuLimitsMissing', [], WHY.cpuLimit),
    c('cpuRequestsMissing', ['container-resources']),
    c('dangerousCapabilities', ['pod-security-restricted'], 'every capability is dropped; only NET_BIND_SERVICE may be added'),
    c('deploymentMissingReplicas', ['hpa-managed-replicas'], 'at least 2 pods outside development'),
    c('hostIPCSet', ['pod-security-restricted']),
    c('hostNetworkSet', ['pod-security-restricted', 'internal-not-exposed']),
    c('hostPIDSet', ['pod-security-restricted']),
    c('hostPathSet', ['pod-security-restricted'], WHY.hostPath),
    c('hostPortSet', ['pod-security-restricted', 'internal-not-exposed'], WHY.hostPort),
    c('hostProcess', ['pod-security-restricted']),
    c('hpaMaxAvailability', [], 'maxReplicas equal to minReplicas is a fixed size the configuration may choose on purpose'),
    c('hpaMinAvailability', ['hpa-managed-replicas']),
    c('insecureCapabilities', ['pod-security-restricted']),
    c('linuxHardening', ['pod-security-restricted'], 'RuntimeDefault seccomp and every capability dropped, both required'),
    c('livenessProbeMissing', ['health-probes'], WHY.probeAll),
    c('memoryLimitsMissing', ['container-resources']),
    c('memoryRequestsMissing', ['container-resources']),
    c('metadataAndInstanceMismatched', [], 'app.kubernetes.io/instance names the environment (ctis-<env>), the same on every object of it: Argo CD tracks the Application by it'),
    c('missingNetworkPolicy', ['network-default-deny', 'network-extra-connection']),
    c('missingPodDisruptionBudget', ['pdb-required'], 'wherever more than one pod can run'),
    c('notReadOnlyRootFilesystem', ['read-only-root-filesystem']),
    c('pdbDisruptionsIsZero', ['pdb-required']),
    c('pdbMinAvailableGreaterThanHPAMinReplicas', ['pdb-required']),
    c('priorityClassNotSet', [], WHY.priorityClass),
    c('privilegeEscalationAllowed', ['pod-security-restricted']),
    c('procMount', ['pod-security-restricted']),
    c('pullPolicyNotAlways', [], WHY.pullAlways),
    c('readinessProbeMissing', ['health-probes'], WHY.probeAll),
    c('rolePodExecAttach', ['rbac-least-privilege']),
    c('rolebindingClusterAdminClusterRole', ['rbac-least-privilege']),
    c('rolebindingClusterAdminRole', ['rbac-least-privilege'], WHY.rbacBinding),
    c('rolebindingClusterRolePodExecAttach', ['rbac-least-privilege'], WHY.rbacBinding),
    c('rolebindingRolePodExecAttach', ['rbac-least-privilege'], WHY.rbacBinding),
    c('runAsPrivileged', ['pod-security-restricted']),
    c('runAsRootAllowed', ['pod-security-restricted']),
    c('sensitiveConfigmapContent', ['secret-literal']),
    c('sensitiveContainerEnvVar', ['secret-literal']),
    c('tagNotSpecified', ['image-pinned']),
    c('tlsSettingsMissing', ['edge-tls']),
    c('topologySpreadConstraint', ['pods-spread']),
  ],
};

/** The three scanners, in the order `docs/rules.md` lists them. */
export const PEER_TOOLS: readonly PeerTool[] = [KUBE_SCORE, KUBE_LINTER, POLARIS];
