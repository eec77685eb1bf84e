/**
 * Valid/invalid cases of the operations rules (telemetry, monitors and alerts, backups, object
 * storage) and of the network rules for the connections they add. Merged into `RULE_CASES`.
 */
import type { LoadedObject } from '../../src/manifests';
import { allDist, D, env, find, load, mutate, P, S, selector, stdLabels } from './fixtures';
import type { RuleCases } from './rule-table';
import { given, Model, PodSpecModel, PrometheusRule, unset } from '../support/k8s';


const settings = (o: LoadedObject[], id: string): Record<string, string> => find(o, 'ConfigMap', `${id}-settings`).data;
type AlertRule = Model<'PrometheusRule'>['spec']['groups'][number]['rules'][number];
type GivenAlertRule = PrometheusRule['spec']['groups'][number]['rules'][number];

const rulesOf = (o: LoadedObject[]): AlertRule[] => find(o, 'PrometheusRule', 'ctis-alerts').spec.groups.flatMap((g) => g.rules);
const dropAlerts = (o: LoadedObject[], drop: (r: AlertRule) => boolean) => {
  for (const g of find(o, 'PrometheusRule', 'ctis-alerts').spec.groups) g.rules = g.rules.filter((r) => !drop(r));
};
const without = (o: LoadedObject[], kind: string, name?: string) => o.filter((x) => !(x.object.kind === kind && (name === undefined || x.object.metadata?.name === name)));
const cronPod = (o: LoadedObject[], name: string): PodSpecModel => find(o, 'CronJob', name).spec.jobTemplate.spec.template.spec;
const RELEASE = { release: 'kube-prometheus-stack' };

const alertRule = (rules: GivenAlertRule[]): PrometheusRule => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'hand-written', namespace: S, labels: { ...stdLabels(undefined, 'staging'), ...RELEASE } },
  spec: { groups: [{ name: 'extra', rules }] },
});

export const OPERATIONS_CASES: Record<string, RuleCases> = {
  'telemetry-settings': {
    valid: [
      ...allDist(),
      {
        name: 'no OTEL variables where the environment turns telemetry off',
        env: 'development',
        config: { telemetry: { enabled: false } },
        objects: mutate('development', (o) => {
          for (const id of ['auth-server', 'api', 'app-server', 'frontend']) {
            const data = settings(o, id);
            for (const k of Object.keys(data)) if (k.startsWith('OTEL_')) delete data[k];
          }
        }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'staging api named after the system instead of the component',
        env: 'staging',
        objects: mutate('staging', (o) => {
          settings(o, 'api').OTEL_SERVICE_NAME = 'ctis-api';
        }),
        expect: { [`Deployment/${S}/api`]: [/^api sets OTEL_SERVICE_NAME=ctis-api; expected api$/] },
      },
      {
        name: 'development frontend exporting to a collector in another namespace, without a protocol',
        env: 'development',
        objects: mutate('development', (o) => {
          settings(o, 'frontend').OTEL_EXPORTER_OTLP_ENDPOINT = 'http://otel-collector.default.svc:4318';
          delete settings(o, 'frontend').OTEL_EXPORTER_OTLP_PROTOCOL;
        }),
        expect: {
          [`Deployment/${D}/frontend`]: [
            /^frontend sets OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/otel-collector\.default\.svc:4318; expected http:\/\/otel-collector\.observability\.svc\.cluster\.local:4318/,
            /^frontend does not set OTEL_EXPORTER_OTLP_PROTOCOL \(expected http\/protobuf\)$/,
          ],
        },
      },
      {
        name: 'production app-server reporting the staging environment and no version; auth-server without resource attributes',
        objects: mutate('production', (o) => {
          settings(o, 'app-server').OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=staging,service.namespace=ctis';
          delete settings(o, 'auth-server').OTEL_RESOURCE_ATTRIBUTES;
        }),
        expect: {
          [`Deployment/${P}/app-server`]: [/reports deployment\.environment\.name=staging .*expected production/, /reports no service\.version .*expected 1\.8\.2/],
          [`Rollout/${P}/auth-server`]: [/^auth-server does not set OTEL_RESOURCE_ATTRIBUTES/],
        },
      },
    ],
  },

  'monitor-targets': {
    valid: allDist(),
    invalid: [
      {
        name: 'a PodMonitor on a port the pods do not declare, another without the Prometheus selection label, a ServiceMonitor selecting nothing',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'PodMonitor', 'api').spec.podMetricsEndpoints[0].port = 'prometheus';
          delete find(o, 'PodMonitor', 'frontend').metadata.labels.release;
          return [
            ...o,
            ...load([{ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'old', namespace: S, labels: RELEASE }, spec: { selector: { matchLabels: { app: 'gone' } }, endpoints: [{ port: 'metrics' }] } }], 'extra.yaml'),
          ];
        }),
        expect: {
          [`PodMonitor/${S}/api`]: [/scrapes port prometheus, which the pods of Deployment api do not declare/],
          [`PodMonitor/${S}/frontend`]: [/lacks release=kube-prometheus-stack: the Prometheus of monitoring\.prometheus ignores it/],
          [`ServiceMonitor/${S}/old`]: [/selects no Service in ctis-staging/],
        },
      },
    ],
  },

  'metrics-scraped': {
    valid: [
      ...allDist(),
      {
        name: 'api scraped through a ServiceMonitor and a metrics Service instead of its PodMonitor',
        env: 'staging',
        objects: mutate('staging', (o) => [
          ...without(o, 'PodMonitor', 'api'),
          ...load(
            [
              {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name: 'api-metrics', namespace: S, labels: { ...stdLabels('api', 'staging'), scrape: 'yes' } },
                spec: { selector: selector('api', 'staging'), ports: [{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }] },
              },
              { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'api', namespace: S, labels: RELEASE }, spec: { selector: { matchLabels: { scrape: 'yes' } }, endpoints: [{ port: 'metrics', path: '/metrics' }] } },
            ],
            'extra.yaml',
          ),
        ]),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'staging frontend without PodMonitor, api scraped on another path',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'PodMonitor', 'api').spec.podMetricsEndpoints[0].path = '/prometheus';
          return without(o, 'PodMonitor', 'frontend');
        }),
        expect: {
          [`Deployment/${S}/frontend`]: [/^frontend is not scraped on port 9464 \/metrics: no PodMonitor or ServiceMonitor selects its pods$/],
          [`Deployment/${S}/api`]: [/^api is not scraped on port 9464 \/metrics \(monitors scrape port 9464 \/prometheus\)$/],
        },
      },
    ],
  },

  'alert-expressions': {
    valid: allDist(),
    invalid: [
      {
        name: 'hand-written rules: an unclosed call, rate() of an instant vector, a misspelt metric and label, no severity, a bad for, a repeated group',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const r = alertRule([
            { alert: 'Unclosed', expr: 'sum(kube_pod_container_status_restarts_total{container="api"}', labels: { severity: 'warning' }, annotations: { summary: 's' } },
            { alert: 'InstantRate', expr: 'rate(kube_pod_container_status_restarts_total{container="api"}) > 1', for: 'five minutes', labels: { severity: 'warning' }, annotations: { summary: 's' } },
            { alert: 'Typos', expr: 'kube_deployment_status_replicas_availabel{deployment="api"} == 0 or kube_deployment_status_replicas_available{deplyment="api"} == 0' },
          ]);
          r.spec.groups.push({ name: 'extra', rules: [] });
          return [...o, ...load([r], 'extra.yaml')];
        }),
        warnings: [/not one kube-state-metrics/, /has no label deplyment/, /no severity label/, /no summary annotation/],
        expect: {
          [`PrometheusRule/${S}/hand-written`]: [
            /^Unclosed: expr syntax error at offset \d+/,
            /^InstantRate: expr rate\(\) needs a range vector such as metric\[5m\], got "kube_pod_container_status_restarts_total\{container=\\"api\\"\}"$/,
            /^InstantRate: for "five minutes" is not a duration such as 5m$/,
            /^Typos has no severity label/,
            /^Typos has no summary annotation$/,
            /^Typos: metric kube_deployment_status_replicas_availabel is not one kube-state-metrics/,
            /^Typos: kube_deployment_status_replicas_available has no label deplyment \(kube-state-metrics: namespace, deployment\)$/,
            /^group name "extra" is used twice/,
          ],
        },
      },
      {
        name: 'the generated rules without the Prometheus selection label',
        env: 'production',
        objects: mutate('production', (o) => {
          delete find(o, 'PrometheusRule', 'ctis-alerts').metadata.labels.release;
        }),
        expect: { [`PrometheusRule/${P}/ctis-alerts`]: [/lacks release=kube-prometheus-stack/] },
      },
    ],
  },

  'alerts-cover-stack': {
    valid: allDist(),
    invalid: [
      {
        name: 'staging without the restart alert of api and the backup claim alerts',
        env: 'staging',
        objects: mutate('staging', (o) => {
          dropAlerts(o, (r) => /container="api"/.test(r.expr) || /postgresql-backups/.test(r.expr));
          expect(rulesOf(o).length).toBeGreaterThan(10);
        }),
        expect: {
          [`Deployment/${S}/api`]: [/^no alert watches api restarting \(an expression selecting /],
          [`PersistentVolumeClaim/${S}/postgresql-backups`]: [/^no alert watches claim postgresql-backups filling up \(an expression selecting /],
        },
      },
      {
        name: 'production without certificate, HPA, error-rate and Data Protection claim alerts',
        objects: mutate('production', (o) => {
          dropAlerts(o, (r) => /certmanager_certificate_expiration|horizontalpodautoscaler="frontend"|job="auth-server"|auth-server-data-protection/.test(r.expr));
        }),
        expect: {
          [`Certificate/${P}/app-server-tls`]: [/^no alert watches certificate app-server-tls expiring \(an expression selecting /],
          [`Certificate/${P}/api-client-tls`]: [/^no alert watches certificate api-client-tls expiring \(an expression selecting /],
          [`HorizontalPodAutoscaler/${P}/frontend`]: [/^no alert watches HPA frontend at its maximum \(an expression selecting /],
          [`Rollout/${P}/auth-server`]: [/^no alert watches auth-server's error rate \(an expression selecting /],
          [`PersistentVolumeClaim/${P}/auth-server-data-protection`]: [/^no alert watches claim auth-server-data-protection filling up \(an expression selecting /],
        },
      },
      {
        name: 'staging with the PostgreSQL StatefulSet and backup alerts gone',
        env: 'staging',
        objects: mutate('staging', (o) => {
          dropAlerts(o, (r) => /statefulset="postgresql"|data-postgresql-0|cronjob=/.test(r.expr));
        }),
        expect: {
          [`StatefulSet/${S}/postgresql`]: [/^no alert watches postgresql having no ready pod \(an expression selecting /, /^no alert watches claim data-postgresql-0 filling up \(an expression selecting /],
          [`CronJob/${S}/postgresql-backup`]: [/^no alert watches postgresql-backup not succeeding \(an expression selecting /, /^no alert watches postgresql-backup never having succeeded \(an expression selecting kube_cronjob_created\{cronjob="postgresql-backup"\}\)$/],
          [`CronJob/${S}/postgresql-restore-check`]: [/^no alert watches postgresql-restore-check not succeeding \(an expression selecting /, /^no alert watches postgresql-restore-check never having succeeded \(an expression selecting /],
        },
      },
      {
        name: 'staging whose backup alerts read only the last success, which kube-state-metrics does not write before the first',
        env: 'staging',
        objects: mutate('staging', (o) => {
          for (const r of rulesOf(o).filter((x) => /cronjob=/.test(x.expr))) {
            r.expr = r.expr.replace(/^\((time\(\) - kube_cronjob_status_last_successful_time\{[^}]*\} > \d+)\) or .*$/, '$1');
            expect(r.expr).toMatch(/^time\(\) - kube_cronjob_status_last_successful_time\{[^}]*\} > \d+$/);
          }
        }),
        expect: {
          [`CronJob/${S}/postgresql-backup`]: [/^no alert watches postgresql-backup never having succeeded \(an expression selecting kube_cronjob_created\{cronjob="postgresql-backup"\}\)$/],
          [`CronJob/${S}/postgresql-restore-check`]: [/^no alert watches postgresql-restore-check never having succeeded /],
        },
      },
    ],
  },

  'postgresql-backups': {
    valid: allDist(),
    invalid: [
      {
        name: 'staging without its backup CronJobs',
        env: 'staging',
        objects: mutate('staging', (o) => without(o, 'CronJob')),
        expect: { [`StatefulSet/${S}/postgresql`]: [/^postgresql runs in the cluster but no backup CronJob/] },
      },
      {
        name: 'an hourly backup keeping every dump, a literal password, no restore check',
        env: 'development',
        objects: mutate('development', (o) => {
          find(o, 'CronJob', 'postgresql-backup').spec.schedule = '0 * * * *';
          const c = cronPod(o, 'postgresql-backup').containers[0];
          c.env = c.env.filter((e) => e.name !== 'BACKUP_RETENTION').map((e) => (e.name === 'PGPASSWORD' ? given({ name: 'PGPASSWORD', value: 'hunter2' }) : e));
          return without(o, 'CronJob', 'postgresql-restore-check');
        }),
        expect: {
          [`CronJob/${D}/postgresql-backup`]: [/runs on "0 \* \* \* \*", not nightly/, /no restore check reads claim postgresql-backups/, /does not read PGPASSWORD from a Secret/, /sets no BACKUP_RETENTION/],
        },
      },
      {
        // The claim's protection and wave are claim-deletion-protected's and claim-sync-wave's: reported once, there.
        name: 'a backup claim that a sync may prune, in a wave before its consumers, and a retention other than configured',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const pvc = find(o, 'PersistentVolumeClaim', 'postgresql-backups');
          pvc.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '-1' };
          cronPod(o, 'postgresql-backup').containers[0].env.find((e) => e.name === 'BACKUP_RETENTION')!.value = '3';
        }),
        expect: {
          [`CronJob/${S}/postgresql-backup`]: [/keeps 3 dumps; dataStores\.postgresql\.backup\.retentionDays is 14/],
        },
      },
      {
        name: 'dumps written into the pod only',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const pod = cronPod(o, 'postgresql-backup');
          pod.volumes = pod.volumes.map((v) => (v.name === 'backups' ? given({ name: 'backups', emptyDir: {} }) : v));
        }),
        expect: { [`CronJob/${S}/postgresql-backup`]: [/writes its dumps to no claim/] },
      },
    ],
  },

  'object-storage-settings': {
    valid: allDist(),
    invalid: [
      {
        name: 'staging api on plain http to another bucket, app-server without its connection string',
        env: 'staging',
        objects: mutate('staging', (o) => {
          settings(o, 'api').ObjectStorage__Endpoint = 'http://ctisstaging.blob.core.windows.net';
          settings(o, 'api').ObjectStorage__Bucket = 'ctis-production';
          const c = find(o, 'Deployment', 'app-server').spec.template.spec.containers[0];
          c.env = c.env.filter((e) => e.name !== 'ConnectionStrings__ObjectStorage');
        }),
        expect: {
          [`Deployment/${S}/api`]: [/sets ObjectStorage__Endpoint=http:\/\/ctisstaging\.blob\.core\.windows\.net; expected https:\/\/ctisstaging\.blob\.core\.windows\.net/, /sets ObjectStorage__Bucket=ctis-production; expected ctis-staging/],
          [`Deployment/${S}/app-server`]: [/does not read ConnectionStrings__ObjectStorage from a Secret/],
        },
      },
      {
        name: 'production api without its workload identity, frontend configured for the bucket',
        objects: mutate('production', (o) => {
          delete find(o, 'ServiceAccount', 'api').metadata.annotations['azure.workload.identity/client-id'];
          delete find(o, 'Rollout', 'api').spec.template.metadata.labels['azure.workload.identity/use'];
          settings(o, 'frontend').ObjectStorage__Endpoint = 'https://ctisprod.privatelink.blob.core.windows.net';
        }),
        expect: {
          [`Rollout/${P}/api`]: [/ServiceAccount api of api lacks the workload identity annotation azure\.workload\.identity\/client-id=/, /pods of api lack the workload identity label azure\.workload\.identity\/use=true/],
          [`Rollout/${P}/frontend`]: [/frontend is configured for object storage but is not among objectStorage\.from/],
        },
      },
    ],
  },

  'network-missing-edge': {
    valid: [],
    invalid: [
      {
        name: 'development api can no longer export to the in-cluster collector',
        env: 'development',
        objects: mutate('development', (o) => {
          const p = find(o, 'NetworkPolicy', 'api');
          p.spec.egress = p.spec.egress.filter((r) => !JSON.stringify(r.to).includes('observability'));
        }),
        expect: { [`NetworkPolicy/${D}/api`]: [/^missing edge api -> otel-collector \(observability\) \(TCP 4318, OpenTelemetry export \(http\/protobuf\)\): NetworkPolicy api \(egress of api\) does not admit it$/] },
      },
      {
        name: 'production Prometheus cannot scrape app-server',
        objects: mutate('production', (o) => {
          const p = find(o, 'NetworkPolicy', 'app-server');
          p.spec.ingress = p.spec.ingress.filter((r) => !JSON.stringify(r.from).includes('prometheus'));
        }),
        expect: { [`NetworkPolicy/${P}/app-server`]: [/^missing edge prometheus \(monitoring\) -> app-server \(TCP 9464, Prometheus scrapes \/metrics\): NetworkPolicy app-server \(ingress of app-server\) does not admit it$/] },
      },
    ],
  },

  'network-extra-connection': {
    valid: [],
    invalid: [
      {
        name: 'staging api admits the whole monitoring namespace, and the restore check may reach PostgreSQL',
        env: 'staging',
        objects: mutate('staging', (o) => {
          for (const r of find(o, 'NetworkPolicy', 'api').spec.ingress) for (const f of r.from) if (f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring') unset(f, 'podSelector');
          find(o, 'NetworkPolicy', 'postgresql-restore-check').spec.egress.push(given({ to: [{ podSelector: { matchLabels: selector('postgresql', 'staging') } }], ports: [{ port: 5432, protocol: 'TCP' }] }));
          find(o, 'NetworkPolicy', 'postgresql').spec.ingress.push(given({ from: [{ podSelector: { matchLabels: selector('postgresql-restore-check', 'staging') } }], ports: [{ port: 5432, protocol: 'TCP' }] }));
        }),
        expect: {
          [`NetworkPolicy/${S}/api`]: [/through ingress\[\d+\]\.from\[0\] \(namespaceSelector \{kubernetes\.io\/metadata\.name=monitoring\}; ports TCP 9464\): pod app=stray in namespace monitoring -> api \(TCP 9464\)$/],
          [`NetworkPolicy/${S}/postgresql`]: [/through ingress\[\d+\]\.from\[0\] \(podSelector \{.*postgresql-restore-check.*\}; ports TCP 5432\): postgresql-restore-check -> postgresql \(TCP 5432\)$/],
        },
      },
    ],
  },
};

void env;
