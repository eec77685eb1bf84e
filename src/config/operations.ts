import * as z from 'zod';
import { cidr, dnsLabel, hostname, port, storageSize } from './primitives';

/**
 * The operations sections of an environment's configuration: telemetry (OpenTelemetry export to a
 * collector), monitoring (Prometheus scraping and alerts), database backups and the disaster
 * recovery targets, and object storage. Runbook checks for them are in `operations-checks.ts`.
 */

const labels = z
  .record(z.string(), z.string())
  .refine((l) => Object.keys(l).length > 0, 'must name at least one label');

/** A nightly schedule: one run a day at a fixed minute and hour (UTC unless the cluster's CronJob time zone says otherwise). */
export const nightlySchedule = z
  .string()
  .regex(/^([0-5]?\d) ([01]?\d|2[0-3]) \* \* \*$/, 'must run once a day: "<minute> <hour> * * *", e.g. "15 2 * * *"');

// ---------------------------------------------------------------- telemetry

const inClusterCollector = z
  .object({
    mode: z.literal('in-cluster'),
    /** Namespace of the collector's pods and Service. */
    namespace: dnsLabel,
    /** Name of the collector's Service: the exporter endpoint is `http://<service>.<namespace>.svc.cluster.local:<port>`. */
    service: dnsLabel,
    /** Labels of the collector's pods: the only pods the components may send telemetry to. */
    podLabels: labels,
    /** OTLP port the collector's pods listen on (4317 gRPC, 4318 HTTP by convention), which its Service exposes too. */
    port,
  })
  .strict();
const externalCollector = z
  .object({
    mode: z.literal('external'),
    /** Host name of the OTLP endpoint (reached over TLS: `https://<host>:<port>`). */
    host: hostname,
    /** Address range the host resolves to: the only egress the components get for telemetry. */
    cidr,
    port,
  })
  .strict();
export const collectorSchema = z.discriminatedUnion('mode', [inClusterCollector, externalCollector]);
export type CollectorConfig = z.infer<typeof collectorSchema>;
export type InClusterCollectorConfig = z.infer<typeof inClusterCollector>;

export const telemetrySchema = z.union([
  z.object({ enabled: z.literal(false) }).strict(),
  z
    .object({
      enabled: z.literal(true),
      /** `OTEL_EXPORTER_OTLP_PROTOCOL`. */
      protocol: z.enum(['grpc', 'http/protobuf']),
      collector: collectorSchema,
      /** Share of traces sampled at the root (`parentbased_traceidratio`). */
      traceSampleRatio: z.number().min(0).max(1),
    })
    .strict(),
]);
export type TelemetryConfig = z.infer<typeof telemetrySchema>;

// ---------------------------------------------------------------- monitoring

const metricsEndpoint = z
  .object({
    /** Container port (named `metrics`) the runtime serves Prometheus metrics on; never the application port. */
    port,
    path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be an absolute URL path such as /metrics'),
  })
  .strict();

/** Where each runtime serves its Prometheus metrics: the OpenTelemetry Prometheus exporter's defaults. */
export const METRICS_DEFAULTS = {
  dotnet: { port: 9464, path: '/metrics' },
  nextjs: { port: 9464, path: '/metrics' },
} as const;

export const alertThresholdsSchema = z
  .object({
    /** Share of HTTP responses with a 5xx status, in percent over 10 minutes, above which a component alerts. */
    errorRatePercent: z.number().min(0.1).max(100),
    /** Container restarts within an hour above which a component alerts. */
    restartsPerHour: z.number().int().min(1).max(100),
    /** Free space of a claim, in percent, below which it alerts (critical below a fifth of it). */
    volumeFreePercent: z.number().min(1).max(50),
  })
  .strict();
export type AlertThresholds = z.infer<typeof alertThresholdsSchema>;

export const monitoringSchema = z.union([
  z.object({ enabled: z.literal(false) }).strict(),
  z
    .object({
      enabled: z.literal(true),
      prometheus: z
        .object({
          /** Namespace of the Prometheus pods that scrape the components. */
          namespace: dnsLabel,
          /** Labels of those pods: the only pods allowed to reach the metrics ports. */
          podLabels: labels,
          /** Labels the Prometheus selects PodMonitors and PrometheusRules by (e.g. `release: kube-prometheus-stack`). */
          resourceLabels: z.record(z.string(), z.string()),
        })
        .strict(),
      scrapeInterval: z.string().regex(/^\d+(s|m)$/, 'must be a duration such as 30s or 1m'),
      metrics: z
        .object({ dotnet: metricsEndpoint, nextjs: metricsEndpoint })
        .strict()
        .default(METRICS_DEFAULTS),
      alerts: alertThresholdsSchema,
    })
    .strict(),
]);
export type MonitoringConfig = z.infer<typeof monitoringSchema>;
export type EnabledMonitoring = Extract<MonitoringConfig, { enabled: true }>;

// ---------------------------------------------------------------- backups and disaster recovery

/** Recovery targets of a data store, in minutes (the DR plan's table). */
const recoveryTargets = {
  /** Recovery point objective: the most data (in minutes of writes) a restore may lose. */
  rpoMinutes: z.number().int().min(0),
  /** Recovery time objective: the longest a restore may take, in minutes. */
  rtoMinutes: z.number().int().min(1),
};

/** Backups of an in-cluster PostgreSQL: a nightly dump to a retained claim and a restore check. */
export const inClusterBackupSchema = z
  .object({
    schedule: nightlySchedule,
    /** Nightly dumps kept on the claim (older ones are deleted after each successful dump). */
    retentionDays: z.number().int().min(1).max(90),
    /** Size of the retained backup claim. */
    storage: storageSize,
    /** When the latest dump is restored into a scratch database and checked, every night after the backup. */
    restoreCheckSchedule: nightlySchedule,
    /** The latest dump may be at most this old when the restore check runs; alerts fire when either job has not succeeded for as long. */
    maxAgeHours: z.number().int().min(1).max(24 * 8),
    rtoMinutes: recoveryTargets.rtoMinutes,
  })
  .strict();
export type InClusterBackupConfig = z.infer<typeof inClusterBackupSchema>;

/** What the provider of a managed data store keeps: recorded for the DR plan, checked in production. */
export const managedBackupSchema = z
  .object({
    /** Days of automated backups the provider keeps. */
    retentionDays: z.number().int().min(0).max(3650),
    /** Whether the provider restores to any point in time within the retention. */
    pointInTimeRestore: z.boolean(),
    ...recoveryTargets,
  })
  .strict();
export type ManagedBackupConfig = z.infer<typeof managedBackupSchema>;

/**
 * The least production accepts from a managed data store's provider (setup guide: "nightly DB
 * backups, PITR", "DR plan with RTO/RPO targets"). Redis holds cache and distributed state that
 * the applications rebuild, so it needs no point-in-time restore.
 */
export const PRODUCTION_DR_MINIMUMS = {
  postgresql: { retentionDays: 7, pointInTimeRestore: true, rpoMinutes: 15, rtoMinutes: 240 },
  redis: { retentionDays: 1, pointInTimeRestore: false, rpoMinutes: 60, rtoMinutes: 240 },
} as const;

// ---------------------------------------------------------------- object storage

const objectStorageCredentials = z.union([
  /** A Secret `ctis-object-storage` (key `connection-string`) from the secret store. */
  z.object({ source: z.literal('external-secret') }).strict(),
  /**
   * The cloud's workload identity: annotations on the components' ServiceAccounts (and labels on
   * their pods) that the provider's webhook reads, e.g. `azure.workload.identity/client-id` with
   * the pod label `azure.workload.identity/use: "true"`, or `eks.amazonaws.com/role-arn`.
   */
  z
    .object({
      source: z.literal('workload-identity'),
      serviceAccountAnnotations: labels,
      podLabels: z.record(z.string(), z.string()),
    })
    .strict(),
]);

export const objectStorageSchema = z
  .object({
    /** Host of the bucket/container endpoint (a private endpoint in production), reached over TLS. */
    host: hostname,
    /** Address range the host resolves to: the only egress the consumers get. */
    cidr,
    port,
    /** Bucket or container name. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket/container name: 3-63 lower-case letters, digits, "." or "-"'),
    /** Application components that read or write it. */
    from: z.array(z.string()).min(1),
    credentials: objectStorageCredentials,
  })
  .strict();
export type ObjectStorageConfig = z.infer<typeof objectStorageSchema>;
