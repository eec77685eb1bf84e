/** The connectivity engine: hypothetical endpoints, pods outside the manifests, workloads, warnings and routes, scale. */
import { parseManifests } from '../../src/manifests';
import { analyzeConnectivity, buildPolicyIndex, NamedPort } from '../../src/netpol';
import { build, ep, ns, Obj, pod, policy } from './support';

describe('hypothetical endpoints', () => {
  const objs: Obj[] = [
    ns('ctis', { team: 'ctis' }),
    ns('nginx-ingress'),
    pod('ctis', 'api', { 'app.kubernetes.io/name': 'api' }, [{ name: 'http', containerPort: 8080 }]),
    policy('ctis', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('ctis', 'api', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nginx-ingress' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nginx-ingress' } },
            },
            { namespaceSelector: { matchLabels: { partner: 'yes' } } },
          ],
          ports: [{ port: 'http' }],
        },
      ],
      egress: [{ to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.5.0/24'] } }], ports: [{ port: 5432 }] }],
    }),
  ];
  const idx = build(objs);
  const api = ep(idx, 'ctis/api[Pod]');

  it('denies a stray pod in the same namespace', () => {
    const stray = idx.pod({ namespace: 'ctis', labels: { app: 'stray' } });
    expect(stray.id).toBe('ctis/{app=stray}');
    expect(idx.allows(stray, api, 'TCP', 8080)).toBe(false);
    expect(idx.isIsolated(stray, 'egress')).toBe(true);
    expect(idx.allowed(api, stray).toString()).toBe('No Connections');
  });

  it('evaluates pods of other namespaces with their namespace labels', () => {
    const partner = idx.pod({ namespace: 'elsewhere', labels: { app: 'x' }, namespaceLabels: { partner: 'yes' } });
    expect(idx.allowed(partner, api).toString()).toBe('TCP 8080');
    const plain = idx.pod({ namespace: 'elsewhere', labels: { app: 'x' } });
    expect(idx.allowed(plain, api).toString()).toBe('No Connections');
  });

  it('lets the ingress controller pod in on the named port only', () => {
    const ctrl = idx.ingressControllerPod();
    expect(ctrl.namespace).toBe('nginx-ingress');
    expect(idx.allows(ctrl, api, 'TCP', 8080)).toBe(true);
    expect(idx.allows(ctrl, api, 'TCP', 5432)).toBe(false);
    const impostor = idx.pod({ namespace: 'other', labels: { 'app.kubernetes.io/name': 'nginx-ingress' } });
    expect(idx.allows(impostor, api, 'TCP', 8080)).toBe(false);
  });

  it('answers which external ranges a pod may reach', () => {
    expect(idx.egressToExternal(api).map((e) => `${e.id} ${e.conns.toString()}`)).toEqual([
      '10.20.0.0-10.20.4.255 TCP 5432',
      '10.20.6.0-10.20.255.255 TCP 5432',
    ]);
    expect(idx.allows(api, idx.external('10.20.1.1'), 'TCP', 5432)).toBe(true);
    expect(idx.allows(api, idx.external('10.20.5.1'), 'TCP', 5432)).toBe(false);
    expect(idx.allows(api, idx.external('8.8.8.8'), 'TCP', 443)).toBe(false);
    expect(() => idx.external('not-an-ip')).toThrow(/not an IP address/);
  });
});

describe('pods outside the manifests', () => {
  const DNS_PEER = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  };
  const objs: Obj[] = [
    ns('a', { env: 'prod' }),
    pod('a', 'api', { app: 'api' }, [{ name: 'http', containerPort: 8080 }]),
    pod('a', 'db', { app: 'db' }),
    pod('b', 'open', { app: 'open' }),
    policy('a', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('a', 'dns', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [DNS_PEER], ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }, { port: 'dns', protocol: 'UDP' }] }],
    }),
    policy('a', 'api', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] },
        { from: [{ podSelector: { matchLabels: { app: 'debug' } } }], ports: [{ port: 9229 }] },
        { from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 7000 }] },
        { from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prom' } } }], ports: [{ port: 9090 }] },
        { from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port: 7100 }] },
      ],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }], ports: [{ port: 80 }] }],
    }),
  ];
  const idx = build(objs);
  const report = analyzeConnectivity(idx);
  const lines = (id: string) =>
    report.connections.filter((c) => c.src === id || c.dst === id).map((c) => `${c.src} => ${c.dst} : ${c.conns.toString()}`);

  it('lists the generic kinds and one class per peer that reaches outside the manifests, sorted', () => {
    expect(idx.outsideEndpoints().map((o) => o.id)).toEqual([
      'a/{any-other-pod}',
      'a/{app=debug}',
      'b/{any-other-pod}',
      'kube-system/{k8s-app=kube-dns}',
      '{other-namespace env=prod}',
      '{other-namespace team=obs}/{app=prom}',
      '{other-namespace}',
    ]);
    const dns = idx.outsideEndpoints().find((o) => o.id === 'kube-system/{k8s-app=kube-dns}')!;
    expect(dns.namespace).toBe('kube-system');
    expect(dns.pod).toMatchObject({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [] });
    expect(dns.namedBy!.map((p) => p.name)).toEqual(['dns']);
    expect(idx.outsideEndpoints().find((o) => o.id === '{other-namespace}')!.namedBy).toBeUndefined();
    // a/{app=db} is not a class: pods labelled app=db in a are the db workload.
    expect(idx.outsideEndpoints().some((o) => o.id === 'a/{app=db}')).toBe(false);
  });

  it('shows cluster DNS on numeric ports (named ports never resolve on pods outside the manifests)', () => {
    expect(lines('kube-system/{k8s-app=kube-dns}')).toEqual([
      'a/api[Pod] => kube-system/{k8s-app=kube-dns} : TCP 53;UDP 53',
      // api admits every namespace on http, kube-system included.
      'kube-system/{k8s-app=kube-dns} => a/api[Pod] : TCP 8080',
    ]);
  });

  it('shows what any namespace may open, and what an unrestricted workload may reach', () => {
    expect(lines('{other-namespace}')).toEqual([
      'b/open[Pod] => {other-namespace} : All Connections',
      // b has no policy: a pod nobody declared there talks with any other namespace.
      'b/{any-other-pod} => {other-namespace} : All Connections',
      '{other-namespace} => a/api[Pod] : TCP 8080',
      '{other-namespace} => b/open[Pod] : All Connections',
      '{other-namespace} => b/{any-other-pod} : All Connections',
    ]);
    expect(lines('{other-namespace env=prod}')).toEqual(['{other-namespace env=prod} => a/api[Pod] : TCP 7100,8080']);
    expect(lines('{other-namespace team=obs}/{app=prom}')).toEqual(['{other-namespace team=obs}/{app=prom} => a/api[Pod] : TCP 8080,9090']);
  });

  it('evaluates unlabelled and labelled pods of namespaces of the manifests under their policies', () => {
    // a is default-deny: its other pods can open nothing; b has no policy at all.
    expect(lines('a/{any-other-pod}')).toEqual([]);
    expect(lines('a/{app=debug}')).toEqual([]);
    // ... and its external ranges are listed: nothing restricts it.
    expect(lines('b/{any-other-pod}')).toEqual([
      '0.0.0.0-255.255.255.255 => b/{any-other-pod} : All Connections',
      'a/api[Pod] => b/{any-other-pod} : TCP 80',
      'b/open[Pod] => b/{any-other-pod} : All Connections',
      'b/{any-other-pod} => 0.0.0.0-255.255.255.255 : All Connections',
      'b/{any-other-pod} => a/api[Pod] : TCP 8080',
      'b/{any-other-pod} => b/open[Pod] : All Connections',
      'b/{any-other-pod} => {other-namespace} : All Connections',
      '{other-namespace} => b/{any-other-pod} : All Connections',
    ]);
    expect(report.nodes.filter((n) => n.kind === 'outside').map((n) => n.id)).toEqual([
      'b/{any-other-pod}',
      'kube-system/{k8s-app=kube-dns}',
      '{other-namespace env=prod}',
      '{other-namespace team=obs}/{app=prom}',
      '{other-namespace}',
    ]);
  });

  it('pairs a class a peer names only with the workloads of the naming policies', () => {
    // b/open may reach any pod anywhere, but kube-dns is only named by a's dns policy.
    expect(idx.allowed(ep(idx, 'b/open[Pod]'), idx.outsideEndpoints().find((o) => o.id === 'kube-system/{k8s-app=kube-dns}')!.pod).toString()).toBe('All Connections');
    expect(lines('kube-system/{k8s-app=kube-dns}').some((l) => l.startsWith('b/open'))).toBe(false);
  });

  it('answers workloadConnections for any hypothetical pod like pairwise evaluation', () => {
    const probes = [
      idx.pod({ namespace: 'a', labels: { app: 'debug' } }),
      idx.pod({ namespace: 'z', labels: { app: 'prom' }, namespaceLabels: { team: 'obs' } }),
      idx.pod({ namespace: 'b', labels: {} }),
      idx.pod({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }),
    ];
    for (const probe of probes) {
      const { inbound, outbound } = idx.workloadConnections(probe);
      for (const w of idx.workloads) {
        expect(outbound.get(w.id)?.toString() ?? 'No Connections').toBe(idx.allowed(probe, w.pods[0]).toString());
        expect(inbound.get(w.id)?.toString() ?? 'No Connections').toBe(idx.allowed(w.pods[0], probe).toString());
      }
    }
  });
});

describe('workloads', () => {
  const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: a}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-extra
  namespace: a
  labels: {app: api, extra: "true"}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: "1"}]
spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan-1
  namespace: a
  labels: {app: orphan}
  ownerReferences: [{name: orphan-owner, uid: "2"}]
spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: v1
kind: PodList
items:
- metadata: {name: rs-1, namespace: a, labels: {app: rs}, ownerReferences: [{kind: ReplicaSet, name: rs, uid: "3", controller: true}]}
  spec: {containers: [{name: c, image: i:1}]}
- metadata: {name: rs-2, namespace: a, labels: {app: rs}, ownerReferences: [{kind: ReplicaSet, name: rs, uid: "3", controller: true}]}
  spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: a}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: nightly}}
        spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: loose, labels: {app: loose}}
spec: {containers: [{name: c, image: i:1}]}
`;

  it('maps pods to their owners and merges them with the owner workload', () => {
    const idx = buildPolicyIndex(parseManifests(yaml, 'w.yaml'));
    expect(idx.workloads.map((w) => w.id)).toEqual([
      'a/api[Deployment]',
      'a/nightly[CronJob]',
      'a/orphan-owner[Pod]',
      'a/rs[ReplicaSet]',
      'default/loose[Pod]',
    ]);
    const api = idx.workload('a/api[Deployment]')!;
    expect(api.pods).toHaveLength(2);
    expect(api.objects.map((o) => o.key)).toEqual(['Deployment/a/api', 'Pod/a/api-extra']);
    expect(idx.workload('a/rs[ReplicaSet]')!.pods).toHaveLength(1);
    expect(idx.workload('a/nightly[CronJob]')!.pods[0].labels).toEqual({ app: 'nightly' });
  });

  it('uses the configured default namespace', () => {
    const idx = buildPolicyIndex(parseManifests(yaml, 'w.yaml'), { defaultNamespace: 'sandbox' });
    expect(idx.workload('sandbox/loose[Pod]')).toBeDefined();
  });

  it('unions connections over the pod variants of a workload', () => {
    const idx = buildPolicyIndex([
      ...parseManifests(yaml, 'w.yaml'),
      policy('a', 'p', {
        podSelector: { matchLabels: { app: 'rs' } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { extra: 'true' } } }], ports: [{ port: 1 }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'extra', operator: 'DoesNotExist' }] } }], ports: [{ port: 2 }] },
        ],
      }),
    ]);
    const report = analyzeConnectivity(idx);
    const line = report.connections.find((c) => c.src === 'a/api[Deployment]' && c.dst === 'a/rs[ReplicaSet]');
    expect(line?.conns.toString()).toBe('TCP 1-2');
  });
});

describe('warnings and routes', () => {
  it('reports policies that select nothing and invalid parts, with locations', () => {
    const objs = parseManifests(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector:
    matchLabels: {app: none}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/99}
`,
      'np.yaml',
    );
    const idx = buildPolicyIndex(objs);
    expect(idx.warnings.map((w) => [w.code, w.location?.line, w.resource])).toEqual([
      ['invalid-policy', 9, 'NetworkPolicy/a/p'],
      ['policy-selects-nothing', 5, 'NetworkPolicy/a/p'],
    ]);
  });

  it('routes the ingress controller through Ingress and HTTPRoute to Service target ports', () => {
    const objs: Obj[] = [
      pod('a', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]),
      pod('a', 'admin', { app: 'admin' }, [{ containerPort: 9000 }]),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'a' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'admin', namespace: 'a' },
        spec: { selector: { app: 'admin' }, ports: [{ port: 9000 }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'i', namespace: 'a' },
        spec: {
          rules: [
            {
              http: {
                paths: [
                  { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } },
                  { path: '/x', backend: { service: { name: 'missing', port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'r', namespace: 'a' },
        spec: { rules: [{ backendRefs: [{ name: 'admin', port: 9000 }] }] },
      },
    ];
    const report = analyzeConnectivity(objs);
    const fromCtrl = report.connections.filter((c) => c.src === '{ingress-controller}').map((c) => `${c.dst} ${c.conns.toString()}`);
    expect(fromCtrl).toEqual(['a/admin[Pod] TCP 9000', 'a/web[Pod] TCP 8080']);
    expect(report.warnings.map((w) => w.message)).toEqual([
      'Ingress a/i routes to Service a/missing, which is not in the manifests',
    ]);

    // A policy that does not admit the controller removes the route's connection.
    const closed = analyzeConnectivity([...objs, policy('a', 'deny', { podSelector: { matchLabels: { app: 'admin' } } })]);
    expect(closed.connections.filter((c) => c.src === '{ingress-controller}').map((c) => c.dst)).toEqual(['a/web[Pod]']);
  });
});

describe('connectivity at scale', () => {
  it('stays fast on 1,000 workloads and 1,000+ policies', () => {
    const objs: Obj[] = [];
    const N = 1000;
    const namespaces = 20;
    for (let n = 0; n < namespaces; n++) {
      objs.push(ns(`ns${n}`, { idx: String(n) }));
      objs.push(policy(`ns${n}`, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
      objs.push(
        policy(`ns${n}`, 'dns', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        }),
      );
      // Metrics scraping from anywhere in the cluster: every pod admits any pod on 9090.
      objs.push(
        policy(`ns${n}`, 'metrics', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 9090 }] }],
        }),
      );
    }
    for (let i = 0; i < N; i++) {
      const namespace = `ns${i % namespaces}`;
      const ports: NamedPort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }];
      objs.push(
        pod(namespace, `svc${i}`, { app: `svc${i}` }, ports.map((p) => ({ name: p.name, containerPort: p.port }))),
      );
      // Each service talks to the next five services (possibly in other namespaces).
      const targets = [1, 2, 3, 4, 5].map((k) => (i + k) % N);
      objs.push(
        policy(namespace, `svc${i}`, {
          podSelector: { matchLabels: { app: `svc${i}` } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [1, 2, 3, 4, 5].map((k) => {
                const s = (i - k + N) % N;
                return {
                  namespaceSelector: { matchLabels: { idx: String(s % namespaces) } },
                  podSelector: { matchLabels: { app: `svc${s}` } },
                };
              }),
              ports: [{ port: 'http' }],
            },
          ],
          egress: [
            {
              to: targets.map((t) => ({
                namespaceSelector: { matchLabels: { idx: String(t % namespaces) } },
                podSelector: { matchLabels: { app: `svc${t}` } },
              })),
              ports: [{ port: 'http' }],
            },
          ],
        }),
      );
    }
    const report = analyzeConnectivity(objs);
    const pods = report.connections.filter((c) => c.srcKind === 'workload' && c.dstKind === 'workload');
    expect(pods).toHaveLength(N * 5);
    // The DNS rule (no `to`) reaches every address outside; no pod admits UDP 53. The other pods
    // of each namespace get the same egress (the metrics policy selects them too).
    expect(report.connections.filter((c) => c.dstKind === 'external' && c.srcKind === 'workload')).toHaveLength(N);
    expect(report.connections.filter((c) => c.dstKind === 'external' && c.srcKind === 'outside')).toHaveLength(namespaces);
    expect(pods.every((c) => c.conns.toString() === 'TCP 8080')).toBe(true);
    expect(
      report.connections.find((c) => c.src === 'ns0/svc0[Pod]' && c.dst === 'ns1/svc1[Pod]')?.conns.toString(),
    ).toBe('TCP 8080');
    // Pods outside the manifests: any other namespace may scrape every workload on 9090 and
    // receive its DNS queries; each peer's class is paired with the workloads naming it only,
    // so the count stays linear.
    const other = report.connections.filter((c) => (c.src === '{other-namespace}' || c.dst === '{other-namespace}') && (c.srcKind === 'workload' || c.dstKind === 'workload'));
    expect(other).toHaveLength(2 * N);
    expect(other.every((c) => c.conns.toString() === (c.src === '{other-namespace}' ? 'TCP 9090' : 'UDP 53'))).toBe(true);
    const outside = report.connections.filter((c) => c.srcKind === 'outside' || c.dstKind === 'outside');
    expect(outside.length).toBeLessThanOrEqual(25 * N);
    expect(report.warnings).toEqual([]);
  });
});
