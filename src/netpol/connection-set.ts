/** Transport protocols a NetworkPolicy can name. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols in canonical order. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Lowest and highest port a connection can use. */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** An inclusive port range `[from, to]`. */
export type PortRange = readonly [from: number, to: number];

type Ranges = readonly PortRange[];

const EMPTY: Ranges = Object.freeze([]);
const FULL: Ranges = Object.freeze([Object.freeze([MIN_PORT, MAX_PORT] as const)]);

/** Sorts, merges overlapping and adjacent ranges. */
function normalize(ranges: PortRange[]): Ranges {
  if (ranges.length === 0) return EMPTY;
  const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0 || a === b) return a;
  return normalize([...a, ...b]);
}

function intersectRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return EMPTY;
  if (a === FULL) return b;
  if (b === FULL) return a;
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out.length === 0 ? EMPTY : out;
}

function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const out: [number, number][] = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [blo, bhi] of b) {
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push([lo, blo - 1]);
      lo = bhi + 1;
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out.length === 0 ? EMPTY : out;
}

function equalRanges(a: Ranges, b: Ranges): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  }
  return true;
}

function isFull(r: Ranges): boolean {
  return r.length === 1 && r[0][0] === MIN_PORT && r[0][1] === MAX_PORT;
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= MIN_PORT && p <= MAX_PORT;
}

function checkPort(p: number): void {
  if (!isPort(p)) {
    throw new RangeError(`invalid port ${p}: expected an integer from ${MIN_PORT} to ${MAX_PORT}`);
  }
}

/** {@link ConnectionSet.range}'s sets so far, by protocol and then `from * 65536 + to`. */
const RANGES = new Map<string, Map<number, ConnectionSet>>(PROTOCOLS.map((p) => [p, new Map<number, ConnectionSet>()]));

/**
 * An immutable set of allowed connections: for each protocol (TCP, UDP, SCTP) a set of port
 * ranges. Built with the named factories (`ConnectionSet.tcp(80, 443)`,
 * `ConnectionSet.range('TCP', 8080, 8090)`, `ConnectionSet.all()`) and combined with
 * {@link union}, {@link intersect} and {@link subtract}.
 *
 * Canonical string ({@link toString}), used in every output:
 * - `All Connections` when every port of every protocol is allowed;
 * - `No Connections` when nothing is;
 * - otherwise one part per protocol in the order TCP, UDP, SCTP, joined by `;`, each
 *   `PROTO p1,p2,lo-hi` with ports and ranges ascending, e.g. `TCP 80,443`, `TCP 8080-8090`,
 *   `TCP 53;UDP 53`, `UDP 1-65535` (every UDP port).
 */
export class ConnectionSet {
  private static readonly ALL = new ConnectionSet({ TCP: FULL, UDP: FULL, SCTP: FULL });
  private static readonly NONE = new ConnectionSet({ TCP: EMPTY, UDP: EMPTY, SCTP: EMPTY });

  /** The canonical string, once written (sets never change; a private field, which comparisons of sets by their ranges do not see). */
  #text: string | undefined;

  private constructor(private readonly byProtocol: Readonly<Record<Protocol, Ranges>>) {}

  /** Every port of every protocol. */
  static all(): ConnectionSet {
    return ConnectionSet.ALL;
  }

  /** No connection at all. */
  static none(): ConnectionSet {
    return ConnectionSet.NONE;
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): ConnectionSet {
    return ConnectionSet.of({ [protocol]: FULL });
  }

  /** Single ports and `[from, to]` ranges of one protocol. */
  static ports(protocol: Protocol, ...ports: (number | PortRange)[]): ConnectionSet {
    const ranges: PortRange[] = ports.map((p) => {
      const r: PortRange = typeof p === 'number' ? [p, p] : p;
      checkPort(r[0]);
      checkPort(r[1]);
      if (r[1] < r[0]) throw new RangeError(`invalid port range ${r[0]}-${r[1]}: end before start`);
      return r;
    });
    return ConnectionSet.of({ [protocol]: normalize(ranges) });
  }

  /** TCP ports and ranges, e.g. `ConnectionSet.tcp(80, 443, [8080, 8090])`. */
  static tcp(...ports: (number | PortRange)[]): ConnectionSet {
    return ConnectionSet.ports('TCP', ...ports);
  }

  /** UDP ports and ranges. */
  static udp(...ports: (number | PortRange)[]): ConnectionSet {
    return ConnectionSet.ports('UDP', ...ports);
  }

  /** SCTP ports and ranges. */
  static sctp(...ports: (number | PortRange)[]): ConnectionSet {
    return ConnectionSet.ports('SCTP', ...ports);
  }

  /** The ports `from`..`to` (inclusive) of one protocol (one instance per range: sets are immutable). */
  static range(protocol: Protocol, from: number, to: number): ConnectionSet {
    const known = RANGES.get(protocol);
    // Anything but two valid ports (which `ports` refuses) would not have a key of its own.
    if (known === undefined || !isPort(from) || !isPort(to)) return ConnectionSet.ports(protocol, [from, to]);
    const key = from * 65536 + to;
    let set = known.get(key);
    if (set === undefined) {
      set = ConnectionSet.ports(protocol, [from, to]);
      known.set(key, set);
    }
    return set;
  }

  /**
   * Parses the canonical string (and tolerates spaces around separators).
   * @throws Error when the text is not a connection set
   */
  static parse(text: string): ConnectionSet {
    const t = text.trim();
    if (t === 'All Connections') return ConnectionSet.ALL;
    if (t === 'No Connections' || t === '') return ConnectionSet.NONE;
    let acc = ConnectionSet.NONE;
    for (const part of t.split(';')) {
      const m = /^\s*(TCP|UDP|SCTP)\s+([0-9,\-\s]+)$/.exec(part);
      if (!m) throw new Error(`invalid connection set "${text}": expected e.g. "TCP 80,443;UDP 53"`);
      const ranges: PortRange[] = m[2].split(',').map((s) => {
        const [a, b] = s.split('-').map((x) => Number(x.trim()));
        return [a, b ?? a] as const;
      });
      acc = acc.union(ConnectionSet.ports(m[1] as Protocol, ...ranges));
    }
    return acc;
  }

  private static of(parts: Partial<Record<Protocol, Ranges>>): ConnectionSet {
    const r = { TCP: parts.TCP ?? EMPTY, UDP: parts.UDP ?? EMPTY, SCTP: parts.SCTP ?? EMPTY };
    if (r.TCP.length === 0 && r.UDP.length === 0 && r.SCTP.length === 0) return ConnectionSet.NONE;
    if (isFull(r.TCP) && isFull(r.UDP) && isFull(r.SCTP)) return ConnectionSet.ALL;
    return new ConnectionSet(r);
  }

  /** The port ranges allowed for one protocol, ascending and disjoint. */
  ranges(protocol: Protocol): readonly PortRange[] {
    return this.byProtocol[protocol];
  }

  /** Whether nothing is allowed. */
  isEmpty(): boolean {
    return this === ConnectionSet.NONE;
  }

  /** Whether everything is allowed. */
  isAll(): boolean {
    return this === ConnectionSet.ALL;
  }

  /** Whether `port` of `protocol` is allowed. */
  allows(protocol: Protocol, port: number): boolean {
    return this.byProtocol[protocol].some(([lo, hi]) => port >= lo && port <= hi);
  }

  /** Connections in this set or the other. */
  union(other: ConnectionSet): ConnectionSet {
    if (this === other || this === ConnectionSet.ALL || other === ConnectionSet.NONE) return this;
    if (other === ConnectionSet.ALL || this === ConnectionSet.NONE) return other;
    return this.combine(other, unionRanges);
  }

  /** Connections in both sets. */
  intersect(other: ConnectionSet): ConnectionSet {
    if (this === other) return this;
    if (this === ConnectionSet.ALL || other === ConnectionSet.NONE) return other;
    if (other === ConnectionSet.ALL || this === ConnectionSet.NONE) return this;
    return this.combine(other, intersectRanges);
  }

  /** Connections in this set but not in the other. */
  subtract(other: ConnectionSet): ConnectionSet {
    if (other === ConnectionSet.NONE || this === ConnectionSet.NONE) return this;
    if (other === ConnectionSet.ALL || other === this || this.equals(other)) return ConnectionSet.NONE;
    return this.combine(other, subtractRanges);
  }

  /** The set combining each protocol's ranges of this set and the other with `op`. */
  private combine(other: ConnectionSet, op: (a: Ranges, b: Ranges) => Ranges): ConnectionSet {
    const a = this.byProtocol;
    const b = other.byProtocol;
    return ConnectionSet.of({ TCP: op(a.TCP, b.TCP), UDP: op(a.UDP, b.UDP), SCTP: op(a.SCTP, b.SCTP) });
  }

  /** Whether both sets allow exactly the same connections. */
  equals(other: ConnectionSet): boolean {
    if (this === other) return true;
    const a = this.byProtocol;
    const b = other.byProtocol;
    return equalRanges(a.TCP, b.TCP) && equalRanges(a.UDP, b.UDP) && equalRanges(a.SCTP, b.SCTP);
  }

  /** Whether every connection of the other set is in this one. */
  contains(other: ConnectionSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** The canonical string (see the class documentation). */
  toString(): string {
    if (this === ConnectionSet.ALL) return 'All Connections';
    if (this === ConnectionSet.NONE) return 'No Connections';
    if (this.#text !== undefined) return this.#text;
    let text = '';
    for (const p of PROTOCOLS) {
      const r = this.byProtocol[p];
      for (let i = 0; i < r.length; i++) {
        const [lo, hi] = r[i];
        text += `${i > 0 ? ',' : text === '' ? `${p} ` : `;${p} `}${lo === hi ? lo : `${lo}-${hi}`}`;
      }
    }
    this.#text = text;
    return text;
  }

  /** JSON form: the canonical string. */
  toJSON(): string {
    return this.toString();
  }
}
