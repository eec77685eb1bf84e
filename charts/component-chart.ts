import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWorkload, ServicePort } from '../src/constructs/app-workload';
import { k8s } from '../src/constructs/k8s';
import { httpProbes, RunAsUser } from '../src/constructs/pod';
import { StackContext } from './context';
import { objectStorageIdentity, objectStorageSettings } from './object-storage';
import { metricsPorts, metricsSettings, telemetrySettings } from './telemetry';

/**
 * A new App for one chart: charts are synthesised in memory each in an App of its own (cdk8s
 * never writes to the App's output folder here).
 */
export function newApp(): App {
  return new App({ outdir: 'cdk8s.out' });
}

/** A chart rendered into its own file, `dist/<env>/<fileName>.yaml`. */
export abstract class StackChart extends Chart {
  constructor(
    scope: Construct,
    readonly fileName: string,
    readonly ctx: StackContext,
  ) {
    super(scope, fileName, { namespace: ctx.namespace, disableResourceNameHashes: true });
  }
}

export interface DotnetAppOptions {
  /** Component-specific settings, merged over the common ASP.NET settings. */
  readonly settings: Record<string, string>;
  readonly secretEnv?: k8s.EnvVar[];
  readonly volumes?: k8s.Volume[];
  readonly volumeMounts?: k8s.VolumeMount[];
  /** Container ports. @default - one `http` port on the component's port */
  readonly ports?: Array<{ name: string; containerPort: number }>;
  /** Service ports. @default - `http` on the serving port */
  readonly servicePorts?: ServicePort[];
  /** Container port name the probes use. @default 'http' */
  readonly probePort?: string;
}

/**
 * Settings every ASP.NET Core component gets (SPEC §2 rules 7, structured logging, forwarded
 * headers); Kestrel listens on the application port and, where it is scraped, the metrics port.
 */
export function aspnetSettings(ctx: StackContext, port: number, metricsPort?: number): Record<string, string> {
  return {
    ASPNETCORE_ENVIRONMENT: ctx.env.aspnetEnvironment,
    ASPNETCORE_HTTP_PORTS: metricsPort === undefined ? String(port) : `${port};${metricsPort}`,
    ASPNETCORE_FORWARDEDHEADERS_ENABLED: 'true',
    DOTNET_RUNNING_IN_CONTAINER: 'true',
    Logging__Console__FormatterName: 'json',
    SecurityHardening__Enabled: 'true',
    SecurityHeaders__Enabled: 'true',
  };
}

/** CORS allow-list: the frontend's https origin and any configured extra origins. */
export function corsSettings(ctx: StackContext): Record<string, string> {
  const origins = [ctx.publicUrl('frontend'), ...ctx.env.corsExtraOrigins];
  return Object.fromEntries(origins.map((o, i) => [`Cors__AllowedOrigins__${i}`, o]));
}

/** An ASP.NET Core component on the shared workload construct. */
export function dotnetApp(chart: StackChart, id: string, opts: DotnetAppOptions): AppWorkload {
  const ctx = chart.ctx;
  const c = ctx.component(id);
  const health = c.spec.health!;
  const storage = objectStorageIdentity(ctx, id);
  const ports = opts.ports ?? [{ name: 'http', containerPort: c.spec.port }];
  const probePort = opts.probePort ?? 'http';
  const readinessPort = ports.find((p) => p.name === probePort);
  if (!readinessPort) throw new Error(`${id}: the probes use port "${probePort}", which the container does not declare`);
  return new AppWorkload(chart, 'Workload', {
    ...ctx.identity(id),
    workload: ctx.workload(id),
    runAsUser: RunAsUser.DOTNET,
    settings: {
      ...aspnetSettings(ctx, c.spec.port, c.metrics?.port),
      ...telemetrySettings(ctx, id),
      ...metricsSettings(ctx, id),
      ...objectStorageSettings(ctx, id),
      ...opts.settings,
    },
    servicePorts: opts.servicePorts ?? [{ name: 'http', port: c.servingPort, targetPort: 'http' }],
    volumes: opts.volumes,
    serviceAccountAnnotations: storage.serviceAccountAnnotations,
    podLabels: storage.podLabels,
    callsKubernetesApi: c.spec.kubernetesApi !== undefined,
    readiness: { path: health.ready, port: readinessPort },
    container: {
      ports: [...ports, ...metricsPorts(ctx, id)],
      env: [...(opts.secretEnv ?? []), ...storage.env],
      volumeMounts: opts.volumeMounts,
      ...httpProbes(probePort, health.ready, health.live),
    },
  });
}
