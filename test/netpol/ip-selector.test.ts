import {
  formatAddress,
  formatRange,
  IpRange,
  parseAddress,
  parseCidr,
  parseRange,
  Selector,
  subtractRanges,
  sweep,
} from '../../src/netpol';

const r = (s: string): IpRange => {
  const v = parseRange(s);
  if (!v) throw new Error(`bad range ${s}`);
  return v;
};

describe('IP ranges', () => {
  it('parses and formats IPv4 CIDRs, addresses and ranges', () => {
    expect(formatRange(r('10.0.0.0/8'))).toBe('10.0.0.0-10.255.255.255');
    expect(formatRange(r('10.1.2.3/8'))).toBe('10.0.0.0-10.255.255.255');
    expect(formatRange(r('0.0.0.0/0'))).toBe('0.0.0.0-255.255.255.255');
    expect(formatRange(r('1.2.3.4'))).toBe('1.2.3.4-1.2.3.4');
    expect(formatRange(r('1.2.3.4/32'))).toBe('1.2.3.4-1.2.3.4');
    expect(formatRange(r('1.0.0.0-1.0.0.9'))).toBe('1.0.0.0-1.0.0.9');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('256.0.0.0/8')).toBeUndefined();
    expect(parseRange('1.0.0.9-1.0.0.0')).toBeUndefined();
    expect(parseAddress('1.2.3')).toBeUndefined();
  });

  it('parses and formats IPv6 in RFC 5952 form', () => {
    expect(formatRange(r('2001:db8::/32'))).toBe('2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(formatRange(r('::/0'))).toBe('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    const a = parseAddress('::ffff:10.0.0.1')!;
    expect(formatAddress(6, a.value)).toBe('::ffff:a00:1');
    expect(formatAddress(6, parseAddress('2001:0db8:0:0:1:0:0:1')!.value)).toBe('2001:db8::1:0:0:1');
    expect(formatAddress(6, parseAddress('fe80::1')!.value)).toBe('fe80::1');
    expect(parseAddress('1::2::3')).toBeUndefined();
    expect(parseAddress('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });

  it('subtracts holes', () => {
    expect(subtractRanges(r('0.0.0.0/0'), [r('10.0.0.0/8'), r('192.168.0.0/16')]).map(formatRange)).toEqual([
      '0.0.0.0-9.255.255.255',
      '11.0.0.0-192.167.255.255',
      '192.169.0.0-255.255.255.255',
    ]);
    expect(subtractRanges(r('10.0.0.0/8'), [r('10.0.0.0/8')])).toEqual([]);
  });

  it('sweeps overlapping contributions into maximal pieces', () => {
    const pieces = sweep(
      [
        { range: r('10.0.0.0/8'), value: 1 },
        { range: r('10.0.0.0/16'), value: 2 },
        { range: r('11.0.0.0/8'), value: 1 },
      ],
      { empty: 0, combine: (a, b) => a | b, equals: (a, b) => a === b, isEmpty: (a) => a === 0 },
    );
    expect(pieces.map((p) => `${formatRange(p.range)}=${p.value}`)).toEqual([
      '10.0.0.0-10.0.255.255=3',
      '10.1.0.0-11.255.255.255=1',
    ]);
  });
});

describe('Selector', () => {
  const labels = { app: 'api', tier: 'backend' };

  it('matches matchLabels AND matchExpressions', () => {
    expect(Selector.compile({ matchLabels: { app: 'api' } }).matches(labels)).toBe(true);
    expect(Selector.compile({ matchLabels: { app: 'api', tier: 'x' } }).matches(labels)).toBe(false);
    const expr = (operator: string, key: string, values?: string[]) =>
      Selector.compile({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }).matches(labels);
    expect(expr('In', 'tier', ['backend', 'x'])).toBe(true);
    expect(expr('In', 'tier', ['x'])).toBe(false);
    expect(expr('In', 'missing', ['x'])).toBe(false);
    expect(expr('NotIn', 'tier', ['x'])).toBe(true);
    expect(expr('NotIn', 'tier', ['backend'])).toBe(false);
    expect(expr('NotIn', 'missing', ['x'])).toBe(true);
    expect(expr('Exists', 'app')).toBe(true);
    expect(expr('Exists', 'missing')).toBe(false);
    expect(expr('DoesNotExist', 'missing')).toBe(true);
    expect(expr('DoesNotExist', 'app')).toBe(false);
  });

  it('treats the empty selector as everything and an invalid one as nothing', () => {
    expect(Selector.compile({}).matchesEverything).toBe(true);
    expect(Selector.compile({}).matches({})).toBe(true);
    expect(Selector.compile(undefined).matchesEverything).toBe(true);
    const problems: string[] = [];
    const bad = Selector.compile({ matchExpressions: [{ key: 'a', operator: 'Like' }] }, (m) => problems.push(m));
    expect(bad.matches({ a: 'x' })).toBe(false);
    expect(problems).toEqual(['unknown matchExpressions operator "Like" on "a"']);
  });

  it('offers index anchors', () => {
    expect(Selector.compile({ matchLabels: { app: 'api' } }).anchor()).toEqual({ pairs: [['app', 'api']] });
    expect(
      Selector.compile({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }).anchor(),
    ).toEqual({ pairs: [['tier', 'a'], ['tier', 'b']] });
    expect(Selector.compile({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }).anchor()).toEqual({ key: 'tier' });
    expect(Selector.compile({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }).anchor()).toBeUndefined();
  });

  it('builds the smallest matching label set, or none for a contradictory selector', () => {
    const sel = (raw: unknown) => Selector.compile(raw);
    expect(sel({}).example()).toEqual({});
    expect(
      sel({
        matchLabels: { app: 'api' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'backend'] },
          { key: 'owner', operator: 'Exists' },
          { key: 'debug', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'NotIn', values: ['a'] },
        ],
      }).example(),
    ).toEqual({ app: 'api', tier: 'backend', owner: '' });
    expect(sel({ matchLabels: { app: 'api' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }).example()).toBeUndefined();
    expect(sel({ matchExpressions: [{ key: 'a', operator: 'Like' }] }).example()).toBeUndefined();
  });

  it('tells the values a key is pinned to', () => {
    const name = 'kubernetes.io/metadata.name';
    expect(Selector.compile({ matchLabels: { [name]: 'kube-system' } }).pinnedValues(name)).toEqual(['kube-system']);
    expect(
      Selector.compile({ matchExpressions: [{ key: name, operator: 'In', values: ['b', 'a', 'c'] }] }).pinnedValues(name),
    ).toEqual(['a', 'b', 'c']);
    expect(
      Selector.compile({
        matchLabels: { [name]: 'a' },
        matchExpressions: [{ key: name, operator: 'In', values: ['a', 'b'] }],
      }).pinnedValues(name),
    ).toEqual(['a']);
    expect(Selector.compile({ matchLabels: { team: 'x' } }).pinnedValues(name)).toBeUndefined();
    expect(Selector.compile({ matchExpressions: [{ key: name, operator: 'NotIn', values: ['a'] }] }).pinnedValues(name)).toBeUndefined();
  });
});
