/**
 * What the operations sections render: OpenTelemetry variables on every application container, a
 * PodMonitor per application component on a port its pods declare, the on-call alerts as PromQL
 * the Prometheus grammar accepts over known metrics, the PostgreSQL backups where PostgreSQL runs
 * in the cluster, and object storage wiring.
 */
import { parsePromql, selects as selectsSeries } from '../../src/validator/promql';
import { KNOWN_METRICS, TARGET_LABELS } from '../../src/validator/promql-metrics';
import {
  APP_COMPONENTS,
  byKind,
  cloneConfig,
  DOTNET_COMPONENTS,
  find,
  get,
  mainContainer,
  pods,
  renderConfig,
  RenderedEnv,
  selects,
  settingsOf,
  value,
  workload,
  shippedStack,
} from './helpers';

const env = shippedStack().env;
const alerts = (e: RenderedEnv) => get(e, 'PrometheusRule', 'ctis-alerts').spec.groups.flatMap((g) => g.rules);

describe.each(['development', 'staging', 'production'])('%s: OpenTelemetry', (name) => {
  test.each(APP_COMPONENTS)('%s exports to the declared collector as itself, with environment and version', (id) => {
    const e = env(name);
    const tel = e.config.telemetry;
    if (!tel.enabled) throw new Error('shipped environments enable telemetry');
    const s = settingsOf(e, id);
    expect(value(s, 'OTEL_SERVICE_NAME')).toBe(id);
    expect(value(s, 'OTEL_EXPORTER_OTLP_PROTOCOL')).toBe(tel.protocol);
    const c = tel.collector;
    expect(value(s, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(c.mode === 'in-cluster' ? `http://${c.service}.${c.namespace}.svc.cluster.local:${c.port}` : `https://${c.host}:${c.port}`);
    const attributes = Object.fromEntries(value(s, 'OTEL_RESOURCE_ATTRIBUTES').split(',').map((kv) => kv.split('='))) as Record<string, string>;
    expect(attributes['deployment.environment.name']).toBe(name);
    expect(attributes['service.version']).toBe(e.config.workloads[id].image.tag);
    expect(value(s, 'OTEL_TRACES_SAMPLER_ARG')).toBe(String(tel.traceSampleRatio));
  });

  test('no data store or scheduled task is configured for telemetry', () => {
    const e = env(name);
    for (const p of pods(e)) {
      const component = p.template.metadata.labels['app.kubernetes.io/name'];
      if ((APP_COMPONENTS as readonly string[]).includes(component)) continue;
      for (const c of p.spec.containers) expect((c.env ?? []).filter((v) => v.name.startsWith('OTEL_'))).toEqual([]);
    }
  });
});

/** Alerts whose expression selects `metric` with `label` = `value`. */
const watching = (e: RenderedEnv, metric: string, label: string, v: string) =>
  alerts(e).filter((r) => parsePromql(r.expr).selectors.some((s) => s.metric === metric && selectsSeries(s, label, v)));

describe.each(['staging', 'production'])('%s: metrics and alerts', (name) => {
  test.each(APP_COMPONENTS)('%s: one PodMonitor selecting its pods on the metrics port they declare', (id) => {
    const e = env(name);
    const monitors = byKind(e, 'PodMonitor').filter((m) => selects(m.spec.selector.matchLabels, mainContainer(e, id).owner.spec.template.metadata.labels));
    expect(monitors.map((m) => m.metadata.name)).toEqual([id]);
    const m = monitors[0];
    expect(m.spec.namespaceSelector.matchNames).toEqual([e.config.namespace]);
    expect(m.metadata.labels).toEqual(expect.objectContaining({ release: 'kube-prometheus-stack' }));
    const [endpoint] = m.spec.podMetricsEndpoints;
    const port = mainContainer(e, id).container.ports.find((p) => p.name === endpoint.port);
    expect(port?.containerPort).toBe(9464);
    expect(endpoint.path).toBe('/metrics');
  });

  test('ASP.NET components listen on the metrics port (app-server with mTLS through its own Kestrel endpoint), Next.js runs the exporter there', () => {
    const e = env(name);
    for (const id of ['auth-server', 'api']) expect(value(settingsOf(e, id), 'ASPNETCORE_HTTP_PORTS')).toBe('8080;9464');
    expect(value(settingsOf(e, 'app-server'), 'Kestrel__Endpoints__Metrics__Url')).toBe('http://0.0.0.0:9464');
    for (const id of DOTNET_COMPONENTS) expect(value(settingsOf(e, id), 'Telemetry__Prometheus__Path')).toBe('/metrics');
    expect(value(settingsOf(e, 'frontend'), 'OTEL_EXPORTER_PROMETHEUS_PORT')).toBe('9464');
    expect(value(settingsOf(e, 'frontend'), 'OTEL_SEMCONV_STABILITY_OPT_IN')).toBe('http');
  });

  test('every alert parses with the Prometheus grammar, reads known metrics with their labels, and is scoped to the namespace', () => {
    const e = env(name);
    const rules = alerts(e);
    expect(rules.length).toBeGreaterThan(20);
    for (const r of rules) {
      const parsed = parsePromql(r.expr);
      expect([r.alert, parsed.problems]).toEqual([r.alert, []]);
      expect(parsed.selectors.length).toBeGreaterThan(0);
      for (const s of parsed.selectors) {
        const known = KNOWN_METRICS[s.metric ?? ''];
        expect([r.alert, s.metric, known !== undefined]).toEqual([r.alert, s.metric, true]);
        for (const m of s.matchers) expect([r.alert, m.label, [...known.labels, ...TARGET_LABELS].includes(m.label)]).toEqual([r.alert, m.label, true]);
        expect([r.alert, s.metric, selectsSeries(s, 'namespace', e.config.namespace)]).toEqual([r.alert, s.metric, true]);
      }
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  test('an on-call engineer is paged for a component without ready pods, errors, restarts and an HPA at its maximum', () => {
    const e = env(name);
    for (const id of APP_COMPONENTS) {
      // kube-state-metrics reports Deployments; the Argo Rollouts controller reports the Rollouts of blue-green components.
      const [metric, label] = workload(e, id).kind === 'Rollout' ? ['rollout_info_replicas_available', 'name'] : ['kube_deployment_status_replicas_available', 'deployment'];
      expect(watching(e, metric, label, id).map((r) => [r.alert, r.labels.severity])).toEqual([['CtisComponentNoReadyPods', 'critical']]);
      expect(watching(e, 'kube_pod_container_status_restarts_total', 'container', id).map((r) => r.alert)).toEqual(['CtisComponentRestarting']);
      const errors = watching(e, 'http_server_request_duration_seconds_count', 'job', id);
      expect(errors.map((r) => r.alert)).toEqual(['CtisComponentErrorRate']);
      // errors over all requests of the same component, as a percentage above the configured threshold
      expect(errors[0].expr).toMatch(/http_response_status_code=~"5\.\."/);
      expect(errors[0].expr).toMatch(new RegExp(`\\* 100 > ${e.config.monitoring.enabled ? e.config.monitoring.alerts.errorRatePercent : NaN}$`));
      const hpa = watching(e, 'kube_horizontalpodautoscaler_spec_max_replicas', 'horizontalpodautoscaler', id);
      expect(hpa.map((r) => r.alert)).toEqual(['CtisAutoscalerAtMaximum']);
      expect(hpa[0].expr).toMatch(/^kube_horizontalpodautoscaler_status_current_replicas\{.*\} >= kube_horizontalpodautoscaler_spec_max_replicas\{.*\}$/);
    }
  });

  test('claims filling up: Data Protection keys, in-cluster data stores, backups', () => {
    const e = env(name);
    const claims = ['auth-server-data-protection', ...(name === 'staging' ? ['data-postgresql-0', 'data-redis-0', 'postgresql-backups'] : [])];
    for (const claim of claims) {
      expect(watching(e, 'kubelet_volume_stats_available_bytes', 'persistentvolumeclaim', claim).map((r) => [r.alert, r.labels.severity])).toEqual([
        ['CtisVolumeFillingUp', 'warning'],
        ['CtisVolumeFull', 'critical'],
      ]);
    }
    const watched = new Set(alerts(e).flatMap((r) => parsePromql(r.expr).selectors.filter((s) => s.metric === 'kubelet_volume_stats_available_bytes').flatMap((s) => s.matchers.filter((m) => m.label === 'persistentvolumeclaim').map((m) => m.value))));
    expect([...watched].sort()).toEqual([...claims].sort());
  });

  test('the AppServer mTLS certificates cert-manager issues alert before they expire', () => {
    const e = env(name);
    for (const cert of byKind(e, 'Certificate').map((c) => c.metadata.name)) {
      const expiry = watching(e, 'certmanager_certificate_expiration_timestamp_seconds', 'name', cert);
      expect(expiry.map((r) => r.alert)).toEqual(['CtisCertificateRenewalOverdue']);
      // cert-manager renews 15 days ahead: still under 14 days left means renewal failed.
      expect(expiry[0].expr).toMatch(/ - time\(\) < 1209600$/);
      expect(watching(e, 'certmanager_certificate_ready_status', 'name', cert).map((r) => r.alert)).toEqual(['CtisCertificateNotReady']);
    }
    expect(byKind(e, 'Certificate')).toHaveLength(2);
  });
});

/** A string as a regular expression that matches it literally. */
const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('monitoring and backups render only where configured', () => {
  test('development has no monitoring objects; production no backups (its PostgreSQL is managed)', () => {
    expect(byKind(env('development'), 'PodMonitor')).toEqual([]);
    expect(byKind(env('development'), 'PrometheusRule')).toEqual([]);
    expect(byKind(env('production'), 'CronJob')).toEqual([]);
    expect(find(env('production'), 'ExternalSecret', 'postgresql-backup-credentials')).toBeUndefined();
  });

  test('staging alerts when a backup or restore check has not succeeded within the configured age, or never has', () => {
    const e = env('staging');
    const pg = e.config.dataStores.postgresql;
    if (pg.mode !== 'in-cluster' || !pg.backup) throw new Error('staging runs PostgreSQL in the cluster with backups');
    const age = pg.backup.maxAgeHours * 3600;
    for (const job of ['postgresql-backup', 'postgresql-restore-check']) {
      const r = alerts(e).filter((x) => parsePromql(x.expr).selectors.some((s) => s.metric === 'kube_cronjob_status_last_successful_time' && selectsSeries(s, 'cronjob', job)));
      const series = `{namespace="ctis-staging", cronjob="${job}"}`;
      // kube-state-metrics writes no last success before the first one: the CronJob's age stands in for it.
      expect(r.map((x) => x.expr)).toEqual([
        `(time() - kube_cronjob_status_last_successful_time${series} > ${age}) or (time() - kube_cronjob_created${series} > ${age} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${series})`,
      ]);
      expect(parsePromql(r[0].expr).problems).toEqual([]);
    }
  });

  test('the backup claim, which only the nightly jobs mount, is judged by its last reading since the last run', () => {
    const e = env('staging');
    const pg = e.config.dataStores.postgresql;
    if (pg.mode !== 'in-cluster' || !pg.backup) throw new Error('staging runs PostgreSQL in the cluster with backups');
    // The kubelet reports a claim only while a running pod mounts it: a minutes-long job never keeps
    // the series for the alert's `for`, so the alert reads the last value of the past maxAgeHours.
    const mounters = byKind(e, 'CronJob').filter((j) => j.spec.jobTemplate.spec.template.spec.volumes.some((v) => v.persistentVolumeClaim?.claimName === 'postgresql-backups'));
    expect(mounters.map((j) => j.metadata.name).sort()).toEqual(['postgresql-backup', 'postgresql-restore-check']);
    const running = [...byKind(e, 'Deployment'), ...byKind(e, 'StatefulSet')].map((w) => w.spec.template.spec);
    expect(running.some((pod) => (pod.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === 'postgresql-backups'))).toBe(false);
    const pvc = '{namespace="ctis-staging", persistentvolumeclaim="postgresql-backups"}';
    for (const r of watching(e, 'kubelet_volume_stats_available_bytes', 'persistentvolumeclaim', 'postgresql-backups')) {
      expect(r.expr).toMatch(new RegExp(`^last_over_time\\(kubelet_volume_stats_available_bytes${escape(pvc)}\\[${pg.backup.maxAgeHours}h\\]\\) / last_over_time\\(kubelet_volume_stats_capacity_bytes${escape(pvc)}\\[${pg.backup.maxAgeHours}h\\]\\) \\* 100 < [\\d.]+$`));
      expect(parsePromql(r.expr).problems).toEqual([]);
    }
    // Claims that running pods keep mounted are read as they are now.
    for (const r of watching(e, 'kubelet_volume_stats_available_bytes', 'persistentvolumeclaim', 'data-postgresql-0')) expect(r.expr).toMatch(/^kubelet_volume_stats_available_bytes\{/);
  });
});

describe.each(['development', 'staging'])('%s: PostgreSQL backups', (name) => {
  test('a nightly backup and a restore check, with their own accounts, the backup credentials from an ExternalSecret', () => {
    const e = env(name);
    const pg = e.config.dataStores.postgresql;
    if (pg.mode !== 'in-cluster' || !pg.backup) throw new Error('in-cluster PostgreSQL with backups');
    const backup = get(e, 'CronJob', 'postgresql-backup');
    const check = get(e, 'CronJob', 'postgresql-restore-check');
    expect(backup.spec.schedule).toBe(pg.backup.schedule);
    expect(check.spec.schedule).toBe(pg.backup.restoreCheckSchedule);
    for (const job of [backup, check]) {
      expect(job.spec.concurrencyPolicy).toBe('Forbid');
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(pod.serviceAccountName).toBe(job.metadata.name);
      expect(get(e, 'ServiceAccount', job.metadata.name).automountServiceAccountToken).toBe(false);
      expect(pod.containers[0].image).toBe(`${pg.image.repository}:${pg.image.tag}`);
    }
    const env_ = backup.spec.jobTemplate.spec.template.spec.containers[0].env;
    const secretOf = (n: string) => env_.find((v) => v.name === n)!.valueFrom.secretKeyRef.name;
    expect([secretOf('PGUSER'), secretOf('PGPASSWORD')]).toEqual(['postgresql-backup-credentials', 'postgresql-backup-credentials']);
    expect(get(e, 'ExternalSecret', 'postgresql-backup-credentials').apiVersion).toBe('external-secrets.io/v1');
    expect(env_.find((v) => v.name === 'BACKUP_RETENTION')!.value).toBe(String(pg.backup.retentionDays));
    // The restore check needs no credentials: it restores into a server inside its own pod.
    expect(check.spec.jobTemplate.spec.template.spec.containers[0].env.filter((v) => v.valueFrom)).toEqual([]);
  });

  test('dumps go to a retained claim of the configured size, which the restore check mounts read-only', () => {
    const e = env(name);
    const claim = get(e, 'PersistentVolumeClaim', 'postgresql-backups');
    expect(claim.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    const pg = e.config.dataStores.postgresql;
    expect(claim.spec.resources.requests.storage).toBe(pg.mode === 'in-cluster' ? pg.backup?.storage : undefined);
    const mounts = (job: string) => get(e, 'CronJob', job).spec.jobTemplate.spec.template.spec.volumes.filter((v) => v.persistentVolumeClaim);
    expect(mounts('postgresql-backup')).toEqual([{ name: 'backups', persistentVolumeClaim: { claimName: 'postgresql-backups' } }]);
    expect(mounts('postgresql-restore-check')).toEqual([{ name: 'backups', persistentVolumeClaim: { claimName: 'postgresql-backups', readOnly: true } }]);
  });
});

describe('object storage', () => {
  test('staging: endpoint and bucket settings and a connection string from an ExternalSecret, for the declared consumers only', () => {
    const e = env('staging');
    for (const id of APP_COMPONENTS) {
      const s = settingsOf(e, id);
      const consumer = id === 'api' || id === 'app-server';
      expect([id, s.has('ObjectStorage__Endpoint')]).toEqual([id, consumer]);
      if (!consumer) continue;
      expect(value(s, 'ObjectStorage__Endpoint')).toBe('https://ctisstaging.blob.core.windows.net');
      expect(value(s, 'ObjectStorage__Bucket')).toBe('ctis-staging');
      expect(s.get('ConnectionStrings__ObjectStorage')).toEqual(expect.objectContaining({ kind: 'secret' }));
    }
    expect(find(e, 'ExternalSecret', 'ctis-object-storage')).toBeDefined();
  });

  test('production: workload identity on the consumers\' ServiceAccounts and pods, no secret', () => {
    const e = env('production');
    for (const id of ['api', 'app-server']) {
      expect(get(e, 'ServiceAccount', id).metadata.annotations['azure.workload.identity/client-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(mainContainer(e, id).owner.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
      expect(settingsOf(e, id).has('ConnectionStrings__ObjectStorage')).toBe(false);
      // The opt-in label is never part of a selector (selectors are immutable).
      expect(mainContainer(e, id).owner.spec.selector.matchLabels['azure.workload.identity/use']).toBeUndefined();
    }
    expect(find(e, 'ExternalSecret', 'ctis-object-storage')).toBeUndefined();
    expect(get(e, 'ServiceAccount', 'auth-server').metadata.annotations['azure.workload.identity/client-id']).toBeUndefined();
  });

  test('without an objectStorage section nothing is wired', () => {
    const config = cloneConfig(env('staging').config);
    const rendered = renderConfig({ ...config, objectStorage: undefined });
    for (const id of APP_COMPONENTS) expect(settingsOf(rendered, id).has('ObjectStorage__Endpoint')).toBe(false);
    expect(find(rendered, 'ExternalSecret', 'ctis-object-storage')).toBeUndefined();
  });
});
