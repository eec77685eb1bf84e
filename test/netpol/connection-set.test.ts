import fc from 'fast-check';
import { ConnectionSet, Protocol } from '../../src/netpol';

describe('ConnectionSet', () => {
  it('has canonical strings', () => {
    expect(ConnectionSet.all().toString()).toBe('All Connections');
    expect(ConnectionSet.none().toString()).toBe('No Connections');
    expect(ConnectionSet.tcp(443, 80).toString()).toBe('TCP 80,443');
    expect(ConnectionSet.range('TCP', 8080, 8090).toString()).toBe('TCP 8080-8090');
    expect(ConnectionSet.udp(53).toString()).toBe('UDP 53');
    expect(ConnectionSet.udp(53).union(ConnectionSet.tcp(53)).toString()).toBe('TCP 53;UDP 53');
    expect(ConnectionSet.sctp(3868).union(ConnectionSet.udp(53)).toString()).toBe('UDP 53;SCTP 3868');
    expect(ConnectionSet.protocol('UDP').toString()).toBe('UDP 1-65535');
    expect(ConnectionSet.tcp(80, 81, 82, [83, 90]).toString()).toBe('TCP 80-90');
  });

  it('normalizes to All Connections when every protocol is full', () => {
    const all = ConnectionSet.protocol('TCP').union(ConnectionSet.protocol('UDP')).union(ConnectionSet.protocol('SCTP'));
    expect(all.isAll()).toBe(true);
    expect(all.equals(ConnectionSet.all())).toBe(true);
  });

  it('intersects, subtracts and tests membership', () => {
    const a = ConnectionSet.tcp([8000, 9000], 443);
    const b = ConnectionSet.tcp([8500, 9500]).union(ConnectionSet.udp(53));
    expect(a.intersect(b).toString()).toBe('TCP 8500-9000');
    expect(a.subtract(b).toString()).toBe('TCP 443,8000-8499');
    expect(ConnectionSet.all().subtract(ConnectionSet.tcp(80)).toString()).toBe('TCP 1-79,81-65535;UDP 1-65535;SCTP 1-65535');
    expect(a.allows('TCP', 8080)).toBe(true);
    expect(a.allows('UDP', 8080)).toBe(false);
    expect(a.intersect(ConnectionSet.udp(53)).isEmpty()).toBe(true);
    expect(ConnectionSet.all().contains(a)).toBe(true);
    expect(a.contains(ConnectionSet.all())).toBe(false);
  });

  it('rejects invalid ports', () => {
    expect(() => ConnectionSet.tcp(0)).toThrow(/invalid port 0/);
    expect(() => ConnectionSet.tcp(70000)).toThrow(/invalid port/);
    expect(() => ConnectionSet.range('TCP', 90, 80)).toThrow(/end before start/);
  });

  it('parses its canonical form', () => {
    for (const s of ['All Connections', 'No Connections', 'TCP 80,443', 'TCP 53;UDP 53', 'TCP 1-79,81-65535;SCTP 9']) {
      expect(ConnectionSet.parse(s).toString()).toBe(s);
    }
    expect(() => ConnectionSet.parse('ICMP 1')).toThrow(/invalid connection set/);
  });

  const protocol = fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP');
  const range = fc
    .tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 20 }))
    .map(([lo, len]) => [lo, lo + len] as const);
  const set = fc.array(fc.tuple(protocol, range), { maxLength: 5 }).map((parts) =>
    parts.reduce((acc, [p, r]) => acc.union(ConnectionSet.ports(p, r)), ConnectionSet.none()),
  );
  const member = fc.tuple(protocol, fc.integer({ min: 1, max: 230 }));

  it('behaves as a set (property)', () => {
    fc.assert(
      fc.property(set, set, member, (a, b, [p, port]) => {
        expect(a.union(b).allows(p, port)).toBe(a.allows(p, port) || b.allows(p, port));
        expect(a.intersect(b).allows(p, port)).toBe(a.allows(p, port) && b.allows(p, port));
        expect(a.subtract(b).allows(p, port)).toBe(a.allows(p, port) && !b.allows(p, port));
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(ConnectionSet.parse(a.toString()).equals(a)).toBe(true);
        expect(a.equals(b)).toBe(a.toString() === b.toString());
      }),
      { numRuns: 300 },
    );
  });
});
