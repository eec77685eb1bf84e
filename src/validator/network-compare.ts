/**
 * Comparing what the NetworkPolicies allow with what the topology declares, node pair by node
 * pair: each compared pair becomes an edge of the graph, each difference a discrepancy.
 */
import type { LoadedObject } from '../manifests';
import { ConnectionSet, formatRange, IpRange, parseCidr, PodEndpoint, PolicyIndex, rangeContains, subtractRanges, sweep } from '../netpol';
import { DNS_PORT } from '../topology/model';
import type { ValidationContext } from './context';
import type { Node, NodeKind, Probes, WorkloadNodes } from './network-nodes';

/** A node of the allowed-connection graph. */
export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
}

/** An edge of the graph: allowed, expected, or both. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** What the policies allow (`No Connections` for a missing edge). */
  readonly allowed: string;
  /** What the topology declares (`No Connections` for an extra connection). */
  readonly expected: string;
  readonly status: 'ok' | 'missing' | 'extra' | 'partial';
}

/** One difference between what is allowed and what is declared. */
export interface Discrepancy {
  readonly kind: 'missing' | 'extra';
  /** Label of the source node. */
  readonly from: string;
  /** Label of the destination node. */
  readonly to: string;
  readonly source: Node;
  readonly destination: Node;
  readonly conns: ConnectionSet;
  /** The workload the difference is about (the destination of a missing edge, else its source; the side of an extra one). */
  readonly anchor?: LoadedObject;
  /** For an extra connection: the side whose policies let it through (`to`: the destination's ingress, `from`: the source's egress). */
  readonly side: 'from' | 'to';
  /** The purpose of a declared edge. */
  readonly note?: string;
}

/** A declared connection to addresses outside the cluster. */
export interface ExternalExpectation {
  readonly range: IpRange;
  readonly conns: ConnectionSet;
  readonly name: string;
}

const DNS_CONNS = ConnectionSet.tcp(DNS_PORT).union(ConnectionSet.udp(DNS_PORT));

/** Address ranges that are not the public internet (private, loopback, link-local, shared, multicast, reserved). */
const NON_PUBLIC: readonly IpRange[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3',
  'fc00::/7', 'fe80::/10', '::1/128', 'ff00::/8',
]
  .map(parseCidr)
  .filter((r): r is IpRange => r !== undefined);

/** Whether a range holds addresses of the public internet. */
function touchesInternet(r: IpRange): boolean {
  return subtractRanges(r, NON_PUBLIC).length > 0;
}

/** Describes an external range for messages. */
export function describeRange(r: IpRange): string {
  return `${formatRange(r)}${touchesInternet(r) ? ' (the internet)' : ''}`;
}

/** What the topology declares for one pair of nodes: the connections and the purpose of the edge. */
interface Expectation {
  conns: ConnectionSet;
  purpose?: string;
}

/** The declared connections between nodes, and the comparison of each pair with what is allowed. */
export class Comparison {
  readonly edges: GraphEdge[] = [];
  readonly discrepancies: Discrepancy[] = [];
  /** What is declared from each node (by id) to each node (by id). */
  private readonly expected = new Map<string, Map<string, Expectation>>();
  /** The nodes each node is declared to connect to, in declaration order (external pieces aside). */
  private readonly targets = new Map<string, Set<string>>();

  constructor(private readonly index: PolicyIndex) {}

  /** The declarations from `from`, to add one. */
  private declaredFrom(from: string): Map<string, Expectation> {
    let row = this.expected.get(from);
    if (!row) this.expected.set(from, (row = new Map<string, Expectation>()));
    return row;
  }

  /** Declares that `from` connects to `to` on `conns` (added to what is already declared). */
  expect(from: string, to: string, conns: ConnectionSet, why?: string): void {
    let targets = this.targets.get(from);
    if (!targets) this.targets.set(from, (targets = new Set()));
    targets.add(to);
    const row = this.declaredFrom(from);
    let e = row.get(to);
    if (e) e.conns = e.conns.union(conns);
    else row.set(to, (e = { conns }));
    if (why) e.purpose = why;
  }

  /** Declares exactly `conns` from `from` to `to` (a piece of an external range). */
  expectExactly(from: string, to: string, conns: ConnectionSet, why: string): void {
    const row = this.declaredFrom(from);
    const e = row.get(to);
    if (e) {
      e.conns = conns;
      e.purpose = why;
    } else {
      row.set(to, { conns, purpose: why });
    }
  }

  /** The nodes `from` is declared to connect to. */
  declaredTargets(from: string): Iterable<string> {
    return this.targets.get(from) ?? [];
  }

  /** What the policies allow from any endpoint of `a` to any endpoint of `b`. */
  allowedBetween(a: Node, b: Node): ConnectionSet {
    let acc = ConnectionSet.none();
    for (const s of a.endpoints) for (const d of b.endpoints) acc = acc.union(this.index.allowed(s, d));
    return acc;
  }

  /**
   * Compares what is allowed from `from` to `to` with what is declared: an edge of the graph, a
   * `missing` discrepancy about the destination (else the source), an `extra` one about
   * `anchorSide` (the side whose policy let it through).
   */
  compare(from: Node, to: Node, allowed: ConnectionSet, anchorSide: 'from' | 'to'): void {
    const declared = this.expected.get(from.id)?.get(to.id);
    const exp = declared?.conns ?? ConnectionSet.none();
    if (allowed.isEmpty() && exp.isEmpty()) return;
    const missing = exp.subtract(allowed);
    const extra = allowed.subtract(exp);
    const status: GraphEdge['status'] = exp.isEmpty() ? 'extra' : allowed.isEmpty() ? 'missing' : !missing.isEmpty() || !extra.isEmpty() ? 'partial' : 'ok';
    this.edges.push({ from: from.id, to: to.id, allowed: allowed.toString(), expected: exp.toString(), status });
    if (missing.isEmpty() && extra.isEmpty()) return;
    const pair = { from: from.label, to: to.label, source: from, destination: to };
    if (!missing.isEmpty()) {
      this.discrepancies.push({ kind: 'missing', ...pair, conns: missing, anchor: to.anchor ?? from.anchor, side: anchorSide, note: declared?.purpose });
    }
    if (!extra.isEmpty()) {
      const side = anchorSide === 'to' ? to : from;
      this.discrepancies.push({ kind: 'extra', ...pair, conns: extra, anchor: side.anchor ?? (anchorSide === 'to' ? from : to).anchor, side: anchorSide });
    }
  }
}

/** One TCP port (one set per port: the same port is declared for many edges). */
const tcpPort = (port: number): ConnectionSet => ConnectionSet.range('TCP', port, port);

/**
 * Declares the connections the topology expects for the environment: component edges on their
 * ports, edges to and from the declared pods of other namespaces, DNS for every workload, the
 * ingress controller to the public components. Returns the
 * declared external connections by workload node.
 */
export function declareExpected(ctx: ValidationContext, nodes: WorkloadNodes, probes: Probes, cmp: Comparison): Map<string, ExternalExpectation[]> {
  const external = new Map<string, ExternalExpectation[]>();
  for (const e of ctx.effective.edges) {
    if (!nodes.byId.has(e.from)) continue;
    if (e.to.kind === 'component') {
      if (nodes.byId.has(e.to.id)) cmp.expect(e.from, e.to.id, tcpPort(e.to.port), e.purpose);
    } else if (e.to.kind === 'pods') {
      cmp.expect(e.from, e.to.name, tcpPort(e.to.port), e.purpose);
    } else if (e.to.kind === 'external') {
      const range = parseCidr(e.to.cidr);
      if (!range) continue;
      const list = external.get(e.from) ?? [];
      list.push({ range, conns: tcpPort(e.to.port), name: e.to.name });
      external.set(e.from, list);
    }
  }
  for (const i of ctx.effective.inbound) if (nodes.byId.has(i.to)) cmp.expect(i.from.name, i.to, tcpPort(i.port), i.purpose);
  for (const n of nodes.list) cmp.expect(n.id, probes.dns.id, DNS_CONNS, 'cluster DNS');
  for (const c of ctx.effective.components) {
    if (c.spec.exposure === 'public' && nodes.byId.has(c.id)) cmp.expect(probes.controller.id, c.id, tcpPort(c.servingPort), 'public edge');
  }
  return external;
}

/** Workload to workload, from the engine's all-pairs result (output-sensitive). */
export function compareWorkloads(index: PolicyIndex, nodes: WorkloadNodes, cmp: Comparison): void {
  const pairs = index.podConnections();
  for (const src of nodes.list) {
    const row = pairs.get(src.workload!.id);
    const dsts = new Set<Node>();
    for (const wid of row?.keys() ?? []) {
      const n = nodes.byWorkloadId.get(wid);
      if (n) dsts.add(n);
    }
    for (const id of cmp.declaredTargets(src.id)) {
      const n = nodes.byId.get(id);
      if (n) dsts.add(n);
    }
    for (const dst of [...dsts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (src === dst) continue;
      cmp.compare(src, dst, row?.get(dst.workload!.id) ?? ConnectionSet.none(), 'to');
    }
  }
}

/** Every workload with the probes and cluster services, both ways. */
export function compareProbes(nodes: WorkloadNodes, probes: Probes, cmp: Comparison): void {
  const all = [probes.stray, probes.elsewhere, probes.controller, probes.neighbour, probes.dns, ...probes.peers, ...probes.peerNeighbours, ...probes.undeclared];
  for (const w of nodes.list) {
    for (const probe of all) {
      cmp.compare(probe, w, cmp.allowedBetween(probe, w), 'to');
      // DNS is allowed for every pod of the namespace, stray ones included.
      cmp.compare(w, probe, cmp.allowedBetween(w, probe), 'from');
    }
  }
}

function union(sets: Iterable<ConnectionSet>): ConnectionSet {
  let acc = ConnectionSet.none();
  for (const s of sets) acc = acc.union(s);
  return acc;
}

/** The namespace default: what a pod nobody declared may do besides DNS. */
export function strayLeaks(index: PolicyIndex, nodes: WorkloadNodes, probes: Probes, cmp: Comparison): string[] {
  const strayPod = probes.stray.endpoints[0] as PodEndpoint;
  const leaks: string[] = [];
  for (const target of [...nodes.list, probes.elsewhere, probes.controller, ...probes.peers, ...probes.undeclared]) {
    const c = cmp.allowedBetween(probes.stray, target);
    if (!c.isEmpty()) leaks.push(`to ${target.label} (${c.toString()})`);
  }
  if (!union(index.egressToExternal(strayPod).map((e) => e.conns)).isEmpty()) leaks.push('to external addresses');
  if (!union(index.ingressFromExternal(strayPod).map((e) => e.conns)).isEmpty()) leaks.push('from external addresses');
  return leaks;
}

type Pair = { a: ConnectionSet; e: ConnectionSet };
const PAIR_OPS = {
  empty: { a: ConnectionSet.none(), e: ConnectionSet.none() },
  combine: (x: Pair, y: Pair) => ({ a: x.a.union(y.a), e: x.e.union(y.e) }),
  equals: (x: Pair, y: Pair) => x.a.equals(y.a) && x.e.equals(y.e),
  isEmpty: (v: Pair) => v.a.isEmpty() && v.e.isEmpty(),
};

/**
 * External ranges: everything allowed beyond the declared CIDRs and ports, per workload, split
 * where the policies or the declarations split the address space. Returns the graph nodes of the
 * ranges compared.
 */
export function compareExternal(index: PolicyIndex, nodes: WorkloadNodes, declaredByNode: ReadonlyMap<string, ExternalExpectation[]>, cmp: Comparison): Map<string, GraphNode> {
  const externalNodes = new Map<string, GraphNode>();
  const rangeNode = (range: IpRange, label: string): Node => {
    const id = formatRange(range);
    if (!externalNodes.has(id)) externalNodes.set(id, { id, kind: 'external', label });
    return { id, label, kind: 'external', endpoints: [] };
  };
  for (const w of nodes.list) {
    const declared = declaredByNode.get(w.id) ?? [];
    const pods = w.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod');
    const actual = pods.flatMap((p) => index.egressToExternal(p));
    const pieces = sweep<Pair>(
      [...actual.map((x) => ({ range: x.range, value: { a: x.conns, e: ConnectionSet.none() } })), ...declared.map((d) => ({ range: d.range, value: { a: ConnectionSet.none(), e: d.conns } }))],
      PAIR_OPS,
    );
    for (const p of pieces) {
      const name = declared.find((d) => rangeContains(d.range, p.range))?.name;
      const node = rangeNode(p.range, name ? `${name} ${formatRange(p.range)}` : describeRange(p.range));
      if (!p.value.e.isEmpty()) cmp.expectExactly(w.id, node.id, p.value.e, name ?? 'declared external service');
      cmp.compare(w, node, p.value.a, 'from');
    }
    for (const d of declared) {
      // A declared range nothing in the policies covers at all still has to be reported.
      if (pieces.some((p) => rangeContains(d.range, p.range) || rangeContains(p.range, d.range))) continue;
      const label = `${d.name} ${formatRange(d.range)}`;
      externalNodes.set(formatRange(d.range), { id: formatRange(d.range), kind: 'external', label });
      cmp.compare(w, { id: formatRange(d.range), label, kind: 'external', endpoints: [] }, ConnectionSet.none(), 'from');
    }
    for (const x of pods.flatMap((p) => index.ingressFromExternal(p))) {
      cmp.compare(rangeNode(x.range, describeRange(x.range)), w, x.conns, 'to');
    }
  }
  return externalNodes;
}
