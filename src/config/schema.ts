import * as z from 'zod';
import { argocdSchema } from './delivery';
import { inClusterBackupSchema, managedBackupSchema, monitoringSchema, objectStorageSchema, telemetrySchema } from './operations';
import { FRAME_OPTIONS, REFERRER_POLICIES } from '../headers/policies';
import { cidr, cpu, dnsLabel, duration, hostname, memory, port, privateCidr, storageSize } from './primitives';

export { isPrivateCidr } from './primitives';

/**
 * The typed configuration of one environment. Files live in `config/<env>.yaml`; they are
 * parsed, checked against this schema and then against the runbook checklist
 * (`runbook-checks.ts`) before anything is rendered.
 */

export const ENVIRONMENT_NAMES = ['development', 'staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** A container image pinned by tag or digest; `latest` and bare names are refused. */
export const imageSchema = z
  .object({
    repository: z
      .string()
      .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
        'must be an image repository without tag or digest, e.g. registry.example.com/ctis/api (a registry port is allowed)',
      ),
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'is not a valid image tag')
      .refine((t) => t !== 'latest', 'must not be "latest": pin a version or a digest')
      .optional(),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex digits>').optional(),
  })
  .strict()
  .refine((i) => i.tag !== undefined || i.digest !== undefined, {
    message: 'needs a tag or a digest (an unpinned image is refused)',
    path: ['tag'],
  });
export type ImageConfig = z.infer<typeof imageSchema>;

/** CPU in millicores, memory in bytes, for comparing requests with limits. */
function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}
function memoryBytes(q: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(q.slice(0, -2)) * units[q.slice(-2)];
}

export const resourcesSchema = z
  .object({
    requests: z.object({ cpu, memory }).strict(),
    limits: z.object({ cpu, memory }).strict(),
  })
  .strict()
  .refine((r) => cpuMillis(r.requests.cpu) <= cpuMillis(r.limits.cpu), {
    message: 'must not exceed limits.cpu (the API server rejects a request above its limit)',
    path: ['requests', 'cpu'],
  })
  .refine((r) => memoryBytes(r.requests.memory) <= memoryBytes(r.limits.memory), {
    message: 'must not exceed limits.memory (the API server rejects a request above its limit)',
    path: ['requests', 'memory'],
  });
export type ResourcesConfig = z.infer<typeof resourcesSchema>;

/** Either a fixed replica count or an HPA's bounds. */
export const scalingSchema = z.union([
  z.object({ replicas: z.number().int().min(1).max(100) }).strict(),
  z
    .object({
      minReplicas: z.number().int().min(1).max(100),
      maxReplicas: z.number().int().min(1).max(500),
      targetCPUUtilizationPercentage: z.number().int().min(10).max(100),
    })
    .strict()
    .refine((s) => s.maxReplicas >= s.minReplicas, { message: 'must be >= minReplicas', path: ['maxReplicas'] }),
]);
export type ScalingConfig = z.infer<typeof scalingSchema>;

/** The pre-promotion analysis: repeated checks of the preview pods' readiness endpoint through the preview Service. */
const prePromotionAnalysisSchema = z
  .object({
    /** How many successful checks promotion waits for. */
    count: z.number().int().min(1).max(60),
    /** Time between two checks. */
    interval: z.string().regex(/^[1-9]\d*s$/, 'must be a number of seconds such as 10s'),
  })
  .strict();

const blueGreenStrategySchema = z
  .object({
    type: z.literal('blue-green'),
    /** `automatic`: traffic moves as soon as the preview is healthy and the analysis passed; `manual`: it waits for a promotion. */
    promotion: z.enum(['automatic', 'manual']),
    /** With automatic promotion: how long the healthy preview waits before it is promoted. @default - at once */
    autoPromotionSeconds: z.number().int().min(1).max(86400).optional(),
    /** How long the old colour keeps running after the switch, so that no node still sends it traffic. */
    scaleDownDelaySeconds: z.number().int().min(30, 'must be at least 30: nodes need that long to stop sending traffic to the old colour').max(86400),
    /** `false`, or the checks that must pass before traffic moves. */
    prePromotionAnalysis: z.union([z.literal(false), prePromotionAnalysisSchema]),
    /** A host on which the preview is reachable, from the admin allow-list only. @default - none */
    previewHost: hostname.optional(),
  })
  .strict();

/**
 * How a component is released: `rolling` (a Deployment with RollingUpdate, the default) or
 * `blue-green` (an Argo Rollouts Rollout whose new colour runs beside the live one until promoted).
 */
export const strategySchema = z.discriminatedUnion('type', [z.object({ type: z.literal('rolling') }).strict(), blueGreenStrategySchema]);
export type StrategyConfig = z.infer<typeof strategySchema>;
export type BlueGreenStrategyConfig = z.infer<typeof blueGreenStrategySchema>;
export type PrePromotionAnalysisConfig = z.infer<typeof prePromotionAnalysisSchema>;

export const workloadSchema = z
  .object({
    image: imageSchema,
    scaling: scalingSchema,
    resources: resourcesSchema,
    /** Release strategy. @default - rolling */
    strategy: strategySchema.optional(),
  })
  .strict();
export type WorkloadConfig = z.infer<typeof workloadSchema>;

const inClusterStore = z
  .object({
    mode: z.literal('in-cluster'),
    image: imageSchema,
    resources: resourcesSchema,
    storage: storageSize,
    /** Nightly backups and the restore check (required for PostgreSQL; see operations.ts). @default - none */
    backup: inClusterBackupSchema.optional(),
  })
  .strict();
const managedStore = z
  .object({
    mode: z.literal('managed'),
    /** Host name of the managed endpoint, for reports; the connection string itself is a secret. */
    host: hostname,
    /** Private network range of the managed endpoint: the only egress the consumers get. */
    cidr: privateCidr,
    port,
    tls: z.literal(true, { message: 'managed data stores must use TLS in transit' }),
    /** The provider's backups and the recovery targets (the DR plan). */
    backup: managedBackupSchema,
  })
  .strict();
export const dataStoreSchema = z.discriminatedUnion('mode', [inClusterStore, managedStore]);
export type DataStoreConfig = z.infer<typeof dataStoreSchema>;
export type InClusterStoreConfig = z.infer<typeof inClusterStore>;
export type ManagedStoreConfig = z.infer<typeof managedStore>;

const hstsSchema = z
  .object({
    maxAgeSeconds: z.number().int().min(31536000, 'must be at least 31536000 (one year)'),
    includeSubDomains: z.literal(true, { message: 'must be true (runbook: HSTS with includeSubDomains)' }),
    preload: z.boolean(),
  })
  .strict();

/** TLS versions an edge may accept as its minimum. */
export const TLS_VERSIONS = ['1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** The lowest TLS version the edge accepts, with the reason when it is below 1.3 (checked in `edge-checks.ts`). */
const tlsMinimum = {
  /** CTIS setup guide: "HTTPS with TLS 1.3". @default '1.3' */
  minVersion: z.enum(TLS_VERSIONS).default('1.3'),
  /** Why this environment also accepts TLS 1.2; required with `minVersion: "1.2"`, refused otherwise. */
  minVersionReason: z.string().optional(),
};

const tlsSchema = z.union([
  z.object({ clusterIssuer: dnsLabel, ...tlsMinimum }).strict(),
  z.object({ secretName: dnsLabel, ...tlsMinimum }).strict(),
]);

const controllerSchema = z
  .object({
    namespace: dnsLabel,
    podLabels: z.record(z.string(), z.string()).refine((l) => Object.keys(l).length > 0, 'must name at least one label'),
    /** nginx profile: the controller's ConfigMap (`-nginx-configmaps`) its TLS settings are rendered for. @default 'nginx-config' */
    configMap: dnsLabel.optional(),
  })
  .strict();

/** A header value written into proxy configuration (nginx snippets quote it): no quotes, backslashes, `$` or line breaks. */
const headerValue = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .refine((v) => !/["\\$\r\n]/.test(v), 'must not contain double quotes, backslashes, "$" or line breaks');

/** Browser security headers of one public component; what is not given has a default (`src/config/edge.ts`). */
const securityHeadersSchema = z
  .object({
    contentSecurityPolicy: headerValue.optional(),
    frameOptions: z.enum(FRAME_OPTIONS).optional(),
    referrerPolicy: z.enum(REFERRER_POLICIES).optional(),
    permissionsPolicy: headerValue.optional(),
  })
  .strict();
export type SecurityHeadersConfig = z.infer<typeof securityHeadersSchema>;

/** Gateway API implementations whose minimum-TLS mechanism the gateway-api profile renders. */
export const GATEWAY_IMPLEMENTATIONS = ['nginx-gateway-fabric', 'envoy-gateway'] as const;
export type GatewayImplementation = (typeof GATEWAY_IMPLEMENTATIONS)[number];

export const edgeSchema = z
  .object({
    profile: z.enum(['nginx', 'traefik', 'gateway-api']),
    /** IngressClass (nginx, traefik) or GatewayClass (gateway-api). */
    className: dnsLabel,
    /** Pods of the ingress controller / gateway: the only in-cluster source allowed to reach public components. */
    controller: controllerSchema,
    tls: tlsSchema,
    hsts: hstsSchema,
    /** CIDRs allowed to reach `/admin`, `/ops`, `/hangfire` (Traefik only); empty means those paths are not routed at all. @default [] */
    adminAllowList: z.array(cidr).default([]),
    /** Browser security headers per public component (auth-server, api, frontend). @default - see `src/config/edge.ts` */
    securityHeaders: z.record(z.string(), securityHeadersSchema).default({}),
    /** gateway-api profile: the implementation, which decides how the minimum TLS version is set. @default 'nginx-gateway-fabric' */
    gatewayImplementation: z.enum(GATEWAY_IMPLEMENTATIONS).optional(),
  })
  .strict();
export type EdgeConfig = z.infer<typeof edgeSchema>;

/**
 * How container images must be pinned in an environment. Read by the generator (which renders
 * `repository[:tag]@digest` where a digest is configured), by the admission policies (which deny
 * unpinned images at the API server) and by the validator. Every image is pinned by tag or
 * digest regardless (`latest` is always refused); this says whether a tag alone is enough.
 */
export const imagePolicySchema = z
  .object({
    /** Every container image must carry a `sha256:` digest (a tag may accompany it for readers). */
    requireDigest: z.boolean(),
  })
  .strict();
export type ImagePolicyConfig = z.infer<typeof imagePolicySchema>;

/** What the API server does with a request the admission policies deny (`validationActions`). */
export const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'] as const;
export type ValidationAction = (typeof VALIDATION_ACTIONS)[number];

export const admissionSchema = z
  .object({
    /**
     * `validationActions` of every binding: `Deny` rejects the request, `Warn` returns a warning
     * to the client, `Audit` records the failure in the audit log. Kubernetes refuses `Deny`
     * together with `Warn`.
     */
    validationActions: z
      .array(z.enum(VALIDATION_ACTIONS))
      .min(1, 'must name at least one of Deny, Warn, Audit')
      .refine((a) => new Set(a).size === a.length, 'must not repeat an action')
      .refine((a) => !(a.includes('Deny') && a.includes('Warn')), 'must not combine Deny with Warn (Kubernetes refuses it: a denial is already returned to the client)'),
  })
  .strict();
export type AdmissionConfig = z.infer<typeof admissionSchema>;

const certificateSourceSchema = z.union([
  z.object({ source: z.literal('cert-manager'), issuerKind: z.enum(['Issuer', 'ClusterIssuer']), issuerName: dnsLabel }).strict(),
  z.object({ source: z.literal('external-secret') }).strict(),
]);

const externalServiceSchema = z
  .object({
    name: dnsLabel,
    cidr,
    port,
    /** Components allowed to reach it. */
    from: z.array(z.string()).min(1),
  })
  .strict();
export type ExternalServiceConfig = z.infer<typeof externalServiceSchema>;

export const environmentSchema = z
  .object({
    name: z.enum(ENVIRONMENT_NAMES),
    namespace: dnsLabel,
    aspnetEnvironment: z.enum(['Development', 'Staging', 'Production']),
    /** Public host per public component. */
    hosts: z.record(z.string(), hostname),
    /** Optional explicit issuer; must equal `https://<auth-server host>`. @default - derived from the host */
    issuer: z.string().optional(),
    /** Extra CORS origins beyond the frontend's own https origin. */
    corsExtraOrigins: z.array(z.string()),
    /** Workload settings per application component (auth-server, api, app-server, frontend). */
    workloads: z.record(z.string(), workloadSchema),
    dataStores: z.object({ postgresql: dataStoreSchema, redis: dataStoreSchema }).strict(),
    externalServices: z.array(externalServiceSchema),
    storage: z
      .object({
        /** Class for ReadWriteOnce claims (data stores, single-pod key volume). */
        readWriteOnceClass: dnsLabel,
        /** Class that supports ReadWriteMany (Data Protection keys shared by several pods). */
        readWriteManyClass: dnsLabel,
        dataProtectionSize: storageSize,
      })
      .strict(),
    secretStore: z
      .object({
        kind: z.enum(['ClusterSecretStore', 'SecretStore']),
        name: dnsLabel,
        refreshInterval: duration,
        /** Prefix of every remote key, e.g. `ctis/production`. */
        keyPrefix: z.string().regex(/^[A-Za-z0-9_./-]+$/, 'must be a path-like key prefix'),
      })
      .strict(),
    features: z
      .object({
        /** Auth-server uses Redis; may be off only in development. */
        authServerRedis: z.boolean(),
        hangfireStorage: z.enum(['PostgreSql', 'InMemory']),
        dataProtectionReadOnly: z.boolean(),
        appServerMtls: z.union([
          z.object({ enabled: z.literal(false) }).strict(),
          z.object({ enabled: z.literal(true), port, certificates: certificateSourceSchema }).strict(),
        ]),
      })
      .strict(),
    internalTokens: z
      .object({
        issuer: z.string().min(1),
        audience: z.string().min(1),
      })
      .strict(),
    edge: edgeSchema,
    /** Where the Argo Rollouts controller runs (required when a blue-green component has a pre-promotion analysis). @default - none */
    rollouts: z.object({ controller: controllerSchema }).strict().optional(),
    /** How images must be pinned (see {@link imagePolicySchema}). */
    images: imagePolicySchema,
    /** The ValidatingAdmissionPolicies that enforce the topology at the API server. */
    admission: admissionSchema,
    /** OpenTelemetry export of the application components (operations.ts). */
    telemetry: telemetrySchema,
    /** Prometheus scraping and alerts (operations.ts). */
    monitoring: monitoringSchema,
    /** The bucket/container the components use, when any (operations.ts). @default - none */
    objectStorage: objectStorageSchema.optional(),
    /** Argo CD delivery: repository, how the environment receives changes, sync windows (`delivery.ts`). */
    argocd: argocdSchema,
  })
  .strict();

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
