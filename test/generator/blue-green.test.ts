/**
 * Blue-green components as rendered: a Rollout running exactly the pod template the Deployment
 * would run, a preview Service beside the active one, the analysis of the preview's readiness
 * endpoint, the autoscaler on the Rollout, and a preview host only behind the admin allow-list.
 */
import { App, Chart } from 'cdk8s';
import type { EnvironmentConfig, StrategyConfig } from '../../src/config/schema';
import { Rollout } from '../../src/constructs/rollout';
import {
  byKind,
  find,
  get,
  LABEL_INSTANCE,
  LABEL_NAME,
  Obj,
  renderConfig,
  workload,
  shippedStack,
} from './helpers';

const stack = shippedStack();
const config = stack.config;
const BLUE_GREEN = ['auth-server', 'api', 'frontend'];

/** The configuration with every component released rolling. */
function allRolling(c: EnvironmentConfig): EnvironmentConfig {
  for (const w of Object.values(c.workloads)) w.strategy = { type: 'rolling' };
  return c;
}

describe('production: auth-server, api and frontend are released blue-green', () => {
  test.each(BLUE_GREEN)('%s: the Rollout runs the pod template, selector and history the Deployment would', (id) => {
    const rollout = get(stack.env('production'), 'Rollout', id);
    const deployment = get(renderConfig(allRolling(config('production'))), 'Deployment', id);
    expect(rollout.spec.template).toEqual(deployment.spec.template);
    expect(rollout.spec.selector).toEqual(deployment.spec.selector);
    expect(rollout.spec.revisionHistoryLimit).toBe(deployment.spec.revisionHistoryLimit);
    expect(rollout.metadata.labels).toEqual(deployment.metadata.labels);
    expect(rollout.metadata.annotations).toEqual(deployment.metadata.annotations);
  });

  test.each(BLUE_GREEN)('%s: the strategy follows the configuration, and no Deployment is left beside the Rollout', (id) => {
    const e = stack.env('production');
    const s = e.config.workloads[id].strategy as Extract<StrategyConfig, { type: 'blue-green' }>;
    const rollout = get(e, 'Rollout', id);
    expect(rollout.spec.strategy).toEqual({
      blueGreen: {
        activeService: id,
        previewService: `${id}-preview`,
        autoPromotionEnabled: s.promotion === 'automatic',
        scaleDownDelaySeconds: s.scaleDownDelaySeconds,
        prePromotionAnalysis: { templates: [{ templateName: `${id}-preview-health` }] },
      },
    });
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
    expect('replicas' in rollout.spec).toBe(false);
    expect(find(e, 'Deployment', id)).toBeUndefined();
  });

  test.each(BLUE_GREEN)('%s: the preview Service has the selector and ports of the active one', (id) => {
    const e = stack.env('production');
    const active = get(e, 'Service', id);
    const preview = get(e, 'Service', `${id}-preview`);
    expect(preview.spec).toEqual(active.spec);
    expect(Object.keys(preview.spec.selector).sort()).toEqual([LABEL_INSTANCE, LABEL_NAME]);
    expect(preview.metadata.labels).toEqual(active.metadata.labels);
  });

  test.each(BLUE_GREEN)('%s: the analysis requests the readiness endpoint through the preview Service, before the Rollout is synced', (id) => {
    const e = stack.env('production');
    const template = get(e, 'AnalysisTemplate', `${id}-preview-health`);
    const rollout = get(e, 'Rollout', id);
    const s = e.config.workloads[id].strategy as Extract<StrategyConfig, { type: 'blue-green' }>;
    const analysis = s.prePromotionAnalysis as { count: number; interval: string };
    const probe = rollout.spec.template.spec.containers[0].readinessProbe.httpGet;
    const port = get(e, 'Service', `${id}-preview`).spec.ports.find((p) => p.targetPort === probe.port)!;
    expect(template.spec.metrics).toEqual([
      {
        name: 'preview-ready',
        count: analysis.count,
        interval: analysis.interval,
        consecutiveErrorLimit: 0,
        provider: { web: { url: `http://${id}-preview.ctis-production.svc.cluster.local:${port.port}${probe.path}`, timeoutSeconds: 5 } },
      },
    ]);
    const wave = (o: Obj) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(template)).toBeLessThan(wave(rollout));
  });

  test('the autoscalers scale the Rollouts; the disruption budgets select both colours', () => {
    const e = stack.env('production');
    for (const id of BLUE_GREEN) {
      expect(get(e, 'HorizontalPodAutoscaler', id).spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: id });
      expect(get(e, 'PodDisruptionBudget', id).spec.selector).toEqual({ matchLabels: get(e, 'Rollout', id).spec.selector.matchLabels });
    }
    expect(get(e, 'HorizontalPodAutoscaler', 'app-server').spec.scaleTargetRef.kind).toBe('Deployment');
  });
});

test.each(['staging', 'development'])('%s releases everything rolling: no Rollout, analysis or preview Service', (name) => {
  const e = stack.env(name);
  expect(byKind(e, 'Rollout')).toEqual([]);
  expect(byKind(e, 'AnalysisTemplate')).toEqual([]);
  expect(byKind(e, 'Service').filter((s) => s.metadata.name.endsWith('-preview'))).toEqual([]);
});

test('app-server under mTLS: the preview Service adds the plain readiness port the analysis needs', () => {
  const c = config('production');
  c.workloads['app-server'].strategy = { type: 'blue-green', promotion: 'automatic', autoPromotionSeconds: 60, scaleDownDelaySeconds: 30, prePromotionAnalysis: { count: 2, interval: '5s' } };
  const e = renderConfig(c);
  const preview = get(e, 'Service', 'app-server-preview');
  expect(preview.spec.ports.map((p) => [p.name, p.port, p.targetPort])).toEqual([
    ['https', 8443, 'https'],
    ['health', 8080, 'health'],
  ]);
  expect(get(e, 'Service', 'app-server').spec.ports.map((p) => p.name)).toEqual(['https']);
  expect(get(e, 'AnalysisTemplate', 'app-server-preview-health').spec.metrics[0].provider.web.url).toBe('http://app-server-preview.ctis-production.svc.cluster.local:8080/health/ready');
  expect(get(e, 'Rollout', 'app-server').spec.strategy.blueGreen).toMatchObject({ autoPromotionEnabled: true, autoPromotionSeconds: 60 });
  expect(workload(e, 'app-server').kind).toBe('Rollout');
});

test('blue-green without an analysis renders no AnalysisTemplate', () => {
  const c = config('production');
  c.workloads.frontend.strategy = { type: 'blue-green', promotion: 'manual', scaleDownDelaySeconds: 30, prePromotionAnalysis: false };
  const e = renderConfig(c);
  expect(find(e, 'AnalysisTemplate', 'frontend-preview-health')).toBeUndefined();
  expect(get(e, 'Rollout', 'frontend').spec.strategy.blueGreen.prePromotionAnalysis).toBeUndefined();
});

test('staging with a preview host: the preview is routed only from the admin allow-list, with its own certificate', () => {
  const c = config('staging');
  c.workloads.api.strategy = { type: 'blue-green', promotion: 'manual', scaleDownDelaySeconds: 30, prePromotionAnalysis: false, previewHost: 'preview-api.staging.ctis.betts.example' };
  const e = renderConfig(c);
  const routes = byKind(e, 'Ingress').filter((i) => i.spec.rules.some((r) => r.host === 'preview-api.staging.ctis.betts.example'));
  expect(routes.map((i) => i.metadata.name).sort()).toEqual(['api-preview', 'api-preview-http-redirect']);
  for (const i of routes) {
    const middlewares = i.metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares'].split(',');
    expect([i.metadata.name, middlewares[0]]).toEqual([i.metadata.name, 'ctis-staging-admin-allow-list@kubernetescrd']);
    for (const p of i.spec.rules[0].http.paths) expect(p.backend.service.name).toBe('api-preview');
  }
  expect(get(e, 'Ingress', 'api-preview').spec.tls).toEqual([{ hosts: ['preview-api.staging.ctis.betts.example'], secretName: 'api-preview-tls' }]);
  // Nothing else routes the preview Service.
  const toPreview = byKind(e, 'Ingress').filter((i) => JSON.stringify(i.spec).includes('"api-preview"'));
  expect(toPreview.map((i) => i.metadata.name).sort()).toEqual(['api-preview', 'api-preview-http-redirect']);
});

describe('the Rollout construct refuses a shape the controller would not run safely', () => {
  const props = (blueGreen: Partial<ConstructorParameters<typeof Rollout>[2]['blueGreen']>) => ({
    metadata: { name: 'x' },
    revisionHistoryLimit: 5,
    progressDeadlineSeconds: 600,
    progressDeadlineAbort: true,
    selector: { app: 'x' },
    template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } },
    blueGreen: { activeService: 'x', previewService: 'x-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30, ...blueGreen },
  });
  const build = (blueGreen: Parameters<typeof props>[0]) => new Rollout(new Chart(new App(), 'c'), 'r', props(blueGreen));
  test.each([
    [{ previewService: 'x' }, /the active and preview Services must differ/],
    [{ scaleDownDelaySeconds: 5 }, /scaleDownDelaySeconds must be at least 30/],
    [{ previewService: 'X_Preview' }, /not a DNS label/],
    [{ autoPromotionSeconds: 30 }, /autoPromotionSeconds needs autoPromotionEnabled/],
  ])('%j', (blueGreen, message) => {
    expect(() => build(blueGreen)).toThrow(message);
  });
  test('a valid shape renders', () => {
    expect(() => build({})).not.toThrow();
  });
});
