import { createHash } from 'crypto';
import type { ImageConfig, ResourcesConfig } from '../config/schema';
import { imageRef } from './image';
import { k8s } from './k8s';

/** Numeric users of the images we run; PSS `restricted` wants a non-zero numeric user. */
export const RunAsUser = {
  /** The `app` user of the official .NET images. */
  DOTNET: 1654,
  /** The `nextjs` user of the Next.js standalone image. */
  NEXTJS: 1001,
  /** The `postgres` user of the Alpine PostgreSQL image. */
  POSTGRES_ALPINE: 70,
  /** The `redis` user of the Alpine Redis image. */
  REDIS_ALPINE: 999,
} as const;

export interface ContainerOptions {
  readonly name: string;
  readonly image: ImageConfig;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly resources: ResourcesConfig;
  /** Plain and secret-backed environment variables. @default - none */
  readonly env?: k8s.EnvVar[];
  /** ConfigMaps pulled in whole. @default - none */
  readonly envFromConfigMaps?: string[];
  readonly command?: string[];
  readonly args?: string[];
  /** Probes of a long-running container; a job's container has none. @default - none */
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  readonly startupProbe?: k8s.Probe;
  /** Mounts besides the writable `/tmp`, which every container gets. @default - none */
  readonly volumeMounts?: k8s.VolumeMount[];
}

export interface PodOptions {
  readonly labels: Record<string, string>;
  readonly serviceAccountName: string;
  readonly runAsUser: number;
  readonly container: ContainerOptions;
  /** Volumes besides `tmp`. @default - none */
  readonly volumes?: k8s.Volume[];
  /** Pod annotations, e.g. configuration checksums. @default - none */
  readonly annotations?: Record<string, string>;
  /** Labels used to spread pods across nodes and zones. @default - no spreading */
  readonly spreadBy?: Record<string, string>;
  /** `Never` or `OnFailure` for the pods of a Job. @default - the API default, Always */
  readonly restartPolicy?: 'Never' | 'OnFailure';
  /** Whether the pod calls the Kubernetes API and so mounts its service-account token (the topology's `kubernetesApi`). @default false */
  readonly callsKubernetesApi?: boolean;
}

function quantity(value: string): k8s.Quantity {
  return k8s.Quantity.fromString(value);
}

/**
 * The one place pod security is decided: every pod passes Pod Security `restricted`
 * (non-root numeric user, no privilege escalation, all capabilities dropped, RuntimeDefault
 * seccomp, read-only root filesystem with a writable `/tmp`), has no API token mounted (unless
 * it calls the Kubernetes API) and carries requests and limits.
 */
export function podTemplate(opts: PodOptions): k8s.PodTemplateSpec {
  const c = opts.container;
  const container: k8s.Container = {
    name: c.name,
    image: imageRef(c.image),
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    ports: c.ports.length > 0 ? c.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) : undefined,
    env: c.env && c.env.length > 0 ? c.env : undefined,
    envFrom: c.envFromConfigMaps?.map((name) => ({ configMapRef: { name } })),
    resources: {
      requests: { cpu: quantity(c.resources.requests.cpu), memory: quantity(c.resources.requests.memory) },
      limits: { cpu: quantity(c.resources.limits.cpu), memory: quantity(c.resources.limits.memory) },
    },
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    startupProbe: c.startupProbe,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: opts.runAsUser,
      runAsGroup: opts.runAsUser,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(c.volumeMounts ?? [])],
  };
  const spread: k8s.TopologySpreadConstraint[] | undefined = opts.spreadBy
    ? ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: opts.spreadBy },
      }))
    : undefined;
  return {
    metadata: { labels: opts.labels, annotations: opts.annotations },
    spec: {
      serviceAccountName: opts.serviceAccountName,
      automountServiceAccountToken: opts.callsKubernetesApi === true,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: opts.runAsUser,
        runAsGroup: opts.runAsUser,
        fsGroup: opts.runAsUser,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      topologySpreadConstraints: spread,
      restartPolicy: opts.restartPolicy,
      containers: [container],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: quantity('256Mi') } }, ...(opts.volumes ?? [])],
    },
  };
}

/** HTTP probes on the health endpoints: startup gates the others, readiness drains, liveness restarts. */
export function httpProbes(port: string | number, ready: string, live: string, scheme: 'HTTP' | 'HTTPS' = 'HTTP') {
  const target = typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
  const get = (path: string) => ({ path, port: target, scheme });
  return {
    startupProbe: { httpGet: get(live), periodSeconds: 5, failureThreshold: 30, timeoutSeconds: 3 },
    readinessProbe: { httpGet: get(ready), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
    livenessProbe: { httpGet: get(live), periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 3 },
  };
}

/** A stable checksum of configuration data, put on pod templates so a change rolls the pods. */
export function checksum(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}
