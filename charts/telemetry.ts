import { StackContext } from './context';

/** Name of the container port Prometheus scrapes (PodMonitors select it by name). */
export const METRICS_PORT_NAME = 'metrics';

/** The exporter endpoint of the environment's collector: in-cluster Service over HTTP, external over TLS. */
export function collectorEndpoint(ctx: StackContext): string | undefined {
  const t = ctx.env.telemetry;
  if (!t.enabled) return undefined;
  const c = t.collector;
  return c.mode === 'in-cluster' ? `http://${c.service}.${c.namespace}.svc.cluster.local:${c.port}` : `https://${c.host}:${c.port}`;
}

/** The version a component reports: its image tag, else its digest. */
export function serviceVersion(ctx: StackContext, id: string): string {
  const image = ctx.workload(id).image;
  return image.tag ?? image.digest!;
}

/**
 * The standard OpenTelemetry SDK variables of an instrumented component: where to export (OTLP
 * endpoint and protocol), who it is (`OTEL_SERVICE_NAME` = component id, resource attributes with
 * the deployment environment, system and version) and how traces are sampled. Metrics are pulled
 * by Prometheus where monitoring is on, else pushed over OTLP. Empty where telemetry is off.
 */
export function telemetrySettings(ctx: StackContext, id: string): Record<string, string> {
  const t = ctx.env.telemetry;
  if (!t.enabled || !ctx.component(id).spec.telemetry) return {};
  const attributes = {
    'deployment.environment.name': ctx.env.name,
    'service.namespace': ctx.topology.partOf,
    'service.version': serviceVersion(ctx, id),
  };
  return {
    OTEL_SERVICE_NAME: id,
    OTEL_RESOURCE_ATTRIBUTES: Object.entries(attributes).map(([k, v]) => `${k}=${v}`).join(','),
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorEndpoint(ctx)!,
    OTEL_EXPORTER_OTLP_PROTOCOL: t.protocol,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: ctx.component(id).metrics ? 'prometheus' : 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(t.traceSampleRatio),
  };
}

/**
 * How a component serves its Prometheus metrics on the metrics port, per runtime: ASP.NET Core
 * maps the OpenTelemetry Prometheus scraping endpoint at `Telemetry__Prometheus__Path`, reachable
 * only on `Telemetry__Prometheus__Port` (Kestrel listens there too); Next.js runs the OpenTelemetry
 * Prometheus exporter's own listener (`OTEL_EXPORTER_PROMETHEUS_HOST`/`_PORT`) at `CTIS_METRICS_PATH`
 * and emits the stable HTTP semantic conventions, so both report `http.server.request.duration`.
 */
export function metricsSettings(ctx: StackContext, id: string): Record<string, string> {
  const c = ctx.component(id);
  if (!c.metrics) return {};
  if (c.spec.runtime === 'nextjs') {
    return {
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(c.metrics.port),
      CTIS_METRICS_PATH: c.metrics.path,
      OTEL_SEMCONV_STABILITY_OPT_IN: 'http',
    };
  }
  return { Telemetry__Prometheus__Path: c.metrics.path, Telemetry__Prometheus__Port: String(c.metrics.port) };
}

/** The metrics container port of a component, where it is scraped. */
export function metricsPorts(ctx: StackContext, id: string): Array<{ name: string; containerPort: number }> {
  const m = ctx.component(id).metrics;
  return m ? [{ name: METRICS_PORT_NAME, containerPort: m.port }] : [];
}
