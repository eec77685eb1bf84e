/**
 * IPv4 and IPv6 address ranges: parsing CIDRs, addresses and `start-end` ranges, set operations
 * and piecewise maps from ranges to values (used for ipBlock peers).
 */

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

const MAX: Record<4 | 6, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/** The whole address space of a family: `0.0.0.0-255.255.255.255` or `::-ffff:…:ffff`. */
export function wholeSpace(family: 4 | 6): IpRange {
  return { family, start: 0n, end: MAX[family] };
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  let text = s;
  // Embedded IPv4 in the last 32 bits (e.g. ::ffff:10.0.0.1): rewrite it as two hex groups.
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const gs = h.split(':');
    const out: bigint[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (total > 7) return undefined;
    groups = [...head, ...new Array<bigint>(8 - total).fill(0n), ...rest];
  } else {
    if (total !== 8) return undefined;
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}

/** Parses one address; undefined when it is not an IPv4 or IPv6 address. */
export function parseAddress(s: string): { family: 4 | 6; value: bigint } | undefined {
  const t = s.trim();
  if (t.includes(':')) {
    const v = parseIpv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

/**
 * Parses a CIDR (`10.0.0.0/8`, `fd00::/8`); host bits are ignored (`10.1.2.3/8` is
 * `10.0.0.0/8`), as the API server's parser does. Undefined when invalid.
 */
export function parseCidr(s: string): IpRange | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const a = parseAddress(m[1]);
  if (!a) return undefined;
  const bits = a.family === 4 ? 32 : 128;
  const len = Number(m[2]);
  if (len > bits) return undefined;
  const hostBits = BigInt(bits - len);
  const mask = (1n << hostBits) - 1n;
  const start = a.value & ~mask & MAX[a.family];
  return { family: a.family, start, end: start | mask };
}

/**
 * Parses a CIDR, a single address, or a `start-end` range of one family. Undefined when invalid.
 */
export function parseRange(s: string): IpRange | undefined {
  const t = s.trim();
  if (t.includes('/')) return parseCidr(t);
  const dash = t.indexOf('-');
  if (dash !== -1) {
    const a = parseAddress(t.slice(0, dash));
    const b = parseAddress(t.slice(dash + 1));
    if (!a || !b || a.family !== b.family || b.value < a.value) return undefined;
    return { family: a.family, start: a.value, end: b.value };
  }
  const a = parseAddress(t);
  return a ? { family: a.family, start: a.value, end: a.value } : undefined;
}

/** Formats one address (IPv6 in the RFC 5952 compressed form). */
export function formatAddress(family: 4 | 6, v: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 0xffn).toString()).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // Longest run of at least two zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** `start-end`, e.g. `10.0.0.0-10.255.255.255` (always the range form, even for one address). */
export function formatRange(r: IpRange): string {
  return `${formatAddress(r.family, r.start)}-${formatAddress(r.family, r.end)}`;
}

/** Orders ranges by family, then start, then end. */
export function compareRanges(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.end !== b.end) return a.end < b.end ? -1 : 1;
  return 0;
}

/** Whether `inner` lies entirely inside `outer`. */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/** Whether the ranges share an address. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** `r` minus every range of `holes`, as ascending disjoint ranges. */
export function subtractRanges(r: IpRange, holes: readonly IpRange[]): IpRange[] {
  const hs = holes.filter((h) => rangesOverlap(r, h)).sort(compareRanges);
  const out: IpRange[] = [];
  let lo = r.start;
  for (const h of hs) {
    if (h.end < lo) continue;
    if (h.start > lo) out.push({ family: r.family, start: lo, end: h.start - 1n });
    lo = h.end + 1n;
    if (lo > r.end) return out;
  }
  if (lo <= r.end) out.push({ family: r.family, start: lo, end: r.end });
  return out;
}

/** One piece of a piecewise map over addresses. */
export interface RangeValue<T> {
  readonly range: IpRange;
  readonly value: T;
}

/**
 * Combines overlapping contributions into a piecewise map: for every maximal range where the
 * combined value is the same, one piece. `combine` folds the values covering a point (starting
 * from `empty`); pieces whose value `isEmpty` are dropped; adjacent pieces with `equals` values
 * are merged. Output is sorted by family and address.
 */
export function sweep<T>(
  contributions: readonly RangeValue<T>[],
  ops: { empty: T; combine(a: T, b: T): T; equals(a: T, b: T): boolean; isEmpty(v: T): boolean },
): RangeValue<T>[] {
  const out: RangeValue<T>[] = [];
  if (contributions.length === 0) return out;
  for (const family of [4, 6] as const) {
    const cs = contributions.filter((c) => c.range.family === family);
    if (cs.length === 0) continue;
    const points = new Set<bigint>();
    for (const c of cs) {
      points.add(c.range.start);
      points.add(c.range.end + 1n);
    }
    const sorted = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i + 1 < sorted.length; i++) {
      const start = sorted[i];
      const end = sorted[i + 1] - 1n;
      let v = ops.empty;
      for (const c of cs) {
        if (c.range.start <= start && end <= c.range.end) v = ops.combine(v, c.value);
      }
      if (ops.isEmpty(v)) continue;
      const last = out[out.length - 1];
      if (last && last.range.family === family && last.range.end + 1n === start && ops.equals(last.value, v)) {
        out[out.length - 1] = { range: { family, start: last.range.start, end }, value: v };
      } else {
        out.push({ range: { family, start, end }, value: v });
      }
    }
  }
  return out;
}
