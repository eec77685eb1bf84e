/**
 * Valid/invalid cases of the generic checks platform teams expect (resources, read-only root
 * filesystem, ServiceAccounts, RBAC, workload templates, spreading, jobs), and of what they added
 * to older rules (digests, PDBs against the fewest pods, HPA floors, governing Services, Windows
 * HostProcess). Merged into `RULE_CASES`.
 */
import { given, unset } from '../support/k8s';
import { allDist, D, find, load, mutate, Obj, P, S, selector, workload } from './fixtures';
import type { RuleCases } from './rule-table';

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: Obj[]): Obj => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(kind === 'Role' ? { namespace: P } : {}) },
  rules,
});
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleRef: Obj, subjects: Obj[]): Obj => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(kind === 'RoleBinding' ? { namespace: P } : {}) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
const job = (name: string, spec: Obj, template: Obj = {}): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: P },
  spec: { ...spec, template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox:1.36' }], ...template } } },
});

export const GENERIC_CASES: Record<string, RuleCases> = {
  'container-resources': {
    valid: [
      ...allDist(),
      {
        name: 'requests and a memory limit, no CPU limit, on containers and init containers',
        objects: () =>
          load(
            workload('api', {
              container: { resources: { requests: { cpu: '250m', memory: '384Mi' }, limits: { memory: '0.75Gi' } } },
              podSpec: { initContainers: [{ name: 'migrate', image: 'x:1', resources: { requests: { cpu: '0.1', memory: '64M' }, limits: { cpu: '100m', memory: '67108864' } } }] },
            }),
          ),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'production api without resources (its HPA scales on CPU), an init container with requests over its limits',
        objects: mutate('production', (o) => {
          const spec = find(o, 'Rollout', 'api').spec.template.spec;
          unset(spec.containers[0], 'resources');
          spec.initContainers = given([{ name: 'migrate', image: 'registry.betts.example/ctis/api:1.8.2', resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1500m', memory: '512Mi' } } }]);
        }),
        expect: {
          [`Rollout/${P}/api`]: [
            /^container api has no CPU request, but HorizontalPodAutoscaler api scales on CPU utilisation, a share of the request: it cannot compute it$/,
            /^container api has no memory request, no memory limit$/,
            /^container migrate requests more cpu \(2\) than its limit \(1500m\): the API server refuses the pod$/,
            /^container migrate requests more memory \(1Gi\) than its limit \(512Mi\): the API server refuses the pod$/,
          ],
        },
        remediations: [[/HorizontalPodAutoscaler api/, /^Set resources\.requests\.cpu on container api, or scale HorizontalPodAutoscaler api on another metric\.$/]],
      },
      {
        name: 'without an autoscaler a missing CPU request is listed with the rest; a ContainerResource metric names its container',
        objects: () =>
          load([
            ...workload('redis', { kind: 'StatefulSet', container: { resources: { limits: { memory: '1Gi' } } } }),
            ...workload('api', { replicas: null, container: { resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } } } }),
            {
              apiVersion: 'autoscaling/v2',
              kind: 'HorizontalPodAutoscaler',
              metadata: { name: 'api', namespace: P },
              spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 4, metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'api', target: { type: 'Utilization', averageUtilization: 70 } } }] },
            },
          ]),
        expect: {
          [`StatefulSet/${P}/redis`]: [/^container redis has no CPU request, no memory request$/],
          [`Deployment/${P}/api`]: [/^container api has no CPU request, but HorizontalPodAutoscaler api scales on CPU utilisation/],
        },
      },
    ],
  },

  'read-only-root-filesystem': {
    valid: [...allDist(), { name: 'builder default', objects: () => load(workload('api')), expect: {} }],
    invalid: [
      {
        name: 'false on the main container, unset on an init container',
        objects: mutate('production', (o) => {
          const spec = find(o, 'Rollout', 'frontend').spec.template.spec;
          spec.containers[0].securityContext.readOnlyRootFilesystem = false;
          spec.initContainers = given([{ name: 'warm', image: 'registry.betts.example/ctis/frontend:1.8.2' }]);
        }),
        expect: {
          [`Rollout/${P}/frontend`]: [
            /^container frontend sets readOnlyRootFilesystem: false: it may write to its root filesystem$/,
            /^container warm does not set readOnlyRootFilesystem: true: it may write to its root filesystem$/,
          ],
        },
        lines: [[/container frontend/, /readOnlyRootFilesystem: true/]],
      },
    ],
  },

  'dedicated-service-account': {
    valid: [...allDist(), { name: 'the deprecated field agreeing with serviceAccountName', objects: () => load(workload('api', { podSpec: { serviceAccountName: 'api', serviceAccount: 'api' } })), expect: {} }],
    invalid: [
      {
        name: 'no ServiceAccount, the default one, disagreeing fields, the deprecated field alone',
        objects: () =>
          load([
            ...workload('api'),
            ...workload('frontend', { podSpec: { serviceAccountName: 'default' } }),
            ...workload('app-server', { podSpec: { serviceAccountName: 'app-server', serviceAccount: 'api' } }),
            ...workload('auth-server', { podSpec: { serviceAccount: 'auth-server' } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/^Deployment api runs its pods as the namespace's default ServiceAccount \(no serviceAccountName\)$/],
          [`Deployment/${P}/frontend`]: [/^Deployment frontend runs its pods as the namespace's default ServiceAccount$/],
          [`Deployment/${P}/app-server`]: [/^serviceAccount api and serviceAccountName app-server disagree: the pod runs as app-server$/],
          [`Deployment/${P}/auth-server`]: [/^the deprecated serviceAccount field names the account: use serviceAccountName$/],
        },
        warnings: [/deprecated serviceAccount field/],
      },
    ],
  },

  'workload-template-valid': {
    valid: [...allDist(), { name: 'a Job with restartPolicy Never', objects: () => load([job('migrate', { activeDeadlineSeconds: 60 })]), expect: {} }],
    invalid: [
      {
        name: 'a selector that misses the template, an empty one, Always for a Job, OnFailure for a Deployment, a bad port name and a probe on an unnamed port',
        objects: () =>
          load([
            ...workload('api', { spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'api', tier: 'web' } } } }),
            ...workload('frontend', { spec: { selector: {} }, podSpec: { restartPolicy: 'OnFailure' } }),
            ...workload('app-server', {
              ports: [{ name: 'metrics_endpoint', containerPort: 9464 }],
              container: { readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } }, livenessProbe: { tcpSocket: { port: 8080 } } },
            }),
            job('migrate', {}, { restartPolicy: 'Always' }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/^the selector \{app\.kubernetes\.io\/name=api,tier=web\} of Deployment api does not select its own pod template \(labels .*\): the API server refuses it$/],
          [`Deployment/${P}/frontend`]: [/^Deployment frontend has an empty selector: the API server refuses it/, /^Deployment frontend sets restartPolicy OnFailure: a Deployment only accepts Always$/],
          [`Deployment/${P}/app-server`]: [
            /^port name "metrics_endpoint" of container app-server is not a valid port name/,
            /^readinessProbe of container app-server probes port "http", which the container does not name: the probe always fails$/,
            /^startupProbe of container app-server probes port "http", which the container does not name/,
          ],
          [`Job/${P}/migrate`]: [/^Job migrate sets restartPolicy Always \(which is refused for a Job\): use OnFailure or Never$/],
        },
      },
      {
        name: 'a CronJob whose template sets no restartPolicy',
        objects: mutate('staging', (o) => unset(find(o, 'CronJob', 'postgresql-backup').spec.jobTemplate.spec.template.spec, 'restartPolicy')),
        env: 'staging',
        expect: { [`CronJob/${S}/postgresql-backup`]: [/^CronJob postgresql-backup sets no restartPolicy \(the default, Always, is refused for a Job\): use OnFailure or Never$/] },
      },
    ],
  },

  'pods-spread': {
    valid: [
      ...allDist(),
      { name: 'a single pod needs no spreading', objects: () => load(workload('api', { replicas: 1 })), expect: {} },
      {
        name: 'required pod anti-affinity on the hostname',
        objects: () =>
          load(workload('api', { replicas: 3, podSpec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector('api') } }] } } } })),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'production api spread by zone only; a StatefulSet of 3 without anything; a constraint whose selector misses the pods',
        objects: mutate('production', (o) => {
          const spec = find(o, 'Rollout', 'api').spec.template.spec;
          spec.topologySpreadConstraints = spec.topologySpreadConstraints.filter((c) => c.topologyKey !== 'kubernetes.io/hostname');
          find(o, 'Rollout', 'frontend').spec.template.spec.topologySpreadConstraints[0].labelSelector = given({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^up to 10 pods of Rollout api may run on one node: no topologySpreadConstraint or pod anti-affinity on kubernetes\.io\/hostname selects them$/],
          [`Rollout/${P}/frontend`]: [/^up to \d+ pods of Rollout frontend may run on one node/],
        },
        warnings: [/./],
      },
    ],
  },

  'jobs-bounded': {
    valid: [...allDist(), { name: 'a bounded Job', objects: () => load([job('migrate', { activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600 })]), expect: {} }],
    invalid: [
      {
        name: 'staging backup without a deadline, overlapping restore checks, a Job without deadline or TTL',
        env: 'staging',
        objects: mutate('staging', (o) => {
          unset(find(o, 'CronJob', 'postgresql-backup').spec.jobTemplate.spec, 'activeDeadlineSeconds');
          find(o, 'CronJob', 'postgresql-restore-check').spec.concurrencyPolicy = 'Allow';
          return [...o, ...load([{ ...job('migrate', {}), metadata: { name: 'migrate', namespace: S } }], 'extra.yaml')];
        }),
        expect: {
          [`CronJob/${S}/postgresql-backup`]: [/^runs of CronJob postgresql-backup have no deadline \(jobTemplate activeDeadlineSeconds\): a hung run never ends and blocks every later one$/],
          [`CronJob/${S}/postgresql-restore-check`]: [/^CronJob postgresql-restore-check lets runs overlap \(concurrencyPolicy Allow\)/],
          [`Job/${S}/migrate`]: [/^Job migrate has no deadline/, /^Job migrate is kept after it finished/],
        },
        warnings: [/is kept after it finished/],
      },
    ],
  },

  'rbac-least-privilege': {
    valid: [
      ...allDist(),
      {
        name: 'a narrow Role and its binding',
        objects: () =>
          load([
            role('Role', 'leases', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'] }]),
            binding('RoleBinding', 'leases', { kind: 'Role', name: 'leases' }, [{ kind: 'ServiceAccount', name: 'api', namespace: P }]),
          ]),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'wildcards, Secrets, exec, creating pods, escalate; cluster-admin and everyone bound',
        objects: () =>
          load([
            role('Role', 'ops', [
              { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
              { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
              { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'patch'] },
            ]),
            role('ClusterRole', 'all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }]),
            binding('ClusterRoleBinding', 'root', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'ServiceAccount', name: 'api', namespace: P }]),
            binding('RoleBinding', 'open', { kind: 'Role', name: 'ops' }, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }]),
          ]),
        expect: {
          [`Role/${P}/ops`]: [/^Role ops grants reading Secrets$/, /^Role ops grants running commands in pods/, /^Role ops grants creating pods or workloads/],
          'ClusterRole//all': [/^ClusterRole all grants a wildcard \(\*\)/, /^ClusterRole all grants escalate, bind or impersonate/],
          'ClusterRoleBinding//root': [/^ClusterRoleBinding root grants the built-in ClusterRole cluster-admin in every namespace$/],
          [`RoleBinding/${P}/open`]: [/^RoleBinding open binds the group system:serviceaccounts: everyone in it gets the role$/],
        },
      },
    ],
  },

  // What the generic checks added to older rules.
  'image-pinned': {
    valid: [],
    invalid: [
      {
        name: 'production (images.requireDigest) with a tag-only image; staging does not require digests',
        objects: mutate('production', (o) => {
          const c = find(o, 'Rollout', 'api').spec.template.spec.containers[0];
          c.image = c.image.replace(/@sha256:.*$/, '');
        }),
        expect: { [`Rollout/${P}/api`]: [/^image registry\.betts\.example\/ctis\/api:1\.8\.2 of container api is pinned by tag only: production requires a sha256 digest \(images\.requireDigest\)$/] },
        remediations: [[/./, /workloads\.<id>\.image\.digest in config\/production\.yaml/]],
      },
    ],
  },
  'pdb-required': {
    valid: [],
    invalid: [
      {
        name: 'minAvailable as high as the HPA floor, and a PDB with neither bound',
        objects: mutate('production', (o) => {
          find(o, 'PodDisruptionBudget', 'api').spec = given({ minAvailable: 3, selector: { matchLabels: selector('api') } });
          find(o, 'PodDisruptionBudget', 'frontend').spec = given({ selector: { matchLabels: selector('frontend') } });
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^PodDisruptionBudget api keeps 3 pods available, but the workload runs 3 when scaled in: node drains would block then$/],
          [`Rollout/${P}/frontend`]: [/^PodDisruptionBudget frontend sets neither minAvailable nor maxUnavailable$/],
        },
        warnings: [/./],
      },
    ],
  },
  'hpa-managed-replicas': {
    valid: [{ name: 'development may scale to one pod', env: 'development', objects: () => load([...workload('api', { env: 'development', replicas: null }), { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: D }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, maxReplicas: 3 } }]), expect: {} }],
    invalid: [
      {
        name: 'production HPA floor of one pod',
        objects: mutate('production', (o) => void (find(o, 'HorizontalPodAutoscaler', 'api').spec.minReplicas = 1)),
        expect: { [`HorizontalPodAutoscaler/${P}/api`]: [/^HorizontalPodAutoscaler api may scale api down to 1 pod in production: one pod is down during every rollout or node drain$/] },
      },
    ],
  },
  'referenced-object-exists': {
    valid: [],
    invalid: [
      {
        name: "a StatefulSet's governing Service missing, another's not headless",
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'StatefulSet', 'postgresql').spec.serviceName = 'postgresql-gone';
          const headless = o.find((x) => x.object.kind === 'Service' && x.object.metadata?.name === find(o, 'StatefulSet', 'redis').spec.serviceName)!;
          unset(find(o, 'Service', headless.object.metadata!.name!).spec, 'clusterIP');
        }),
        expect: {
          [`StatefulSet/${S}/postgresql`]: [/^StatefulSet postgresql names the governing Service postgresql-gone, which is not in the manifests$/],
          [`StatefulSet/${S}/redis`]: [/^the governing Service redis-headless of StatefulSet redis is not headless \(clusterIP: None\): its pods get no stable DNS names$/],
        },
      },
    ],
  },
  'pod-security-restricted': {
    valid: [],
    invalid: [
      {
        name: 'a Windows HostProcess container',
        objects: () => load(workload('api', { container: { securityContext: { runAsNonRoot: true, runAsUser: 1654, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, windowsOptions: { hostProcess: true } } } })),
        expect: { [`Deployment/${P}/api`]: [/^container api is a Windows HostProcess container$/] },
      },
    ],
  },
};
