import * as path from 'node:path';
import { diffConnectivity, FORMATTERS } from '../../src/connectivity';
import { loadManifests } from '../../src/manifests';
import { analyzeConnectivity, ConnectivityReport } from '../../src/netpol';
import { DIFFS, expectGolden, FORMATS, manifestsOf, SCENARIO_NAMES, SCENARIOS } from './golden';

const reports = new Map<string, ConnectivityReport>();
function report(scenario: string): ConnectivityReport {
  let r = reports.get(scenario);
  if (!r) reports.set(scenario, (r = analyzeConnectivity(loadManifests(manifestsOf(scenario)))));
  return r;
}

/** `conns` of src => dst, or undefined when the connection is not allowed. */
function conn(scenario: string, src: string, dst: string): string | undefined {
  return report(scenario)
    .connections.find((c) => c.src === src && c.dst === dst)
    ?.conns.toString();
}

describe.each(SCENARIO_NAMES)('scenario %s matches its golden files', (scenario) => {
  it.each(FORMATS)('%s', (format) => {
    expectGolden(path.join(SCENARIOS, scenario, `expected.${format}`), FORMATTERS.get(format)!.format(report(scenario)));
  });
});

describe.each(DIFFS)('diff $name matches its golden files', ({ name, base, head }) => {
  it.each(FORMATS)('%s', (format) => {
    const diff = diffConnectivity(report(base).connections, report(head).connections);
    expectGolden(path.join(SCENARIOS, name, `expected.${format}`), FORMATTERS.get(format)!.format(diff));
  });
});

describe('scenario ctis (the declared CTIS edges)', () => {
  const ns = 'ctis-production';
  const w = (name: string, kind = 'Deployment') => `${ns}/${name}[${kind}]`;

  it('allows exactly the declared edges, the ingress controller to the public components, and nothing else', () => {
    const lines = report('ctis')
      .connections.filter((c) => c.srcKind !== 'outside' && c.dstKind !== 'outside')
      .map((c) => `${c.src} => ${c.dst} : ${c.conns.toString()}`);
    expect(lines.sort()).toEqual(
      [
        `${w('api')} => ${w('app-server')} : TCP 8080`,
        `${w('api')} => ${w('auth-server')} : TCP 8080`,
        `${w('api')} => ${w('redis', 'StatefulSet')} : TCP 6379`,
        `${w('app-server')} => 10.50.0.0-10.50.0.255 : TCP 443`,
        `${w('app-server')} => 10.50.2.0-10.50.255.255 : TCP 443`,
        `${w('app-server')} => 20.60.0.0-20.60.255.255 : TCP 443`,
        `${w('app-server')} => ${w('auth-server')} : TCP 8080`,
        `${w('app-server')} => ${w('postgresql', 'StatefulSet')} : TCP 5432`,
        `${w('app-server')} => ${w('redis', 'StatefulSet')} : TCP 6379`,
        `${w('auth-server')} => ${w('postgresql', 'StatefulSet')} : TCP 5432`,
        `${w('auth-server')} => ${w('redis', 'StatefulSet')} : TCP 6379`,
        `${w('frontend')} => ${w('api')} : TCP 8080`,
        `${w('frontend')} => ${w('auth-server')} : TCP 8080`,
        `{ingress-controller} => ${w('api')} : TCP 8080`,
        `{ingress-controller} => ${w('auth-server')} : TCP 8080`,
        `{ingress-controller} => ${w('frontend')} : TCP 3000`,
      ].sort(),
    );
    expect(report('ctis').warnings).toEqual([]);
  });

  it('shows cluster DNS and the controller pods the policies name, and no other pod outside the manifests', () => {
    const outside = report('ctis')
      .connections.filter((c) => c.srcKind === 'outside' || c.dstKind === 'outside')
      .map((c) => `${c.src} => ${c.dst} : ${c.conns.toString()}`);
    const dns = 'kube-system/{k8s-app=kube-dns}';
    const controller = 'nginx-ingress/{app.kubernetes.io/name=nginx-ingress}';
    expect(outside).toEqual([
      ...['api', 'app-server', 'auth-server', 'frontend'].map((n) => `${w(n)} => ${dns} : TCP 53;UDP 53`),
      ...['postgresql', 'redis'].map((n) => `${w(n, 'StatefulSet')} => ${dns} : TCP 53;UDP 53`),
      `${controller} => ${w('api')} : TCP 8080`,
      `${controller} => ${w('auth-server')} : TCP 8080`,
      `${controller} => ${w('frontend')} : TCP 3000`,
    ]);
    const nodes = report('ctis').nodes.filter((n) => n.kind === 'outside');
    expect(nodes).toEqual([
      { id: dns, kind: 'outside', namespace: 'kube-system' },
      { id: controller, kind: 'outside', namespace: 'nginx-ingress' },
    ]);
  });
});

describe('scenario ctis-holes (policies open to pods outside the manifests)', () => {
  const w = (name: string, kind = 'Deployment') => `ctis-production/${name}[${kind}]`;

  it('shows egress to any namespace as {other-namespace}, and the named classes it now reaches', () => {
    expect(conn('ctis-holes', w('api'), '{other-namespace}')).toBe('All Connections');
    expect(conn('ctis-holes', w('api'), 'kube-system/{k8s-app=kube-dns}')).toBe('All Connections');
    // nginx-ingress is declared in the manifests: an unlabelled pod there has no policy.
    expect(conn('ctis-holes', w('api'), 'nginx-ingress/{any-other-pod}')).toBe('All Connections');
    // The namespace of the manifests is default-deny: an unlabelled pod there admits nothing.
    expect(conn('ctis-holes', w('api'), 'ctis-production/{any-other-pod}')).toBeUndefined();
  });

  it('shows ingress from any namespace as connections from {other-namespace} and the named classes', () => {
    expect(conn('ctis-holes', '{other-namespace}', w('redis', 'StatefulSet'))).toBe('TCP 6379');
    expect(conn('ctis-holes', 'kube-system/{k8s-app=kube-dns}', w('redis', 'StatefulSet'))).toBe('TCP 6379');
    // Unlabelled pods of the namespace only have DNS egress.
    expect(conn('ctis-holes', 'ctis-production/{any-other-pod}', w('redis', 'StatefulSet'))).toBeUndefined();
  });

  it('names pods chosen by namespace labels and pod labels', () => {
    expect(conn('ctis-holes', w('app-server'), '{other-namespace team=monitoring}/{app=prometheus}')).toBe('TCP 9090');
    // A class a peer names is paired only with the workloads its policy selects.
    expect(conn('ctis-holes', w('api'), '{other-namespace team=monitoring}/{app=prometheus}')).toBeUndefined();
  });
});

describe('scenario shop (semantics across namespaces)', () => {
  it('opens web to everyone on its named port, the ingress controller included', () => {
    expect(conn('shop', '0.0.0.0-255.255.255.255', 'shop/web[Deployment]')).toBe('TCP 8080');
    expect(conn('shop', 'staging/web[Deployment]', 'shop/web[Deployment]')).toBe('TCP 8080');
    expect(conn('shop', '{ingress-controller}', 'shop/web[Deployment]')).toBe('TCP 8080');
    expect(conn('shop', '{ingress-controller}', 'shop/cart[Deployment]')).toBeUndefined();
  });

  it('scopes podSelector peers to the policy namespace', () => {
    expect(conn('shop', 'shop/web[Deployment]', 'shop/cart[Deployment]')).toBe('TCP 8080');
    expect(conn('shop', 'staging/web[Deployment]', 'shop/cart[Deployment]')).toBeUndefined();
  });

  it('allows endPort ranges', () => {
    expect(conn('shop', 'shop/recommender[Deployment]', 'shop/search[StatefulSet]')).toBe('TCP 9300-9400');
  });

  it('applies an egress-only policy: cart reaches the gateway by a named port, DNS, and the internet except private ranges', () => {
    expect(conn('shop', 'shop/cart[Deployment]', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'shop/cart[Deployment]', 'shop/search[StatefulSet]')).toBeUndefined();
    expect(conn('shop', 'shop/cart[Deployment]', 'default/debug[Pod]')).toBe('TCP 53;UDP 53');
    expect(conn('shop', 'shop/cart[Deployment]', '10.0.0.0-10.255.255.255')).toBe('TCP 53;UDP 53');
    expect(conn('shop', 'shop/cart[Deployment]', '11.0.0.0-192.167.255.255')).toBe('TCP 53,443;UDP 53');
    expect(conn('shop', 'shop/cart[Deployment]', '0.0.0.0-255.255.255.255')).toBeUndefined();
    // Ingress to cart is unaffected by its egress-only policy.
    expect(conn('shop', '0.0.0.0-255.255.255.255', 'shop/cart[Deployment]')).toBeUndefined();
  });

  it('admits the gateway only from env=prod namespaces', () => {
    expect(conn('shop', 'payments/ledger[StatefulSet]', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'shop/web[Deployment]', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'staging/web[Deployment]', 'payments/gateway[Deployment]')).toBeUndefined();
    expect(conn('shop', 'default/debug[Pod]', 'payments/gateway[Deployment]')).toBeUndefined();
    expect(conn('shop', 'payments/gateway[Deployment]', '172.16.0.0-172.31.255.255')).toBe('SCTP 3868');
    expect(conn('shop', 'payments/gateway[Deployment]', 'payments/ledger[StatefulSet]')).toBe('TCP 5432');
  });

  it('isolates ingress for a policy without policyTypes that only has egress rules', () => {
    const r = report('shop');
    expect(r.connections.filter((c) => c.dst === 'monitoring/prometheus[Deployment]')).toEqual([]);
    expect(conn('shop', 'monitoring/prometheus[Deployment]', 'default/debug[Pod]')).toBe('TCP 9090');
    expect(conn('shop', 'monitoring/prometheus[Deployment]', 'shop/web[Deployment]')).toBeUndefined();
    expect(r.connections.filter((c) => c.src === 'monitoring/prometheus[Deployment]' && c.dstKind === 'external')).toEqual([]);
  });

  it('admits pods of unlisted env=prod namespaces to the gateway, and an unlabelled pod of a listed one', () => {
    expect(conn('shop', '{other-namespace env=prod}', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'payments/{any-other-pod}', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'shop/{any-other-pod}', 'payments/gateway[Deployment]')).toBe('TCP 8443');
    expect(conn('shop', 'staging/{any-other-pod}', 'payments/gateway[Deployment]')).toBeUndefined();
    expect(conn('shop', '{other-namespace}', 'payments/gateway[Deployment]')).toBeUndefined();
  });

  it('lets monitoring pods outside the manifests scrape on 9090 and unrestricted pods reach any namespace', () => {
    expect(conn('shop', 'monitoring/{any-other-pod}', 'staging/web[Deployment]')).toBe('TCP 9090');
    expect(conn('shop', 'staging/web[Deployment]', '{other-namespace}')).toBe('All Connections');
    expect(conn('shop', 'shop/cart[Deployment]', '{other-namespace}')).toBe('TCP 53;UDP 53');
  });

  it('puts objects without a namespace in default and warns without stopping', () => {
    expect(conn('shop', '0.0.0.0-255.255.255.255', 'default/debug[Pod]')).toBe('All Connections');
    expect(report('shop').warnings.map((w) => w.code)).toEqual(['policy-selects-nothing', 'named-port-unresolved']);
  });
});

describe('scenario pods-and-lists (bare pods, owners, List kinds)', () => {
  it('shows pods as their owners, one node per workload', () => {
    const ids = report('pods-and-lists')
      .nodes.filter((n) => n.kind === 'workload')
      .map((n) => n.id);
    expect(ids).toEqual([
      'apps/api[Deployment]',
      'apps/cache[ReplicaSet]',
      'apps/legacy[Pod]',
      'apps/migrate[Job]',
      'apps/node-agent[DaemonSet]',
      'apps/web-7d9f8[ReplicaSet]',
    ]);
  });

  it('evaluates Exists, NotIn and DoesNotExist peers and named ports from a JSON List', () => {
    expect(conn('pods-and-lists', 'apps/node-agent[DaemonSet]', 'apps/api[Deployment]')).toBe('TCP 9000');
    expect(conn('pods-and-lists', 'apps/web-7d9f8[ReplicaSet]', 'apps/api[Deployment]')).toBe('TCP 9000');
    expect(conn('pods-and-lists', 'apps/legacy[Pod]', 'apps/api[Deployment]')).toBeUndefined();
    expect(conn('pods-and-lists', 'apps/migrate[Job]', 'apps/api[Deployment]')).toBeUndefined();
    expect(conn('pods-and-lists', 'apps/api[Deployment]', 'apps/cache[ReplicaSet]')).toBe('TCP 6379');
    expect(conn('pods-and-lists', 'apps/web-7d9f8[ReplicaSet]', 'apps/cache[ReplicaSet]')).toBeUndefined();
    expect(conn('pods-and-lists', 'apps/legacy[Pod]', 'apps/cache[ReplicaSet]')).toBeUndefined();
    expect(report('pods-and-lists').connections.filter((c) => c.src === 'apps/cache[ReplicaSet]')).toEqual([]);
    expect(report('pods-and-lists').connections.filter((c) => c.src === 'apps/migrate[Job]')).toEqual([]);
  });

  it('lets an unlabelled pod of the namespace into cache (NotIn and DoesNotExist match it), not into api', () => {
    expect(conn('pods-and-lists', 'apps/{any-other-pod}', 'apps/cache[ReplicaSet]')).toBe('TCP 6379');
    expect(conn('pods-and-lists', 'apps/{any-other-pod}', 'apps/api[Deployment]')).toBeUndefined();
    expect(conn('pods-and-lists', '{other-namespace}', 'apps/cache[ReplicaSet]')).toBeUndefined();
  });
});

describe('scenario ipblocks (ranges split by cidr and except)', () => {
  it('splits ingress ranges and supports IPv6 and endPort', () => {
    expect(conn('ipblocks', '203.0.113.0-203.0.113.127', 'edge/proxy[Deployment]')).toBe('TCP 443');
    expect(report('ipblocks').connections.some((c) => c.src.startsWith('203.0.113.128'))).toBe(false);
    expect(conn('ipblocks', '2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'edge/proxy[Deployment]')).toBe('TCP 443');
    expect(conn('ipblocks', '198.51.100.0-198.51.100.255', 'edge/proxy[Deployment]')).toBe('TCP 8443-8445');
  });

  it('merges overlapping egress blocks per range and never matches pods with ipBlock', () => {
    expect(conn('ipblocks', 'edge/worker[Deployment]', '10.0.0.0-10.0.255.255')).toBe('TCP 443,5432;UDP 53,514');
    expect(conn('ipblocks', 'edge/worker[Deployment]', '10.1.0.0-10.2.255.255')).toBe('TCP 443;UDP 53');
    expect(conn('ipblocks', 'edge/worker[Deployment]', '10.3.0.0-10.255.255.255')).toBe('TCP 443,5432;UDP 53');
    expect(conn('ipblocks', 'edge/worker[Deployment]', 'edge/proxy[Deployment]')).toBe('UDP 53');
  });
});

describe('diff ctis -> ctis-v2', () => {
  it('reports the added, removed and changed connections', () => {
    const diff = diffConnectivity(report('ctis').connections, report('ctis-v2').connections);
    expect(diff.changes.map((c) => `${c.change} ${c.src} => ${c.dst} : ${c.before.toString()} -> ${c.after.toString()}`)).toEqual([
      'added ctis-production/worker[Deployment] => ctis-production/redis[StatefulSet] : No Connections -> TCP 6379',
      'added ctis-production/worker[Deployment] => kube-system/{k8s-app=kube-dns} : No Connections -> TCP 53;UDP 53',
      'removed ctis-production/app-server[Deployment] => 10.50.0.0-10.50.0.255 : TCP 443 -> No Connections',
      'removed ctis-production/frontend[Deployment] => ctis-production/auth-server[Deployment] : TCP 8080 -> No Connections',
      'changed ctis-production/api[Deployment] => ctis-production/app-server[Deployment] : TCP 8080 -> TCP 8080,8443',
    ]);
  });

  it('is empty for identical inputs and symmetric otherwise', () => {
    expect(diffConnectivity(report('ctis').connections, report('ctis').connections).changes).toEqual([]);
    const back = diffConnectivity(report('ctis-v2').connections, report('ctis').connections);
    expect(back.changes.map((c) => c.change).sort()).toEqual(['added', 'added', 'changed', 'removed', 'removed']);
  });
});

describe('diff ctis -> ctis-holes', () => {
  it('shows the holes towards pods outside the manifests opening, and closing the other way', () => {
    const diff = diffConnectivity(report('ctis').connections, report('ctis-holes').connections);
    const lines = diff.changes.map((c) => `${c.change} ${c.src} => ${c.dst}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'added ctis-production/api[Deployment] => {other-namespace}',
        'added {other-namespace} => ctis-production/redis[StatefulSet]',
        'added ctis-production/app-server[Deployment] => {other-namespace team=monitoring}/{app=prometheus}',
        'changed ctis-production/api[Deployment] => kube-system/{k8s-app=kube-dns}',
      ]),
    );
    expect(diff.nodes.find((n) => n.id === '{other-namespace}')).toEqual({ id: '{other-namespace}', kind: 'outside' });
    expect(diff.nodes.find((n) => n.id === 'kube-system/{k8s-app=kube-dns}')?.namespace).toBe('kube-system');
    const back = diffConnectivity(report('ctis-holes').connections, report('ctis').connections);
    expect(back.changes.filter((c) => c.change === 'removed').map((c) => `${c.src} => ${c.dst}`)).toEqual(
      expect.arrayContaining(['ctis-production/api[Deployment] => {other-namespace}', '{other-namespace} => ctis-production/redis[StatefulSet]']),
    );
  });
});
