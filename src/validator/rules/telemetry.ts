import type { PodTemplate, Setting, ValidationContext } from '../context';
import { WORKLOAD_KINDS } from '../context';
import { isRecord, str, stringMap } from '../k8s/util';
import { defineRule, RuleFinding } from '../rule';

/** The tag of an image reference, else its digest (what a component reports as `service.version`). */
export function imageVersion(image: string): string | undefined {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  return at >= 0 ? image.slice(at + 1) : undefined;
}

/** `OTEL_RESOURCE_ATTRIBUTES` as key/value pairs (W3C baggage-like, values percent-encoded). */
function resourceAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep as written
    }
    out.set(pair.slice(0, eq).trim(), value);
  }
  return out;
}

/** Whether an OTLP endpoint URL points at the configured collector. */
function pointsAtCollector(url: string, ctx: ValidationContext): boolean {
  const t = ctx.env.telemetry;
  if (!t.enabled) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const c = t.collector;
  if (c.mode === 'external') return u.protocol === 'https:' && u.hostname === c.host && Number(u.port || 443) === c.port;
  const hosts = [`${c.service}.${c.namespace}`, `${c.service}.${c.namespace}.svc`, `${c.service}.${c.namespace}.svc.cluster.local`];
  return (u.protocol === 'http:' || u.protocol === 'https:') && hosts.includes(u.hostname) && Number(u.port || (u.protocol === 'https:' ? 443 : 80)) === c.port;
}

function expectedEndpoint(ctx: ValidationContext): string {
  const t = ctx.env.telemetry;
  if (!t.enabled) return '';
  const c = t.collector;
  return c.mode === 'external' ? `https://${c.host}:${c.port}` : `http://${c.service}.${c.namespace}.svc.cluster.local:${c.port}`;
}

/** The main container's settings and where to report a missing one. */
function settingsOf(ctx: ValidationContext, t: PodTemplate) {
  const main = ctx.mainContainer(t)!;
  return { settings: ctx.mainSettings(t), image: str(main.container.image) ?? '', base: [...t.path, 'spec', 'containers', main.index] };
}

function at(s: Setting): (string | number)[] {
  return [...s.path];
}

/** Setup guide "Observability": every application component exports OpenTelemetry signals to the declared collector. */
export const telemetrySettings = defineRule({
  id: 'telemetry-settings',
  severity: 'error',
  runbookItem: 'Setup guide "Observability" (traces, metrics, logs); issue 17 telemetry',
  description:
    'Where the environment enables telemetry, the main container of every instrumented component (auth-server, api, app-server, frontend) sets the standard ' +
    'OpenTelemetry variables: `OTEL_SERVICE_NAME` = its component id, `OTEL_EXPORTER_OTLP_ENDPOINT` at the collector of `telemetry.collector`, ' +
    '`OTEL_EXPORTER_OTLP_PROTOCOL` as configured, and `OTEL_RESOURCE_ATTRIBUTES` with `deployment.environment.name` = the environment and `service.version` = its image tag (or digest).',
  remediation: 'Set the OTEL_* variables named in the message in the component\'s settings ConfigMap or env (see README "Telemetry").',
  scope: { kinds: WORKLOAD_KINDS },
  check(o, ctx) {
    const t = o ? ctx.templateOf(o) : undefined;
    const c = ctx.component(t?.component);
    const tel = ctx.env.telemetry;
    if (!t || !c?.telemetry || !tel.enabled || !ctx.mainContainer(t)) return [];
    const { settings, image, base } = settingsOf(ctx, t);
    const out: RuleFinding[] = [];
    const need = (name: string, ok: (v: string) => boolean, want: string) => {
      const s = settings.get(name);
      if (!s || s.value === undefined) {
        if (!s) out.push({ message: `${c.id} does not set ${name} (expected ${want})`, path: base });
        return undefined;
      }
      if (!ok(s.value)) out.push({ message: `${c.id} sets ${name}=${s.value}; expected ${want}`, path: at(s) });
      return s.value;
    };
    need('OTEL_SERVICE_NAME', (v) => v === c.id, c.id);
    need('OTEL_EXPORTER_OTLP_ENDPOINT', (v) => pointsAtCollector(v, ctx), `${expectedEndpoint(ctx)} (the collector of telemetry.collector)`);
    need('OTEL_EXPORTER_OTLP_PROTOCOL', (v) => v === tel.protocol, tel.protocol);
    const attrs = settings.get('OTEL_RESOURCE_ATTRIBUTES');
    if (!attrs) {
      out.push({ message: `${c.id} does not set OTEL_RESOURCE_ATTRIBUTES (expected deployment.environment.name=${ctx.env.name} and service.version)`, path: base });
    } else if (attrs.value !== undefined) {
      const a = resourceAttributes(attrs.value);
      const env = a.get('deployment.environment.name') ?? a.get('deployment.environment');
      if (env !== ctx.env.name) out.push({ message: `${c.id} reports deployment.environment.name=${env ?? '(none)'} in OTEL_RESOURCE_ATTRIBUTES; expected ${ctx.env.name}`, path: at(attrs) });
      const version = imageVersion(image);
      const reported = a.get('service.version');
      if (reported === undefined) out.push({ message: `${c.id} reports no service.version in OTEL_RESOURCE_ATTRIBUTES (expected ${version ?? 'its image version'})`, path: at(attrs) });
      else if (version !== undefined && reported !== version) {
        out.push({ message: `${c.id} reports service.version=${reported} but runs image version ${version}`, path: at(attrs) });
      }
    }
    return out;
  },
});

/** Setup guide "Storage": the bucket is reached privately, by the declared consumers only, with managed credentials. */
export const objectStorageSettings = defineRule({
  id: 'object-storage-settings',
  severity: 'error',
  runbookItem: 'Setup guide "Storage" (Blob/S3 bucket with private access by default); issue 17 object storage',
  description:
    'The components of `objectStorage.from` are configured with the declared endpoint over https (`ObjectStorage__Endpoint`) and bucket (`ObjectStorage__Bucket`) and ' +
    'get their credentials from a Secret key (`ConnectionStrings__ObjectStorage`) or from the configured workload identity (ServiceAccount annotations and pod labels); ' +
    'no other component is configured for object storage.',
  remediation: 'Render the object storage settings and credentials only for the components in objectStorage.from, with the endpoint and bucket of config/<env>.yaml.',
  scope: { kinds: WORKLOAD_KINDS },
  check(o, ctx) {
    const t = o ? ctx.templateOf(o) : undefined;
    const c = ctx.component(t?.component);
    if (!t || !c || c.dataStore || !ctx.mainContainer(t)) return [];
    const { settings, base } = settingsOf(ctx, t);
    const cfg = ctx.env.objectStorage;
    const endpoint = settings.get('ObjectStorage__Endpoint');
    const out: RuleFinding[] = [];
    if (!cfg || !cfg.from.includes(c.id)) {
      if (endpoint) out.push({ message: `${c.id} is configured for object storage but is not among objectStorage.from: it has no egress to the bucket`, path: at(endpoint) });
      return out;
    }
    const want = `https://${cfg.host}${cfg.port === 443 ? '' : `:${cfg.port}`}`;
    if (!endpoint) out.push({ message: `${c.id} does not set ObjectStorage__Endpoint (expected ${want})`, path: base });
    else if (endpoint.value !== undefined) {
      let ok = false;
      try {
        const u = new URL(endpoint.value);
        ok = u.protocol === 'https:' && u.hostname === cfg.host && Number(u.port || 443) === cfg.port;
      } catch {
        ok = false;
      }
      if (!ok) out.push({ message: `${c.id} sets ObjectStorage__Endpoint=${endpoint.value}; expected ${want} (the declared private endpoint, over TLS)`, path: at(endpoint) });
    }
    const bucket = settings.get('ObjectStorage__Bucket');
    if (!bucket) out.push({ message: `${c.id} does not set ObjectStorage__Bucket (expected ${cfg.bucket})`, path: base });
    else if (bucket.value !== undefined && bucket.value !== cfg.bucket) out.push({ message: `${c.id} sets ObjectStorage__Bucket=${bucket.value}; expected ${cfg.bucket}`, path: at(bucket) });

    const creds = cfg.credentials;
    if (creds.source === 'external-secret') {
      const s = settings.get('ConnectionStrings__ObjectStorage');
      if (!s || s.source.kind !== 'secret') {
        out.push({ message: `${c.id} does not read ConnectionStrings__ObjectStorage from a Secret (objectStorage.credentials.source external-secret)`, path: s ? at(s) : base });
      }
      return out;
    }
    const saName = str(t.spec.serviceAccountName) ?? 'default';
    const sa = ctx.get('ServiceAccount', t.namespace, saName);
    const annotations = stringMap(isRecord(sa?.object.metadata) ? sa!.object.metadata!.annotations : undefined);
    for (const [k, v] of Object.entries(creds.serviceAccountAnnotations)) {
      if (annotations[k] !== v) {
        out.push({ message: `ServiceAccount ${saName} of ${c.id} lacks the workload identity annotation ${k}=${v}`, path: [...t.path, 'spec', 'serviceAccountName'] });
      }
    }
    for (const [k, v] of Object.entries(creds.podLabels)) {
      if (t.labels[k] !== v) out.push({ message: `pods of ${c.id} lack the workload identity label ${k}=${v}`, path: [...t.path, 'metadata', 'labels'] });
    }
    return out;
  },
});
