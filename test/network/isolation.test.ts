import { EnvironmentConfig } from '../../src/config/schema';
import { blueGreenOf } from '../../src/config/strategy';
import { parseManifests } from '../../src/manifests';
import { analyzeConnectivity, buildPolicyIndex, ConnectionSet, parseCidr, PolicyIndex, rangesOverlap, subtractRanges } from '../../src/netpol';
import { renderEnvironment } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { effectiveTopology } from '../../src/topology/effective';
import { ENVIRONMENTS, PROFILES, shippedEnv, withProfile } from '../support/render';

/**
 * Network isolation judged from the rendered YAML alone, by the NetworkPolicy engine (which
 * shares no code with the generator's policy building): every declared edge is allowed on its
 * port and nothing else is.
 */
/**
 * The pods of a component's workload, whatever its kind (Deployment, Rollout, StatefulSet): the
 * one workload of the namespace whose pods carry the component's name label.
 */
function podOf(index: PolicyIndex, ns: string, id: string) {
  const found = index.workloads.filter((w) => w.namespace === ns && w.kind !== 'CronJob' && w.pods.some((p) => p.labels['app.kubernetes.io/name'] === id));
  if (found.length !== 1) throw new Error(`expected one workload of ${id} in ${ns}, found ${found.map((w) => w.id).join(', ') || 'none'}`);
  return found[0].pods[0];
}

function indexFor(env: EnvironmentConfig) {
  const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
  return buildPolicyIndex(objects, {
    ingressController: { namespace: env.edge.controller.namespace, labels: env.edge.controller.podLabels },
  });
}

describe.each(ENVIRONMENTS)('network isolation of %s', (envName) => {
  describe.each(PROFILES)('with the %s edge', (profile) => {
    const env = withProfile(shippedEnv(envName), profile);
    const t = effectiveTopology(CTIS_TOPOLOGY, env);
    const index = indexFor(env);
    const ns = env.namespace;
    // Components in the cluster and the scheduled tasks: every workload of the namespace.
    const inCluster = [...t.components.filter((c) => c.inCluster), ...t.tasks];
    const pod = (id: string) => {
      if (CTIS_TOPOLOGY.components.some((c) => c.id === id)) return podOf(index, ns, id);
      const w = index.workload(`${ns}/${id}[CronJob]`);
      if (!w) throw new Error(`no task ${id} in ${envName}`);
      return w.pods[0];
    };
    const dns = index.pod({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, id: 'kube-dns' });

    test('every declared edge between components is allowed on its port, and only that port', () => {
      const edges = t.edges.filter((e) => e.to.kind === 'component');
      expect(edges.length).toBeGreaterThanOrEqual(5);
      for (const e of edges) {
        if (e.to.kind !== 'component') continue;
        const allowed = index.allowed(pod(e.from), pod(e.to.id));
        expect(`${e.from} -> ${e.to.id}: ${allowed.toString()}`).toBe(`${e.from} -> ${e.to.id}: ${ConnectionSet.tcp(e.to.port).toString()}`);
      }
    });

    test('every other pair of components is denied', () => {
      let denied = 0;
      for (const a of inCluster) {
        for (const b of inCluster) {
          if (a.id === b.id) continue;
          if (t.edges.some((e) => e.from === a.id && e.to.kind === 'component' && e.to.id === b.id)) continue;
          expect(`${a.id} -> ${b.id}: ${index.allowed(pod(a.id), pod(b.id)).toString()}`).toBe(`${a.id} -> ${b.id}: ${ConnectionSet.none().toString()}`);
          denied++;
        }
      }
      expect(denied).toBeGreaterThanOrEqual(7);
    });

    test('a stray pod in the namespace and a pod in another namespace reach nothing and are reached by nothing', () => {
      const stray = index.pod({ namespace: ns, labels: { app: 'stray' }, id: 'stray' });
      const other = index.pod({ namespace: 'elsewhere', labels: { 'app.kubernetes.io/name': 'api' }, id: 'elsewhere' });
      for (const c of inCluster) {
        for (const outsider of [stray, other]) {
          expect(index.allowed(outsider, pod(c.id)).isEmpty()).toBe(true);
          expect(index.allowed(pod(c.id), outsider).isEmpty()).toBe(true);
        }
      }
    });

    test('the ingress controller reaches the public components on their serving port and nothing else', () => {
      const controller = index.ingressControllerPod();
      for (const c of inCluster) {
        const component = t.components.find((x) => x.id === c.id);
        const expected = component?.spec.exposure === 'public' ? ConnectionSet.tcp(component.servingPort) : ConnectionSet.none();
        expect(`${c.id}: ${index.allowed(controller, pod(c.id)).toString()}`).toBe(`${c.id}: ${expected.toString()}`);
      }
      // The same labels in another namespace are not the controller.
      const impostor = index.pod({ namespace: ns, labels: env.edge.controller.podLabels, id: 'impostor' });
      expect(inCluster.every((c) => index.allowed(impostor, pod(c.id)).isEmpty())).toBe(true);
    });

    test('every workload reaches cluster DNS on UDP and TCP 53, and no other namespace', () => {
      for (const c of inCluster) {
        expect(index.allowed(pod(c.id), dns).toString()).toBe(ConnectionSet.tcp(53).union(ConnectionSet.udp(53)).toString());
      }
      const notDns = index.pod({ namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' }, id: 'other' });
      expect(inCluster.every((c) => index.allowed(pod(c.id), notDns).isEmpty())).toBe(true);
    });

    test('the only traffic leaving the cluster goes to declared CIDRs on declared ports, from the declaring components', () => {
      for (const c of inCluster) {
        const declared = t.edges.filter((e) => e.from === c.id && e.to.kind === 'external');
        const out = index.egressToExternal(pod(c.id));
        expect(out.length > 0).toBe(declared.length > 0);
        for (const conn of out) {
          // Adjacent CIDRs with the same ports come back merged: the range must lie inside the declared ones.
          const overlapping = declared.filter((e) => e.to.kind === 'external' && rangesOverlap(parseCidr(e.to.cidr)!, conn.range));
          const covered = subtractRanges(conn.range, overlapping.map((e) => parseCidr((e.to as { cidr: string }).cidr)!));
          expect(`${c.id} -> ${conn.id}: uncovered ${covered.length}`).toBe(`${c.id} -> ${conn.id}: uncovered 0`);
          const ports = overlapping.reduce((acc, e) => acc.union(ConnectionSet.tcp(e.to.port)), ConnectionSet.none());
          expect(ports.contains(conn.conns)).toBe(true);
        }
        for (const e of declared) {
          if (e.to.kind !== 'external') continue;
          const address = e.to.cidr.split('/')[0].replace(/\.0$/, '.7');
          expect(`${c.id} -> ${address}: ${index.allowed(pod(c.id), index.external(address)).toString()}`).toBe(`${c.id} -> ${address}: ${ConnectionSet.tcp(e.to.port).toString()}`);
        }
        for (const address of ['8.8.8.8', '10.99.99.99', '192.168.1.10']) {
          expect(index.allowed(pod(c.id), index.external(address)).isEmpty()).toBe(true);
        }
        expect(index.ingressFromExternal(pod(c.id))).toEqual([]);
      }
    });

    test('the instrumented components reach the declared collector on its port, and nothing else in its namespace does', () => {
      const tel = env.telemetry;
      if (!tel.enabled || tel.collector.mode !== 'in-cluster') return;
      const c = tel.collector;
      const collector = index.pod({ namespace: c.namespace, labels: c.podLabels, id: 'collector' });
      const neighbour = index.pod({ namespace: c.namespace, labels: { app: 'stray' }, id: 'collector-neighbour' });
      let exporters = 0;
      for (const w of inCluster) {
        const instrumented = CTIS_TOPOLOGY.components.find((x) => x.id === w.id)?.telemetry === true;
        exporters += instrumented ? 1 : 0;
        expect(`${w.id}: ${index.allowed(pod(w.id), collector).toString()}`).toBe(`${w.id}: ${(instrumented ? ConnectionSet.tcp(c.port) : ConnectionSet.none()).toString()}`);
        expect(index.allowed(collector, pod(w.id)).isEmpty()).toBe(true);
        expect(index.allowed(pod(w.id), neighbour).isEmpty()).toBe(true);
      }
      expect(exporters).toBe(4);
    });

    test('the configured Prometheus reaches the metrics port of the instrumented components only, other pods of its namespace nothing', () => {
      const m = env.monitoring;
      if (!m.enabled) return;
      const prometheus = index.pod({ namespace: m.prometheus.namespace, labels: m.prometheus.podLabels, id: 'prometheus' });
      const neighbour = index.pod({ namespace: m.prometheus.namespace, labels: { app: 'stray' }, id: 'prometheus-neighbour' });
      let scraped = 0;
      for (const w of inCluster) {
        const port = t.components.find((x) => x.id === w.id)?.metrics?.port;
        scraped += port ? 1 : 0;
        expect(`${w.id}: ${index.allowed(prometheus, pod(w.id)).toString()}`).toBe(`${w.id}: ${(port ? ConnectionSet.tcp(port) : ConnectionSet.none()).toString()}`);
        expect(index.allowed(neighbour, pod(w.id)).isEmpty()).toBe(true);
        expect(index.allowed(pod(w.id), prometheus).isEmpty()).toBe(true);
      }
      expect(scraped).toBe(4);
    });
  });
});

/**
 * The same environment as it was before the operations sections existed: no telemetry, no
 * monitoring, no backups, and the bucket and the telemetry endpoint as plain external services.
 */
function withoutOperations(env: EnvironmentConfig): EnvironmentConfig {
  const strip = (s: EnvironmentConfig['dataStores']['postgresql']) => (s.mode === 'in-cluster' ? { ...s, backup: undefined } : s);
  const folded: EnvironmentConfig['externalServices'] = [];
  if (env.objectStorage) folded.push({ name: 'blob-storage', cidr: env.objectStorage.cidr, port: env.objectStorage.port, from: env.objectStorage.from });
  const tel = env.telemetry;
  if (tel.enabled && tel.collector.mode === 'external') {
    folded.push({ name: 'monitoring', cidr: tel.collector.cidr, port: tel.collector.port, from: ['auth-server', 'api', 'app-server', 'frontend'] });
  }
  return {
    ...env,
    dataStores: { postgresql: strip(env.dataStores.postgresql), redis: strip(env.dataStores.redis) },
    externalServices: [...env.externalServices, ...folded],
    telemetry: { enabled: false },
    monitoring: { enabled: false },
    objectStorage: undefined,
  };
}

/** The kind of a component's workload: a Rollout where it is released blue-green (Prometheus scrapes both colours). */
function kindOf(env: EnvironmentConfig, id: string): string {
  return blueGreenOf(env.workloads[id] ?? {}) ? 'Rollout' : 'Deployment';
}

function connections(env: EnvironmentConfig): Set<string> {
  const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
  const report = analyzeConnectivity(objects, { ingressController: { namespace: env.edge.controller.namespace, labels: env.edge.controller.podLabels } });
  return new Set(report.connections.map((c) => `${c.src} => ${c.dst} : ${c.conns.toString()}`));
}

test.each(ENVIRONMENTS)('%s: the operations sections add exactly the collector, Prometheus and backup connections', (name) => {
  const env = shippedEnv(name);
  const before = connections(withoutOperations(env));
  const after = connections(env);
  const ns = env.namespace;
  expect([...before].filter((c) => !after.has(c))).toEqual([]);
  const added = [...after].filter((c) => !before.has(c)).sort();
  const expected: string[] = [];
  const t = effectiveTopology(CTIS_TOPOLOGY, env);
  const tel = env.telemetry;
  if (tel.enabled && tel.collector.mode === 'in-cluster') {
    const peer = `${tel.collector.namespace}/{${Object.entries(tel.collector.podLabels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
    for (const c of t.components) if (c.spec.telemetry) expected.push(`${ns}/${c.id}[${kindOf(env, c.id)}] => ${peer} : TCP ${tel.collector.port}`);
  }
  if (env.monitoring.enabled) {
    const p = env.monitoring.prometheus;
    const peer = `${p.namespace}/{${Object.entries(p.podLabels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
    for (const c of t.components) if (c.metrics) expected.push(`${peer} => ${ns}/${c.id}[${kindOf(env, c.id)}] : TCP ${c.metrics.port}`);
  }
  for (const task of t.tasks) {
    // Every workload may resolve names; the backup alone reaches PostgreSQL.
    expected.push(`${ns}/${task.id}[CronJob] => kube-system/{k8s-app=kube-dns} : TCP 53;UDP 53`);
    if (task.spec.kind === 'backup') expected.push(`${ns}/${task.id}[CronJob] => ${ns}/postgresql[StatefulSet] : TCP ${t.components.find((c) => c.id === 'postgresql')!.servingPort}`);
  }
  expect(added).toEqual(expected.sort());
  expect(added.length).toBeGreaterThan(0);
});

test('app-server accepts api on its TLS port when mTLS is on, and the plain port when it is off', () => {
  const on = shippedEnv('production');
  expect(on.features.appServerMtls.enabled).toBe(true);
  const off: EnvironmentConfig = { ...on, features: { ...on.features, appServerMtls: { enabled: false } } };
  for (const [env, port] of [[on, 8443], [off, 8080]] as const) {
    const index = indexFor(env);
    const api = podOf(index, env.namespace, 'api');
    const appServer = podOf(index, env.namespace, 'app-server');
    expect(index.allowed(api, appServer).toString()).toBe(ConnectionSet.tcp(port).toString());
  }
});
