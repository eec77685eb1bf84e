import type { EnvironmentConfig } from '../../src/config/schema';
import { parseManifests } from '../../src/manifests';
import { buildPolicyIndex, ConnectionSet, PodEndpoint, PolicyIndex } from '../../src/netpol';
import { renderEnvironment } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { effectiveTopology } from '../../src/topology/effective';
import { ENVIRONMENTS, PROFILES, shippedEnv, withProfile } from '../support/render';

/**
 * Blue-green releases judged from the rendered YAML by the NetworkPolicy engine: the policies
 * select both colours (a pod carrying the controller's `rollouts-pod-template-hash` label is
 * treated like any other pod of its component), component-to-component reachability is exactly
 * what the same environment released rolling allows, and the only new path is the Argo Rollouts
 * controller's pods reaching the readiness port of components with a pre-promotion analysis.
 */
const HASH = 'rollouts-pod-template-hash';

function indexFor(env: EnvironmentConfig): PolicyIndex {
  const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
  return buildPolicyIndex(objects, { ingressController: { namespace: env.edge.controller.namespace, labels: env.edge.controller.podLabels } });
}

/** The same environment with every component released rolling. */
function allRolling(env: EnvironmentConfig): EnvironmentConfig {
  const workloads = Object.fromEntries(Object.entries(env.workloads).map(([id, w]) => [id, { ...w, strategy: { type: 'rolling' as const } }]));
  return { ...env, workloads };
}

function podOf(index: PolicyIndex, ns: string, id: string): PodEndpoint {
  const w = index.workloads.filter((x) => x.namespace === ns && x.pods.some((p) => p.labels['app.kubernetes.io/name'] === id));
  if (w.length !== 1) throw new Error(`expected one workload of ${id}, found ${w.length}`);
  return w[0].pods[0];
}

/** A pod of the other colour: the template's labels plus the hash the controller adds. */
function otherColour(index: PolicyIndex, p: PodEndpoint): PodEndpoint {
  return index.pod({ namespace: p.namespace, labels: { ...p.labels, [HASH]: '5d8f7c9b6' }, ports: [...p.ports], id: `${p.id}#preview` });
}

const controllerOf = (env: EnvironmentConfig) => env.rollouts?.controller ?? { namespace: 'argo-rollouts', podLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } };

describe.each(PROFILES)('production with the %s edge', (profile) => {
  const env = withProfile(shippedEnv('production'), profile);
  const rolling = allRolling(env);
  const index = indexFor(env);
  const before = indexFor(rolling);
  const ns = env.namespace;
  const t = effectiveTopology(CTIS_TOPOLOGY, env);
  const ids = t.components.filter((c) => c.inCluster).map((c) => c.id);
  const analysed = ids.filter((id) => {
    const s = env.workloads[id]?.strategy;
    return s?.type === 'blue-green' && s.prePromotionAnalysis !== false;
  });

  test('auth-server, api and frontend are released blue-green with an analysis; the check is not vacuous', () => {
    expect(analysed.sort()).toEqual(['api', 'auth-server', 'frontend']);
    expect(index.workloads.filter((w) => w.kind === 'Rollout').map((w) => w.name).sort()).toEqual(['api', 'auth-server', 'frontend']);
    expect(before.workloads.filter((w) => w.kind === 'Rollout')).toEqual([]);
  });

  test('reachability between components is exactly what the rolling release allows', () => {
    let compared = 0;
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        const now = index.allowed(podOf(index, ns, a), podOf(index, ns, b)).toString();
        const was = before.allowed(podOf(before, ns, a), podOf(before, ns, b)).toString();
        expect(`${a} -> ${b}: ${now}`).toBe(`${a} -> ${b}: ${was}`);
        compared++;
      }
      const controller = index.ingressControllerPod();
      expect(`edge -> ${a}: ${index.allowed(controller, podOf(index, ns, a)).toString()}`).toBe(`edge -> ${a}: ${before.allowed(before.ingressControllerPod(), podOf(before, ns, a)).toString()}`);
      expect(index.egressToExternal(podOf(index, ns, a))).toEqual(before.egressToExternal(podOf(before, ns, a)));
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  test('both colours have the same policies: a preview pod sends and receives exactly what the active one does', () => {
    for (const id of analysed) {
      const active = podOf(index, ns, id);
      const preview = otherColour(index, active);
      expect(index.selectingPolicies(preview, 'ingress').map((p) => p.name)).toEqual(index.selectingPolicies(active, 'ingress').map((p) => p.name));
      expect(index.selectingPolicies(preview, 'egress').map((p) => p.name)).toEqual(index.selectingPolicies(active, 'egress').map((p) => p.name));
      expect(index.selectingPolicies(preview, 'ingress').length).toBeGreaterThan(0);
      for (const other of ids) {
        if (other === id) continue;
        const peer = podOf(index, ns, other);
        expect(`${other} -> ${id}#preview: ${index.allowed(peer, preview).toString()}`).toBe(`${other} -> ${id}#preview: ${index.allowed(peer, active).toString()}`);
        expect(`${id}#preview -> ${other}: ${index.allowed(preview, peer).toString()}`).toBe(`${id}#preview -> ${other}: ${index.allowed(active, peer).toString()}`);
      }
    }
  });

  test('the Argo Rollouts controller reaches the readiness port of the analysed components, both colours, and nothing else', () => {
    const c = controllerOf(env);
    const controller = index.pod({ namespace: c.namespace, labels: c.podLabels, id: 'rollouts-controller' });
    for (const id of ids) {
      const target = podOf(index, ns, id);
      const expected = analysed.includes(id) ? ConnectionSet.tcp(t.components.find((x) => x.id === id)!.healthPort) : ConnectionSet.none();
      expect(`controller -> ${id}: ${index.allowed(controller, target).toString()}`).toBe(`controller -> ${id}: ${expected.toString()}`);
      expect(`controller -> ${id}#preview: ${index.allowed(controller, otherColour(index, target)).toString()}`).toBe(`controller -> ${id}#preview: ${expected.toString()}`);
      expect(index.allowed(target, controller).isEmpty()).toBe(true);
    }
    // Only the controller's pods: another pod of its namespace, or its labels elsewhere, get nothing.
    const neighbour = index.pod({ namespace: c.namespace, labels: { app: 'stray' }, id: 'neighbour' });
    const impostor = index.pod({ namespace: ns, labels: c.podLabels, id: 'impostor' });
    const elsewhere = index.pod({ namespace: 'elsewhere', labels: c.podLabels, id: 'elsewhere' });
    for (const id of ids) {
      for (const outsider of [neighbour, impostor, elsewhere]) {
        expect(`${outsider.id} -> ${id}: ${index.allowed(outsider, podOf(index, ns, id)).isEmpty()}`).toBe(`${outsider.id} -> ${id}: true`);
      }
    }
  });
});

describe.each(ENVIRONMENTS.filter((e) => e !== 'production'))('%s (rolling)', (name) => {
  test('runs no Rollout and admits no Argo Rollouts controller', () => {
    const env = shippedEnv(name);
    const index = indexFor(env);
    expect(index.workloads.filter((w) => w.kind === 'Rollout')).toEqual([]);
    const c = controllerOf(env);
    const controller = index.pod({ namespace: c.namespace, labels: c.podLabels, id: 'rollouts-controller' });
    for (const w of index.workloads.filter((x) => x.namespace === env.namespace)) {
      expect(`${w.id}: ${index.allowed(controller, w.pods[0]).isEmpty()}`).toBe(`${w.id}: true`);
    }
  });
});
