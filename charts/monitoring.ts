import { Construct } from 'constructs';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsScheme } from '../imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheusrule-monitoring.coreos.com';
import type { EnabledMonitoring } from '../src/config/operations';
import { SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import { NAME_LABEL } from '../src/constructs/labels';
import { alertGroups } from './alerts';
import { StackChart } from './component-chart';
import { StackContext } from './context';
import { METRICS_PORT_NAME } from './telemetry';

/** Name of the PrometheusRule holding every alert of the environment. */
export const ALERTS_NAME = 'ctis-alerts';

/**
 * Prometheus (prometheus-operator) objects where the environment enables monitoring: one
 * PodMonitor per instrumented component, scraping the `metrics` port its pods declare (the job
 * label is the component id), and a PrometheusRule with the on-call alerts. Both carry the labels
 * the Prometheus selects them by.
 */
export class MonitoringChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext, monitoring: EnabledMonitoring) {
    super(scope, 'monitoring', ctx);
    const selectLabels = monitoring.prometheus.resourceLabels;
    for (const c of ctx.effective.components) {
      if (!c.inCluster || !c.metrics) continue;
      new PodMonitor(this, c.id, {
        metadata: { name: c.id, labels: { ...ctx.labels(c.id), ...selectLabels }, annotations: syncWave(SyncWave.APPS) },
        spec: {
          jobLabel: NAME_LABEL,
          selector: { matchLabels: ctx.selector(c.id) },
          namespaceSelector: { matchNames: [ctx.namespace] },
          podMetricsEndpoints: [
            {
              port: METRICS_PORT_NAME,
              path: c.metrics.path,
              scheme: PodMonitorSpecPodMetricsEndpointsScheme.HTTP,
              interval: monitoring.scrapeInterval,
            },
          ],
        },
      });
    }
    new PrometheusRule(this, 'Alerts', {
      metadata: { name: ALERTS_NAME, labels: { ...ctx.platformLabels(), ...selectLabels }, annotations: syncWave(SyncWave.APPS) },
      spec: {
        groups: alertGroups(ctx, monitoring).map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: { severity: r.severity, namespace: ctx.namespace, ...r.labels },
            annotations: { summary: r.summary, description: r.description },
          })),
        })),
      },
    });
  }
}
