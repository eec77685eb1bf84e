import type { EnabledMonitoring } from '../src/config/operations';
import { BACKUP_CLAIM } from './backups';
import { CERTIFICATE_RENEW_BEFORE_HOURS, certificateNames } from './platform';
import { StackContext } from './context';
import { blueGreenOf } from '../src/config/strategy';
import type { EffectiveComponent } from '../src/topology/effective';

/**
 * The alerts a CTIS on-call engineer needs, as PromQL over metrics the cluster already has:
 * kube-state-metrics (`kube_*`), the kubelet (`kubelet_volume_stats_*`), cert-manager
 * (`certmanager_*`), the Argo Rollouts controller (`rollout_info_*`, for blue-green components) and
 * the components' own OpenTelemetry HTTP metrics
 * (`http_server_request_duration_seconds`, scraped with `job` = component id).
 */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  /** Component, task or claim the alert is about (label `component` or `claim`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** A label matcher: a value to equal, or a regular expression to match. */
export type Matcher = string | { readonly regex: string };

/** An instant-vector selector: `metric{k="v", k=~"re", ...}`. */
export function selector(metric: string, matchers: Record<string, Matcher>): string {
  const quoted = Object.entries(matchers).map(([k, v]) => (typeof v === 'string' ? `${k}=${JSON.stringify(v)}` : `${k}=~${JSON.stringify(v.regex)}`));
  return `${metric}{${quoted.join(', ')}}`;
}

/**
 * The ready pods of a component's workload: kube-state-metrics for StatefulSets and Deployments; for
 * a blue-green Rollout (which kube-state-metrics does not know) the Argo Rollouts controller's
 * `rollout_info_replicas_available`.
 */
function noReadyPods(ctx: StackContext, c: EffectiveComponent): string {
  const ns = ctx.namespace;
  if (c.spec.dataStore !== undefined) return selector('kube_statefulset_status_replicas_ready', { namespace: ns, statefulset: c.id });
  const w = ctx.env.workloads[c.id];
  if (w && blueGreenOf(w)) return selector('rollout_info_replicas_available', { namespace: ns, name: c.id });
  return selector('kube_deployment_status_replicas_available', { namespace: ns, deployment: c.id });
}

function availability(ctx: StackContext, m: EnabledMonitoring): AlertRule[] {
  const ns = ctx.namespace;
  const out: AlertRule[] = [];
  for (const c of ctx.effective.components) {
    if (!c.inCluster) continue;
    const id = c.id;
    out.push({
      alert: 'CtisComponentNoReadyPods',
      expr: `${noReadyPods(ctx, c)} == 0`,
      for: '5m',
      severity: 'critical',
      labels: { component: id },
      summary: `${id} has no ready pod in ${ns}`,
      description: `Every request to ${id} fails. Check \`kubectl -n ${ns} get pods -l app.kubernetes.io/name=${id}\` and the pods' events.`,
    });
    out.push({
      alert: 'CtisComponentRestarting',
      expr: `sum by (namespace, pod) (increase(${selector('kube_pod_container_status_restarts_total', { namespace: ns, container: id })}[1h])) > ${m.alerts.restartsPerHour}`,
      for: '0m',
      severity: 'warning',
      labels: { component: id },
      summary: `a pod of ${id} restarted more than ${m.alerts.restartsPerHour} times within an hour`,
      description: 'Pod {{ $labels.pod }} keeps restarting: read its previous logs (`kubectl logs --previous`) and its probes\' failures.',
    });
    if (c.metrics) {
      const requests = (extra: Record<string, Matcher>) =>
        `sum by (namespace, job) (rate(${selector('http_server_request_duration_seconds_count', { namespace: ns, job: id, ...extra })}[5m]))`;
      out.push({
        alert: 'CtisComponentErrorRate',
        expr: `${requests({ http_response_status_code: { regex: '5..' } })} / ${requests({})} * 100 > ${m.alerts.errorRatePercent}`,
        for: '10m',
        severity: 'warning',
        labels: { component: id },
        summary: `more than ${m.alerts.errorRatePercent}% of ${id}'s responses are server errors`,
        description: `${id} answers {{ $value | humanize }}% of requests with a 5xx status: check its logs and traces, and what it depends on.`,
      });
    }
    const scaling = ctx.env.workloads[id]?.scaling;
    if (scaling && 'maxReplicas' in scaling) {
      const hpa = { namespace: ns, horizontalpodautoscaler: id };
      out.push({
        alert: 'CtisAutoscalerAtMaximum',
        expr: `${selector('kube_horizontalpodautoscaler_status_current_replicas', hpa)} >= ${selector('kube_horizontalpodautoscaler_spec_max_replicas', hpa)}`,
        for: '15m',
        severity: 'warning',
        labels: { component: id },
        summary: `${id} runs at its autoscaler's maximum of ${scaling.maxReplicas} pods`,
        description: `${id} cannot scale further: latency will grow with load. Raise workloads.${id}.scaling.maxReplicas or find what drives the load.`,
      });
    }
  }
  return out;
}

/**
 * Claims whose filling-up stops the stack: Data Protection keys, the data stores' volumes, the
 * backups. The kubelet reports a claim's usage only while a running pod mounts it: the backup claim
 * is mounted by the nightly jobs alone, for minutes, so its last reading of the past `sinceHours`
 * is what the alert reads.
 */
function claims(ctx: StackContext): Array<{ claim: string; what: string; sinceHours?: number }> {
  const out: Array<{ claim: string; what: string; sinceHours?: number }> = [{ claim: 'auth-server-data-protection', what: 'the Data Protection keys of auth-server' }];
  for (const c of ctx.effective.components) {
    if (c.spec.dataStore && c.inCluster) out.push({ claim: `data-${c.id}-0`, what: `the ${c.id} data volume` });
  }
  const pg = ctx.env.dataStores.postgresql;
  if (ctx.effective.tasks.some((t) => t.spec.kind === 'backup') && pg.mode === 'in-cluster' && pg.backup) {
    out.push({ claim: BACKUP_CLAIM, what: 'the PostgreSQL backups', sinceHours: pg.backup.maxAgeHours });
  }
  return out;
}

function storage(ctx: StackContext, m: EnabledMonitoring): AlertRule[] {
  const ns = ctx.namespace;
  const levels = [
    { alert: 'CtisVolumeFillingUp', percent: m.alerts.volumeFreePercent, severity: 'warning' as const },
    { alert: 'CtisVolumeFull', percent: m.alerts.volumeFreePercent / 5, severity: 'critical' as const },
  ];
  return claims(ctx).flatMap(({ claim, what, sinceHours }) =>
    levels.map((l) => {
      const pvc = { namespace: ns, persistentvolumeclaim: claim };
      const reading = (metric: string) => (sinceHours === undefined ? selector(metric, pvc) : `last_over_time(${selector(metric, pvc)}[${sinceHours}h])`);
      return {
        alert: l.alert,
        expr: `${reading('kubelet_volume_stats_available_bytes')} / ${reading('kubelet_volume_stats_capacity_bytes')} * 100 < ${l.percent}`,
        for: '10m',
        severity: l.severity,
        labels: { claim },
        summary: `claim ${claim} has less than ${l.percent}% free`,
        description: `${what} (claim ${claim}) is {{ $value | humanize }}% free: expand the claim or remove what fills it.`,
      };
    }),
  );
}

function certificates(ctx: StackContext): AlertRule[] {
  const ns = ctx.namespace;
  const overdue = CERTIFICATE_RENEW_BEFORE_HOURS - 24;
  return certificateNames(ctx).flatMap((name) => {
    const cert = { namespace: ns, name };
    return [
      {
        alert: 'CtisCertificateRenewalOverdue',
        expr: `${selector('certmanager_certificate_expiration_timestamp_seconds', cert)} - time() < ${overdue * 3600}`,
        for: '1h',
        severity: 'warning' as const,
        labels: { certificate: name },
        summary: `certificate ${name} was not renewed: it expires within ${overdue / 24} days`,
        description: `cert-manager renews ${name} ${CERTIFICATE_RENEW_BEFORE_HOURS / 24} days before expiry; see \`kubectl -n ${ns} describe certificate ${name}\`. AppServer mTLS stops when it expires.`,
      },
      {
        alert: 'CtisCertificateNotReady',
        expr: `${selector('certmanager_certificate_ready_status', { ...cert, condition: 'False' })} == 1`,
        for: '15m',
        severity: 'warning' as const,
        labels: { certificate: name },
        summary: `certificate ${name} is not ready`,
        description: `cert-manager cannot issue ${name}; see \`kubectl -n ${ns} describe certificate ${name}\`.`,
      },
    ];
  });
}

function backups(ctx: StackContext): AlertRule[] {
  const store = ctx.env.dataStores.postgresql;
  if (store.mode !== 'in-cluster' || !store.backup) return [];
  const hours = store.backup.maxAgeHours;
  return ctx.effective.tasks.map((t) => {
    const job = { namespace: ctx.namespace, cronjob: t.id };
    const lastSuccess = selector('kube_cronjob_status_last_successful_time', job);
    // kube-state-metrics writes the last success only once there is one: a task that has never
    // succeeded is caught by the age of the CronJob itself.
    return {
      alert: t.spec.kind === 'backup' ? 'CtisBackupMissing' : 'CtisRestoreCheckMissing',
      expr: `(time() - ${lastSuccess} > ${hours * 3600}) or (time() - ${selector('kube_cronjob_created', job)} > ${hours * 3600} unless on (namespace, cronjob) ${lastSuccess})`,
      for: '0m',
      severity: 'critical' as const,
      labels: { component: t.id },
      summary: `${t.id} has not succeeded for more than ${hours} hours`,
      description: `${t.spec.description}. Read the logs of its last job: \`kubectl -n ${ctx.namespace} logs job/<latest ${t.id} job>\`.`,
    };
  });
}

/** Every alert group of the environment, in output order; empty groups are left out. */
export function alertGroups(ctx: StackContext, m: EnabledMonitoring): AlertGroup[] {
  return [
    { name: 'ctis-availability', rules: availability(ctx, m) },
    { name: 'ctis-storage', rules: storage(ctx, m) },
    { name: 'ctis-certificates', rules: certificates(ctx) },
    { name: 'ctis-backups', rules: backups(ctx) },
  ].filter((g) => g.rules.length > 0);
}
