import { ConfigError, parseEnvironment } from '../../src/config/load';
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { concurrentPods, strategyOf } from '../../src/config/strategy';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { copyOf, Doc, get, set } from '../support/edit';
import { shippedEnv } from '../support/render';

/** Parses an edited copy of a shipped configuration. */
function parse(name: EnvironmentName, edit: (env: Doc) => void): EnvironmentConfig {
  const env = copyOf(shippedEnv(name));
  edit(env);
  return parseEnvironment(env, `config/${name}.yaml`, name, CTIS_TOPOLOGY);
}

/** The Argo Rollouts controller as its install manifests deploy it. */
const CONTROLLER = { controller: { namespace: 'argo-rollouts', podLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } } };

const blueGreen = (extra: Record<string, unknown> = {}) => ({
  type: 'blue-green',
  promotion: 'automatic',
  scaleDownDelaySeconds: 30,
  prePromotionAnalysis: { count: 3, interval: '10s' },
  ...extra,
});

/** The message of the ConfigError an edit causes, or undefined when the configuration is accepted. */
function refusal(name: EnvironmentName, edit: (env: Doc) => void): string | undefined {
  try {
    parse(name, edit);
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
}

describe('release strategy configuration', () => {
  test('shipped: production releases auth-server, api and frontend blue-green with an analysis; app-server, staging and development roll', () => {
    const strategies = (name: EnvironmentName) => Object.fromEntries(Object.entries(shippedEnv(name).workloads).map(([id, w]) => [id, strategyOf(w).type]));
    expect(strategies('production')).toEqual({ 'auth-server': 'blue-green', api: 'blue-green', 'app-server': 'rolling', frontend: 'blue-green' });
    for (const name of ['staging', 'development'] as const) {
      expect(Object.values(strategies(name)).every((t) => t === 'rolling')).toBe(true);
    }
    for (const id of ['auth-server', 'api', 'frontend']) {
      const s = strategyOf(shippedEnv('production').workloads[id]);
      expect(s.type === 'blue-green' && s.prePromotionAnalysis !== false).toBe(true);
    }
  });

  test('both colours count as pods that run at once', () => {
    const w = shippedEnv('production').workloads;
    expect(concurrentPods(w.api)).toBe(20);
    expect(concurrentPods(w['app-server'])).toBe(8);
  });

  test.each<[string, EnvironmentName, (e: Doc) => void, RegExp]>([
    [
      'a preview host on an internal component',
      'staging',
      (e) => set(e, 'workloads.app-server.strategy', blueGreen({ previewHost: 'preview-app-server.staging.ctis.betts.example' })),
      /^config\/staging\.yaml: environment "staging": field workloads\.app-server\.strategy\.previewHost: app-server is an internal component/,
    ],
    [
      'a blue-green component with a single replica in production',
      'production',
      (e) => set(e, 'workloads.api.scaling', { replicas: 1 }),
      /^config\/production\.yaml: environment "production": field workloads\.api\.scaling\.replicas: must be at least 2 for a blue-green component in production/,
    ],
    [
      'a blue-green component whose autoscaler may go down to one pod in production',
      'production',
      (e) => set(e, 'workloads.frontend.scaling.minReplicas', 1),
      /field workloads\.frontend\.scaling\.minReplicas: must be at least 2 for a blue-green component in production/,
    ],
    [
      'a preview host with the nginx profile, which renders no allow-list',
      'production',
      (e) => set(e, 'workloads.api.strategy.previewHost', 'preview-api.ctis.betts.example'),
      /field workloads\.api\.strategy\.previewHost: is not supported by the nginx profile/,
    ],
    [
      'a preview host with Traefik but an empty admin allow-list',
      'staging',
      (e) => {
        set(e, 'workloads.api.strategy', blueGreen({ previewHost: 'preview-api.staging.ctis.betts.example' }));
        set(e, 'edge.adminAllowList', []);
        set(e, 'rollouts', CONTROLLER);
      },
      /field workloads\.api\.strategy\.previewHost: needs edge\.adminAllowList/,
    ],
    [
      'a preview host that is already a public host',
      'staging',
      (e) => {
        set(e, 'workloads.api.strategy', blueGreen({ previewHost: get(e, 'hosts.frontend') }));
        set(e, 'rollouts', CONTROLLER);
      },
      /field workloads\.api\.strategy\.previewHost: "staging\.ctis\.betts\.example" is already used by hosts\.frontend/,
    ],
    [
      'an analysis without the Argo Rollouts controller',
      'staging',
      (e) => set(e, 'workloads.api.strategy', blueGreen()),
      /field rollouts\.controller: is required: the pre-promotion analysis of api is run by the Argo Rollouts controller/,
    ],
    [
      'an auto-promotion delay with manual promotion',
      'production',
      (e) => set(e, 'workloads.api.strategy.autoPromotionSeconds', 60),
      /field workloads\.api\.strategy\.autoPromotionSeconds: applies to automatic promotion only/,
    ],
    ['a scale-down delay below 30 seconds', 'production', (e) => set(e, 'workloads.api.strategy.scaleDownDelaySeconds', 5), /field workloads\.api\.strategy\.scaleDownDelaySeconds: must be at least 30/],
    ['an unknown strategy', 'production', (e) => set(e, 'workloads.api.strategy', { type: 'canary' }), /field workloads\.api\.strategy\.type: /],
    ['a misspelt option', 'production', (e) => set(e, 'workloads.api.strategy.promote', 'manual'), /field workloads\.api\.strategy\.promote: is not a known field/],
    ['an analysis interval that is not in seconds', 'production', (e) => set(e, 'workloads.api.strategy.prePromotionAnalysis.interval', '1m'), /field workloads\.api\.strategy\.prePromotionAnalysis\.interval: must be a number of seconds/],
    ['a blue-green data store', 'production', (e) => set(e, 'workloads.redis', get(e, 'workloads.api')), /field workloads\.redis: is not an application component/],
  ])('%s is refused with one line naming the field', (_what, name, edit, message) => {
    const m = refusal(name, edit);
    expect(m).toMatch(message);
    expect(m).not.toContain('\n');
  });

  test.each<[string, EnvironmentName, (e: Doc) => void]>([
    ['a single-replica blue-green component in development', 'development', (e) => set(e, 'workloads.frontend.strategy', blueGreen({ prePromotionAnalysis: false }))],
    [
      'a preview host behind the staging admin allow-list',
      'staging',
      (e) => {
        set(e, 'workloads.api.strategy', blueGreen({ previewHost: 'preview-api.staging.ctis.betts.example' }));
        set(e, 'rollouts', CONTROLLER);
      },
    ],
    ['blue-green without an analysis needs no controller', 'staging', (e) => set(e, 'workloads.frontend.strategy', blueGreen({ prePromotionAnalysis: false }))],
    ['an explicit rolling strategy', 'production', (e) => set(e, 'workloads.api.strategy', { type: 'rolling' })],
  ])('%s is accepted', (_what, name, edit) => {
    expect(refusal(name, edit)).toBeUndefined();
  });
});
