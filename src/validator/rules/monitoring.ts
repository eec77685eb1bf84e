import type { V1ContainerPort } from '@kubernetes/client-node';
import { at, isRecord, list, type LoadedObject, num, record, records, str, stringMap, text } from '../../manifests';
import { addTo } from '../../multimap';
import { Selector } from '../../netpol/selector';
import type { PodTemplate, ValidationContext } from '../context';
import { isPromDuration, ParsedPromql, parsePromql, SeriesSelector, selects } from '../promql';
import { KNOWN_METRICS, TARGET_LABELS } from '../promql-metrics';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';

/** A scrape endpoint of a PodMonitor or ServiceMonitor, resolved to container ports of the pods it reaches. */
interface ScrapeTarget {
  readonly monitor: LoadedObject;
  readonly template: PodTemplate;
  readonly port: number;
  readonly path: string;
}

/** Whether a monitor's namespaceSelector covers the environment's namespace (absent: its own). */
function coversNamespace(ctx: ValidationContext, m: LoadedObject): boolean {
  const sel = at(m.object, ['spec', 'namespaceSelector']);
  if (!isRecord(sel)) return ctx.objects.namespaceOf(m) === ctx.namespace;
  if (sel.any === true) return true;
  const names = list(sel.matchNames).filter((n): n is string => typeof n === 'string');
  return names.length === 0 ? ctx.objects.namespaceOf(m) === ctx.namespace : names.includes(ctx.namespace);
}

function containerPorts(t: PodTemplate): V1ContainerPort[] {
  return (t.spec.containers ?? []).flatMap((c) => c.ports ?? []);
}

/** What a monitor scrapes, with a finding for every endpoint port the selected pods do not declare. */
function scrapeTargets(ctx: ValidationContext, m: LoadedObject): { targets: ScrapeTarget[]; findings: RuleFinding[] } {
  const targets: ScrapeTarget[] = [];
  const findings: RuleFinding[] = [];
  if (!coversNamespace(ctx, m)) return { targets, findings };
  const spec = record(m.object.spec);
  if (m.object.kind === 'PodMonitor') {
    const pods = ctx.pods.select(ctx.namespace, spec.selector);
    if (pods.length === 0) findings.push({ message: `PodMonitor ${ctx.objects.nameOf(m)} selects no pod in ${ctx.namespace}`, path: ['spec', 'selector'] });
    for (const { item: ep, index: i } of records(spec.podMetricsEndpoints)) {
      for (const t of pods) {
        const port = containerPorts(t).find((p) => (typeof ep.port === 'string' ? p.name === ep.port : typeof ep.portNumber === 'number' && p.containerPort === ep.portNumber));
        if (!port) {
          findings.push({ message: `PodMonitor ${ctx.objects.nameOf(m)} scrapes port ${text(ep.port ?? ep.portNumber)}, which the pods of ${t.kind} ${t.name} do not declare`, path: ['spec', 'podMetricsEndpoints', i, ep.port !== undefined ? 'port' : 'portNumber'] });
          continue;
        }
        targets.push({ monitor: m, template: t, port: port.containerPort, path: str(ep.path) ?? '/metrics' });
      }
    }
    return { targets, findings };
  }
  // ServiceMonitor: Services it selects by their labels, endpoints by Service port name.
  const services = ctx.objects.ofKind('Service').filter((s) => ctx.objects.namespaceOf(s) === ctx.namespace && matchesLabels(spec.selector, stringMap(s.object.metadata?.labels)));
  if (services.length === 0) findings.push({ message: `ServiceMonitor ${ctx.objects.nameOf(m)} selects no Service in ${ctx.namespace}`, path: ['spec', 'selector'] });
  for (const { item: ep, index: i } of records(spec.endpoints)) {
    for (const svc of services) {
      const sp = records(at(svc.object, ['spec', 'ports'])).find(({ item: p }) => p.name === ep.port)?.item;
      if (!sp) {
        findings.push({ message: `ServiceMonitor ${ctx.objects.nameOf(m)} scrapes port ${text(ep.port)}, which Service ${ctx.objects.nameOf(svc)} does not have`, path: ['spec', 'endpoints', i, 'port'] });
        continue;
      }
      for (const t of ctx.pods.selectByLabels(ctx.namespace, at(svc.object, ['spec', 'selector']))) {
        const tp = sp.targetPort ?? sp.port;
        const port = containerPorts(t).find((p) => (typeof tp === 'number' ? p.containerPort === tp : p.name === tp));
        if (port) targets.push({ monitor: m, template: t, port: port.containerPort, path: str(ep.path) ?? '/metrics' });
        else findings.push({ message: `ServiceMonitor ${ctx.objects.nameOf(m)}: Service port ${text(ep.port)} targets ${text(tp)}, which the pods of ${t.kind} ${t.name} do not declare`, path: ['spec', 'endpoints', i, 'port'] });
      }
    }
  }
  return { targets, findings };
}

/**
 * A monitor's label selector against a label map (for Services, which have no pod-template
 * index); a selector without any requirement selects nothing here.
 */
function matchesLabels(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  if (Object.keys(stringMap(selector.matchLabels)).length === 0 && list(selector.matchExpressions).length === 0) return false;
  return Selector.compile(selector).matches(labels);
}

/** The labels the configured Prometheus selects monitoring objects by, missing on `o`. */
function missingSelectionLabels(ctx: ValidationContext, o: LoadedObject): string[] {
  const m = ctx.env.monitoring;
  if (!m.enabled) return [];
  const labels = stringMap(o.object.metadata?.labels);
  return Object.entries(m.prometheus.resourceLabels).filter(([k, v]) => labels[k] !== v).map(([k, v]) => `${k}=${v}`);
}

/** Setup guide checklist "Monitoring dashboards and alerts configured": monitors reach ports the pods declare. */
export const monitorTargets = defineRule({
  id: 'monitor-targets',
  severity: 'error',
  runbookItem: 'Setup guide checklist "Monitoring dashboards and alerts configured"; issue 17 metrics',
  description:
    'A PodMonitor selects pods of the namespace and scrapes a container port they declare (a ServiceMonitor: a Service port whose target the pods declare), ' +
    'and carries the labels the configured Prometheus selects monitors by (`monitoring.prometheus.resourceLabels`).',
  remediation: 'Point the monitor\'s selector at the component\'s pods and its endpoint at their `metrics` port; add the Prometheus selection labels.',
  scope: { kinds: ['PodMonitor', 'ServiceMonitor'] },
  check(o, ctx) {
    const out = [...scrapeTargets(ctx, o).findings];
    const missing = missingSelectionLabels(ctx, o);
    if (missing.length > 0) out.push({ message: `${o.object.kind} ${ctx.objects.nameOf(o)} lacks ${missing.join(', ')}: the Prometheus of monitoring.prometheus ignores it`, path: ['metadata', 'labels'] });
    return out;
  },
});

/** Every instrumented component is scraped on its configured metrics port and path. */
export const metricsScraped = defineEnvironmentRule({
  id: 'metrics-scraped',
  severity: 'error',
  runbookItem: 'Setup guide "Observability" (metrics); issue 17 metrics',
  description:
    'Where the environment enables monitoring, every instrumented component (auth-server, api, app-server, frontend) is scraped by a PodMonitor or ServiceMonitor ' +
    'on the metrics port and path of its runtime (`monitoring.metrics`).',
  remediation: 'Add a PodMonitor selecting the component\'s pods with an endpoint on their `metrics` port and the configured path.',
  check(ctx) {
    if (!ctx.env.monitoring.enabled) return [];
    const targets = [...ctx.objects.ofKind('PodMonitor'), ...ctx.objects.ofKind('ServiceMonitor')].filter((m) => !ctx.schema.isMalformed(m)).flatMap((m) => scrapeTargets(ctx, m).targets);
    const out: RuleFinding[] = [];
    for (const c of ctx.effective.components) {
      if (!c.inCluster || !c.metrics) continue;
      for (const t of ctx.pods.ofComponent(c.id).filter((x) => x.namespace === ctx.namespace)) {
        const mine = targets.filter((x) => x.template === t);
        if (mine.some((x) => x.port === c.metrics!.port && x.path === c.metrics!.path)) continue;
        const seen = mine.map((x) => `port ${x.port} ${x.path}`).join(', ');
        out.push({
          on: t.owner,
          message: `${c.id} is not scraped on port ${c.metrics.port} ${c.metrics.path}${seen ? ` (monitors scrape ${seen})` : ': no PodMonitor or ServiceMonitor selects its pods'}`,
        });
      }
    }
    return out;
  },
});

/** Parses an expression once per validation (the coverage and the expression rules both read it). */
function parsed(ctx: ValidationContext, expr: string): ParsedPromql {
  const cache = ctx.memo('monitoring:promql', () => new Map<string, ParsedPromql>());
  let p = cache.get(expr);
  if (!p) cache.set(expr, (p = parsePromql(expr)));
  return p;
}

/**
 * The series the namespace's alerts select, indexed by `metric`, label and value of their
 * equality matchers; selectors of a metric whose matchers on a label are not all equalities are
 * kept aside (by metric and label) and tested one by one.
 */
interface AlertIndex {
  /** Selectors by metric, then label, then the value an equality matcher gives it. */
  readonly exact: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, readonly SeriesSelector[]>>>;
  /** Selectors by metric, then a label another matcher tests. */
  readonly other: ReadonlyMap<string, ReadonlyMap<string, readonly SeriesSelector[]>>;
}

/** The map under `key` in a map of maps, added when missing. */
function inner<K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let m = map.get(key);
  if (!m) map.set(key, (m = new Map<K, V>()));
  return m;
}

function alertIndex(ctx: ValidationContext): AlertIndex {
  return ctx.memo('monitoring:alert-index', () => {
    const exact = new Map<string, Map<string, Map<string, SeriesSelector[]>>>();
    const other = new Map<string, Map<string, SeriesSelector[]>>();
    for (const r of ctx.objects.ofKind('PrometheusRule')) {
      if (ctx.schema.isMalformed(r) || ctx.objects.namespaceOf(r) !== ctx.namespace) continue;
      for (const g of list(at(r.object, ['spec', 'groups']))) {
        for (const x of list(isRecord(g) ? g.rules : [])) {
          if (!isRecord(x) || typeof x.alert !== 'string') continue;
          for (const sel of parsed(ctx, x.expr === undefined || x.expr === null ? '' : text(x.expr)).selectors) {
            if (sel.metric === undefined) continue;
            for (const m of sel.matchers) {
              if (m.op === '=') addTo(inner(inner(exact, sel.metric), m.label), m.value, sel);
              else addTo(inner(other, sel.metric), m.label, sel);
            }
          }
        }
      }
    }
    return { exact, other };
  });
}

/** Whether some alert selects `metric` series with `label` = `value` (and passes `also`). */
function watched(index: AlertIndex, metrics: readonly string[], label: string, value: string, also?: (s: SeriesSelector) => boolean): boolean {
  const fits = (s: SeriesSelector) => selects(s, label, value) && (!also || also(s));
  return metrics.some((metric) => index.exact.get(metric)?.get(label)?.get(value)?.some(fits) || index.other.get(metric)?.get(label)?.some(fits) || false);
}

/** PrometheusRule expressions Prometheus would load, over metrics that exist. */
export const alertExpressions = defineRule({
  id: 'alert-expressions',
  severity: 'error',
  runbookItem: 'Setup guide checklist "Monitoring dashboards and alerts configured"; issue 17 alerts',
  description:
    'Every rule of a PrometheusRule has a PromQL expression that parses (Prometheus\'s own grammar) and is well-formed (range vectors only inside functions over ranges, ' +
    'those functions given range vectors), a valid `for` duration, unique group names; alerts carry a `severity` label and a `summary` annotation; ' +
    'selectors name known metrics (kube-state-metrics, kubelet, cert-manager, the components\' HTTP metrics) with labels those series carry (warnings).',
  remediation: 'Fix the expression at the reported offset; check metric and label names against kube-state-metrics, kubelet and cert-manager documentation.',
  scope: { kinds: ['PrometheusRule'] },
  check(o, ctx) {
    const out: RuleFinding[] = [];
    const groupNames = new Set<string>();
    for (const { item: g, index: gi } of records(at(o.object, ['spec', 'groups']))) {
      const gPath = ['spec', 'groups', gi];
      if (typeof g.name === 'string') {
        if (groupNames.has(g.name)) out.push({ message: `group name "${g.name}" is used twice (Prometheus refuses the file)`, path: [...gPath, 'name'] });
        groupNames.add(g.name);
      }
      for (const { item: r, index: ri } of records(g.rules)) {
        const path = [...gPath, 'rules', ri];
        const name = text(r.alert ?? r.record ?? `rule ${ri + 1}`);
        const expr = parsed(ctx, r.expr === undefined || r.expr === null ? '' : text(r.expr));
        for (const p of expr.problems) out.push({ message: `${name}: expr ${p.message}`, path: [...path, 'expr'] });
        if (r.for !== undefined && !(typeof r.for === 'string' && isPromDuration(r.for))) out.push({ message: `${name}: for "${text(r.for)}" is not a duration such as 5m`, path: [...path, 'for'] });
        if (typeof r.alert === 'string') {
          if (!stringMap(r.labels).severity) out.push({ message: `${name} has no severity label: routing cannot tell a page from a ticket`, path, severity: 'warning' });
          if (!stringMap(r.annotations).summary) out.push({ message: `${name} has no summary annotation`, path, severity: 'warning' });
        }
        for (const s of expr.selectors) {
          const known = s.metric !== undefined ? KNOWN_METRICS[s.metric] : undefined;
          if (!known) {
            out.push({ message: `${name}: metric ${s.metric ?? '(unnamed selector)'} is not one kube-state-metrics, the kubelet, cert-manager or the components expose`, path: [...path, 'expr'], severity: 'warning' });
            continue;
          }
          for (const m of s.matchers) {
            if (!known.labels.includes(m.label) && !TARGET_LABELS.includes(m.label)) {
              out.push({ message: `${name}: ${s.metric} has no label ${m.label} (${known.source}: ${known.labels.join(', ')})`, path: [...path, 'expr'], severity: 'warning' });
            }
          }
        }
      }
    }
    const missing = missingSelectionLabels(ctx, o);
    if (missing.length > 0) out.push({ message: `PrometheusRule ${ctx.objects.nameOf(o)} lacks ${missing.join(', ')}: the Prometheus of monitoring.prometheus ignores it`, path: ['metadata', 'labels'] });
    return out;
  },
});

/** Something the on-call alerts must watch: series of `metrics` with `label` = `value`, about `on`. */
interface Watch {
  readonly on: LoadedObject;
  readonly what: string;
  readonly metrics: readonly string[];
  readonly label: string;
  readonly value: string;
  readonly also?: (s: SeriesSelector) => boolean;
}

/** Availability of a component's workload, in the series that report it for its kind. */
function noReadyPodWatch(on: LoadedObject, id: string, kind: string, name: string): Watch {
  const what = `${id} having no ready pod`;
  if (kind === 'Deployment') return { on, what, metrics: ['kube_deployment_status_replicas_available', 'kube_deployment_status_replicas_ready'], label: 'deployment', value: name };
  // kube-state-metrics has no Rollouts: the Argo Rollouts controller reports their availability.
  if (kind === 'Rollout') return { on, what, metrics: ['rollout_info_replicas_available'], label: 'name', value: name };
  return { on, what, metrics: ['kube_statefulset_status_replicas_ready', 'kube_statefulset_status_replicas_available'], label: 'statefulset', value: name };
}

/** What the on-call alerts must watch, each with the object it is about. */
function requiredWatches(ctx: ValidationContext): Watch[] {
  const out: Watch[] = [];
  const inNs = (kind: string) => ctx.objects.ofKind(kind).filter((x) => ctx.objects.namespaceOf(x) === ctx.namespace && !ctx.schema.isMalformed(x));
  for (const c of ctx.effective.components) {
    if (!c.inCluster) continue;
    for (const t of ctx.pods.ofComponent(c.id).filter((x) => x.namespace === ctx.namespace)) {
      const on = t.owner;
      out.push(noReadyPodWatch(on, c.id, t.kind, t.name));
      out.push({ on, what: `${c.id} restarting`, metrics: ['kube_pod_container_status_restarts_total'], label: 'container', value: String(ctx.pods.mainContainer(t)?.container.name ?? c.id) });
      if (c.metrics) {
        out.push({
          on,
          what: `${c.id}'s error rate`,
          metrics: ['http_server_request_duration_seconds_count'],
          label: 'job',
          value: c.id,
          also: (s) => s.matchers.some((m) => m.label === 'http_response_status_code'),
        });
      }
    }
  }
  for (const h of inNs('HorizontalPodAutoscaler')) {
    out.push({ on: h, what: `HPA ${ctx.objects.nameOf(h)} at its maximum`, metrics: ['kube_horizontalpodautoscaler_spec_max_replicas'], label: 'horizontalpodautoscaler', value: ctx.objects.nameOf(h) });
  }
  const claims: Array<{ on: LoadedObject; name: string }> = inNs('PersistentVolumeClaim').map((x) => ({ on: x, name: ctx.objects.nameOf(x) }));
  for (const sts of inNs('StatefulSet')) {
    const replicas = num(at(sts.object, ['spec', 'replicas'])) ?? 1;
    for (const tpl of list(at(sts.object, ['spec', 'volumeClaimTemplates']))) {
      const n = str(at(tpl, ['metadata', 'name']));
      for (let i = 0; n && i < replicas; i++) claims.push({ on: sts, name: `${n}-${ctx.objects.nameOf(sts)}-${i}` });
    }
  }
  for (const cl of claims) {
    out.push({ on: cl.on, what: `claim ${cl.name} filling up`, metrics: ['kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_used_bytes'], label: 'persistentvolumeclaim', value: cl.name });
  }
  for (const cert of inNs('Certificate')) {
    out.push({ on: cert, what: `certificate ${ctx.objects.nameOf(cert)} expiring`, metrics: ['certmanager_certificate_expiration_timestamp_seconds'], label: 'name', value: ctx.objects.nameOf(cert) });
  }
  for (const job of inNs('CronJob')) {
    if (!ctx.components.task(ctx.pods.of(job)?.component)) continue;
    const name = ctx.objects.nameOf(job);
    out.push({ on: job, what: `${name} not succeeding`, metrics: ['kube_cronjob_status_last_successful_time'], label: 'cronjob', value: name });
    // kube-state-metrics has no last success before the first one: a task that never succeeds is seen only by its age.
    out.push({ on: job, what: `${name} never having succeeded`, metrics: ['kube_cronjob_created'], label: 'cronjob', value: name });
  }
  return out;
}

/** The alerts an on-call engineer needs exist for every component, claim, certificate and scheduled task. */
export const alertsCoverStack = defineEnvironmentRule({
  id: 'alerts-cover-stack',
  severity: 'error',
  runbookItem: 'Setup guide checklist "Monitoring dashboards and alerts configured"; issue 17 alerts',
  description:
    'Where the environment enables monitoring, the namespace\'s PrometheusRules alert on: each component with no ready pods, restarting, and (instrumented ones) its HTTP error rate; ' +
    'each HPA at its maximum; each claim (Data Protection keys, data store volumes, backups) filling up; each Certificate (AppServer mTLS) expiring; each scheduled task not succeeding ' +
    '(`kube_cronjob_status_last_successful_time`) and never having succeeded: kube-state-metrics writes no last success before the first, so that case needs the CronJob\'s age (`kube_cronjob_created`).',
  remediation: 'Add an alert whose expression selects the series named in the message (the generated PrometheusRule ctis-alerts has one of each kind).',
  check(ctx) {
    if (!ctx.env.monitoring.enabled) return [];
    const index = alertIndex(ctx);
    return requiredWatches(ctx)
      .filter((w) => !watched(index, w.metrics, w.label, w.value, w.also))
      .map((w) => ({ on: w.on, message: `no alert watches ${w.what} (an expression selecting ${w.metrics[0]}{${w.label}="${w.value}"})` }));
  },
});
