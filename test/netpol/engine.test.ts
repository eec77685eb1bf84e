/** The connectivity engine: isolation, rules and peers, ports. */
import { build, conns, ep, ns, pod, policy, WEB_PORTS } from './support';

describe('isolation and policyTypes', () => {
  it('leaves pods without any policy unrestricted both ways', () => {
    const idx = build([pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' })]);
    expect(conns(idx, 'a/x[Pod]', 'a/y[Pod]')).toBe('All Connections');
    expect(idx.egressToExternal(ep(idx, 'a/x[Pod]')).map((e) => `${e.id} ${e.conns.toString()}`)).toEqual([
      '0.0.0.0-255.255.255.255 All Connections',
    ]);
    expect(idx.isIsolated(ep(idx, 'a/x[Pod]'), 'ingress')).toBe(false);
  });

  it('selects pods only in the policy namespace; the empty podSelector selects them all', () => {
    const idx = build([
      pod('a', 'x', { app: 'x' }),
      pod('a', 'y', { app: 'y' }),
      pod('b', 'x', { app: 'x' }),
      policy('a', 'deny', { podSelector: {} }),
    ]);
    expect(conns(idx, 'b/x[Pod]', 'a/x[Pod]')).toBe('No Connections');
    expect(conns(idx, 'b/x[Pod]', 'a/y[Pod]')).toBe('No Connections');
    expect(conns(idx, 'a/x[Pod]', 'b/x[Pod]')).toBe('All Connections');
    expect(idx.selectedWorkloads('NetworkPolicy/a/deny').map((w) => w.id)).toEqual(['a/x[Pod]', 'a/y[Pod]']);
  });

  it('selects with matchExpressions In, NotIn, Exists, DoesNotExist', () => {
    const idx = build([
      pod('a', 'p1', { tier: 'web' }),
      pod('a', 'p2', { tier: 'db', pci: 'yes' }),
      pod('a', 'p3', {}),
      policy('a', 'in', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }),
      policy('a', 'notin-exists', {
        podSelector: {
          matchExpressions: [
            { key: 'tier', operator: 'NotIn', values: ['web'] },
            { key: 'pci', operator: 'Exists' },
          ],
        },
        policyTypes: ['Egress'],
      }),
      policy('a', 'dne', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
        policyTypes: ['Egress'],
      }),
    ]);
    const iso = (id: string) =>
      (['ingress', 'egress'] as const).filter((d) => idx.isIsolated(ep(idx, id), d)).join('+') || 'none';
    expect(iso('a/p1[Pod]')).toBe('ingress');
    expect(iso('a/p2[Pod]')).toBe('egress');
    expect(iso('a/p3[Pod]')).toBe('egress');
  });

  it('implies Ingress always and Egress only when egress rules exist (no policyTypes)', () => {
    const objs = [pod('a', 'x', { app: 'x' }), pod('a', 'y', { app: 'y' })];
    const ingressRulesOnly = build([
      ...objs,
      policy('a', 'p', { podSelector: { matchLabels: { app: 'x' } }, ingress: [{ ports: [{ port: 80 }] }] }),
    ]);
    expect(ingressRulesOnly.isIsolated(ep(ingressRulesOnly, 'a/x[Pod]'), 'ingress')).toBe(true);
    expect(ingressRulesOnly.isIsolated(ep(ingressRulesOnly, 'a/x[Pod]'), 'egress')).toBe(false);
    expect(conns(ingressRulesOnly, 'a/y[Pod]', 'a/x[Pod]')).toBe('TCP 80');

    const egressRulesOnly = build([
      ...objs,
      policy('a', 'p', { podSelector: { matchLabels: { app: 'x' } }, egress: [{ ports: [{ port: 443 }] }] }),
    ]);
    // Implied Ingress with no ingress rules: nothing may come in.
    expect(conns(egressRulesOnly, 'a/y[Pod]', 'a/x[Pod]')).toBe('No Connections');
    expect(conns(egressRulesOnly, 'a/x[Pod]', 'a/y[Pod]')).toBe('TCP 443');

    const emptyEgress = build([...objs, policy('a', 'p', { podSelector: { matchLabels: { app: 'x' } }, egress: [] })]);
    expect(emptyEgress.isIsolated(ep(emptyEgress, 'a/x[Pod]'), 'egress')).toBe(false);
    expect(emptyEgress.policies[0].directions).toEqual(['ingress']);

    const egressType = build([
      ...objs,
      policy('a', 'p', {
        podSelector: { matchLabels: { app: 'x' } },
        policyTypes: ['Egress'],
        ingress: [{ ports: [{ port: 80 }] }],
      }),
    ]);
    // The ingress rules are ignored: ingress stays unrestricted, egress is denied.
    expect(conns(egressType, 'a/y[Pod]', 'a/x[Pod]')).toBe('All Connections');
    expect(conns(egressType, 'a/x[Pod]', 'a/y[Pod]')).toBe('No Connections');
  });

  it('unions the rules of every selecting policy', () => {
    const idx = build([
      pod('a', 'x', { app: 'x' }),
      pod('a', 'y', { app: 'y' }),
      policy('a', 'p1', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
      policy('a', 'p2', { podSelector: { matchLabels: { app: 'x' } }, ingress: [{ ports: [{ port: 443 }] }] }),
    ]);
    expect(conns(idx, 'a/y[Pod]', 'a/x[Pod]')).toBe('TCP 80,443');
    expect(conns(idx, 'a/x[Pod]', 'a/y[Pod]')).toBe('TCP 80');
  });

  it('requires both the source egress and the destination ingress', () => {
    const idx = build([
      pod('a', 'x', { app: 'x' }),
      pod('a', 'y', { app: 'y' }),
      policy('a', 'in', { podSelector: { matchLabels: { app: 'y' } }, ingress: [{ ports: [{ port: 80 }, { port: 81 }] }] }),
      policy('a', 'out', {
        podSelector: { matchLabels: { app: 'x' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 81 }, { port: 82 }] }],
      }),
    ]);
    expect(conns(idx, 'a/x[Pod]', 'a/y[Pod]')).toBe('TCP 81');
  });
});

describe('rules and peers', () => {
  const base = [
    ns('prod', { env: 'prod' }),
    ns('dev', { env: 'dev' }),
    pod('prod', 'api', { app: 'api' }, WEB_PORTS),
    pod('prod', 'client', { app: 'client' }),
    pod('dev', 'client', { app: 'client' }),
    pod('other', 'client', { app: 'client' }),
  ];
  const api = 'prod/api[Pod]';

  it('allows every source and port for a rule without from and ports (also when empty)', () => {
    for (const rule of [{}, { from: [], ports: [] }]) {
      const idx = build([...base, policy('prod', 'p', { podSelector: { matchLabels: { app: 'api' } }, ingress: [rule] })]);
      expect(conns(idx, 'dev/client[Pod]', api)).toBe('All Connections');
      expect(idx.allowed(idx.external('8.8.8.8'), ep(idx, api)).toString()).toBe('All Connections');
    }
  });

  it('matches podSelector peers in the policy namespace only', () => {
    const idx = build([
      ...base,
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }],
      }),
    ]);
    expect(conns(idx, 'prod/client[Pod]', api)).toBe('TCP 8080');
    expect(conns(idx, 'dev/client[Pod]', api)).toBe('No Connections');
  });

  it('matches namespaceSelector alone to every pod of the matching namespaces', () => {
    const idx = build([
      ...base,
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
      }),
    ]);
    expect(conns(idx, 'dev/client[Pod]', api)).toBe('All Connections');
    expect(conns(idx, 'prod/client[Pod]', api)).toBe('No Connections');
    expect(conns(idx, 'other/client[Pod]', api)).toBe('No Connections');
  });

  it('ANDs namespaceSelector and podSelector in one peer, ORs separate peers', () => {
    const and = build([
      ...base,
      pod('dev', 'tool', { app: 'tool' }),
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: 'client' } } }],
          },
        ],
      }),
    ]);
    expect(conns(and, 'dev/client[Pod]', api)).toBe('All Connections');
    expect(conns(and, 'dev/tool[Pod]', api)).toBe('No Connections');
    expect(conns(and, 'prod/client[Pod]', api)).toBe('No Connections');

    const or = build([
      ...base,
      pod('dev', 'tool', { app: 'tool' }),
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }, { podSelector: { matchLabels: { app: 'client' } } }],
          },
        ],
      }),
    ]);
    expect(conns(or, 'dev/tool[Pod]', api)).toBe('All Connections');
    expect(conns(or, 'prod/client[Pod]', api)).toBe('All Connections');
    expect(conns(or, 'other/client[Pod]', api)).toBe('No Connections');
  });

  it('implies kubernetes.io/metadata.name on declared and undeclared namespaces', () => {
    const idx = build([
      ...base,
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }], ports: [{ port: 1 }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }], ports: [{ port: 2 }] },
        ],
      }),
    ]);
    expect(conns(idx, 'other/client[Pod]', api)).toBe('TCP 1');
    expect(conns(idx, 'dev/client[Pod]', api)).toBe('TCP 2');
    expect(idx.namespaceLabels('dev')).toEqual({ env: 'dev', 'kubernetes.io/metadata.name': 'dev' });
    expect(idx.namespaceLabels('other')).toEqual({ 'kubernetes.io/metadata.name': 'other' });
  });

  it('matches ipBlock (with except) only to external addresses, never to pods', () => {
    const idx = build([
      ...base,
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] }],
      }),
    ]);
    const dst = ep(idx, api);
    expect(conns(idx, 'prod/client[Pod]', api)).toBe('No Connections');
    expect(idx.allowed(idx.external('8.8.8.8'), dst).toString()).toBe('TCP 443');
    expect(idx.allowed(idx.external('10.1.2.3'), dst).toString()).toBe('No Connections');
    // A range straddling the except: not every address is allowed.
    expect(idx.allowed(idx.external('9.0.0.0-10.0.0.1'), dst).toString()).toBe('No Connections');
    expect(idx.ingressFromExternal(dst).map((e) => `${e.id} ${e.conns.toString()}`)).toEqual([
      '0.0.0.0-9.255.255.255 TCP 443',
      '11.0.0.0-255.255.255.255 TCP 443',
    ]);
  });

  it('never lets pod peers (even namespaceSelector: {}) match external addresses', () => {
    const idx = build([
      ...base,
      policy('prod', 'p', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ namespaceSelector: {} }] }],
      }),
    ]);
    expect(conns(idx, 'other/client[Pod]', api)).toBe('All Connections');
    expect(idx.allowed(idx.external('1.1.1.1'), ep(idx, api)).toString()).toBe('No Connections');
    expect(idx.ingressFromExternal(ep(idx, api))).toEqual([]);
  });
});

describe('ports', () => {
  const objs = [
    pod('a', 'web', { app: 'web' }, WEB_PORTS),
    pod('a', 'client', { app: 'client' }),
  ];
  const ingress = (ports: unknown[]) =>
    build([...objs, policy('a', 'p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports }] })]);

  it('defaults the protocol to TCP and supports UDP and SCTP', () => {
    expect(conns(ingress([{ port: 80 }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('TCP 80');
    expect(conns(ingress([{ port: 53, protocol: 'UDP' }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('UDP 53');
    expect(conns(ingress([{ port: 3868, protocol: 'SCTP' }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('SCTP 3868');
    expect(conns(ingress([{ protocol: 'UDP' }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('UDP 1-65535');
  });

  it('supports endPort ranges', () => {
    expect(conns(ingress([{ port: 8080, endPort: 8090 }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('TCP 8080-8090');
    const bad = ingress([{ port: 8080, endPort: 80 }]);
    expect(conns(bad, 'a/client[Pod]', 'a/web[Pod]')).toBe('No Connections');
    expect(bad.warnings.map((w) => w.code)).toContain('invalid-policy');
  });

  it('resolves named ingress ports against the destination, protocol included', () => {
    expect(conns(ingress([{ port: 'http' }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('TCP 8080');
    expect(conns(ingress([{ port: 'dns', protocol: 'UDP' }]), 'a/client[Pod]', 'a/web[Pod]')).toBe('UDP 53');
    // "dns" is a UDP port; the TCP default does not resolve.
    const mismatch = ingress([{ port: 'dns' }]);
    expect(conns(mismatch, 'a/client[Pod]', 'a/web[Pod]')).toBe('No Connections');
    expect(mismatch.warnings.find((w) => w.code === 'named-port-unresolved')?.message).toMatch(
      /named port "dns" \(TCP\) of ingress rule 1 does not resolve on a\/web\[Pod\]/,
    );
  });

  it('resolves named egress ports against the destination pod', () => {
    const idx = build([
      ...objs,
      pod('a', 'other', { app: 'other' }, [{ name: 'http', containerPort: 9000 }]),
      policy('a', 'p', {
        podSelector: { matchLabels: { app: 'client' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }],
      }),
    ]);
    expect(conns(idx, 'a/client[Pod]', 'a/web[Pod]')).toBe('TCP 8080');
    expect(conns(idx, 'a/client[Pod]', 'a/other[Pod]')).toBe('TCP 9000');
    // External destinations have no named ports.
    expect(idx.egressToExternal(ep(idx, 'a/client[Pod]'))).toEqual([]);
    expect(idx.warnings).toEqual([]);
  });

  it('warns about a named egress port no destination declares', () => {
    const idx = build([
      ...objs,
      policy('a', 'p', {
        podSelector: { matchLabels: { app: 'client' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'grpc' }] }],
      }),
    ]);
    expect(idx.warnings.map((w) => w.message)).toEqual([
      'NetworkPolicy a/p: named port "grpc" (TCP) of egress rule 1 does not resolve on any destination pod of the rule',
    ]);
  });
});
