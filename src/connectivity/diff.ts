import { RELEASE_KINDS } from '../manifests';
import {
  analyzeConnectivity,
  compareConnections,
  compareNodes,
  Connection,
  ConnectionEnds,
  ConnectionSet,
  ConnectivityNode,
  formatRange,
  IpRange,
  NodeKind,
  nodeOf,
  OutsideSpec,
  parseRange,
  PolicyIndex,
  sweep,
} from '../netpol';

/** How a connection differs between the base and the head. */
export type ChangeKind = 'added' | 'removed' | 'changed';

/** One difference between two connectivity results. */
export interface ConnectionChange extends ConnectionEnds {
  readonly change: ChangeKind;
  /** Connections in the base (`No Connections` when added). */
  readonly before: ConnectionSet;
  /** Connections in the head (`No Connections` when removed). */
  readonly after: ConnectionSet;
}

/** A workload of the base that the head runs as another kind of the same name (a strategy switch). */
export interface WorkloadReplacement {
  readonly before: string;
  readonly after: string;
}

/** The difference between two connectivity results. */
export interface ConnectivityDiff {
  /** Sorted: added, then removed, then changed; each by source then destination. */
  readonly changes: readonly ConnectionChange[];
  /** The nodes the changes mention, sorted. */
  readonly nodes: readonly ConnectivityNode[];
  /** Workloads compared as one across a change of kind (Deployment <-> Rollout), sorted. */
  readonly replaced: readonly WorkloadReplacement[];
}

/**
 * Workloads of the base the head runs under another interchangeable kind with the same namespace
 * and name (`ns/api[Deployment]` -> `ns/api[Rollout]`), where neither side has both: the same
 * pods, so their connections are compared as one node's.
 */
function replacedWorkloads(base: readonly Connection[], head: readonly Connection[]): Map<string, string> {
  const workloads = (cs: readonly Connection[]) => {
    const ids = new Set<string>();
    for (const c of cs) {
      if (c.srcKind === 'workload') ids.add(c.src);
      if (c.dstKind === 'workload') ids.add(c.dst);
    }
    return ids;
  };
  const b = workloads(base);
  const h = workloads(head);
  const out = new Map<string, string>();
  for (const id of b) {
    const m = /^(.*)\[([^\]]+)\]$/.exec(id);
    if (!m || h.has(id) || !RELEASE_KINDS.has(m[2])) continue;
    const others = [...RELEASE_KINDS].filter((k) => k !== m[2]).map((k) => `${m[1]}[${k}]`).filter((x) => h.has(x) && !b.has(x));
    if (others.length === 1) out.set(id, others[0]);
  }
  return out;
}

const ORDER: Record<ChangeKind, number> = { added: 0, removed: 1, changed: 2 };

function classify(before: ConnectionSet, after: ConnectionSet): ChangeKind {
  return before.isEmpty() ? 'added' : after.isEmpty() ? 'removed' : 'changed';
}

interface Pair {
  before: ConnectionSet;
  after: ConnectionSet;
}

const PAIR_OPS = {
  empty: { before: ConnectionSet.none(), after: ConnectionSet.none() },
  combine: (a: Pair, b: Pair): Pair => ({ before: a.before.union(b.before), after: a.after.union(b.after) }),
  equals: (a: Pair, b: Pair) => a.before.equals(b.before) && a.after.equals(b.after),
  isEmpty: (a: Pair) => a.before.equals(a.after),
};

/** The contributions of one workload and direction to its connections with external ranges. */
interface ExternalGroup {
  workload: string;
  outgoing: boolean;
  kind: NodeKind;
  pieces: { range: IpRange; value: Pair }[];
}

/** Appends the changes of each workload's external connections, address by address (`sweep`). */
function pushExternalChanges(external: ReadonlyMap<string, ExternalGroup>, changes: ConnectionChange[]): void {
  for (const g of external.values()) {
    for (const piece of sweep(g.pieces, PAIR_OPS)) {
      const id = formatRange(piece.range);
      const { before, after } = piece.value;
      changes.push({
        change: classify(before, after),
        src: g.outgoing ? g.workload : id,
        dst: g.outgoing ? id : g.workload,
        srcKind: g.outgoing ? g.kind : 'external',
        dstKind: g.outgoing ? 'external' : g.kind,
        before,
        after,
      });
    }
  }
}

/** The nodes the changes mention, each once, sorted. */
function nodesOf(changes: readonly ConnectionChange[]): ConnectivityNode[] {
  const nodes = new Map<string, ConnectivityNode>();
  for (const ch of changes) {
    for (const [id, kind] of [
      [ch.src, ch.srcKind],
      [ch.dst, ch.dstKind],
    ] as const) {
      if (!nodes.has(id)) nodes.set(id, nodeOf(id, kind));
    }
  }
  return [...nodes.values()].sort(compareNodes);
}

/**
 * Compares two connectivity results. Pairs of workloads, pods outside the manifests (e.g.
 * `{other-namespace}`, `kube-system/{k8s-app=kube-dns}`) and the ingress controller are compared
 * as they are, so a hole towards pods outside the manifests shows as opened or closed; connections with external ranges are compared address by address for each workload and
 * direction, so a range that is only split differently is no change, and a change is reported on
 * exactly the addresses it affects (adjacent addresses with the same change merged). A component
 * that switched between a Deployment and a Rollout of the same name keeps its connections: they
 * are compared under the head's node (see `replaced`).
 */
export function diffConnectivity(base: readonly Connection[], head: readonly Connection[]): ConnectivityDiff {
  const changes: ConnectionChange[] = [];
  const renamed = replacedWorkloads(base, head);
  const rename = (c: Connection): Connection =>
    renamed.has(c.src) || renamed.has(c.dst) ? { ...c, src: renamed.get(c.src) ?? c.src, dst: renamed.get(c.dst) ?? c.dst } : c;
  const plain = new Map<string, { c: Connection; before: ConnectionSet; after: ConnectionSet }>();
  // workload id + direction -> contributions over the address space
  const external = new Map<string, ExternalGroup>();

  const visit = (c: Connection, side: 'before' | 'after') => {
    const outgoing = c.dstKind === 'external';
    if (c.srcKind === 'external' || outgoing) {
      const workload = outgoing ? c.src : c.dst;
      const range = parseRange(outgoing ? c.dst : c.src);
      if (range) {
        const key = `${outgoing ? '>' : '<'}${workload}`;
        let g = external.get(key);
        if (!g) external.set(key, (g = { workload, outgoing, kind: outgoing ? c.srcKind : c.dstKind, pieces: [] }));
        const value = side === 'before' ? { before: c.conns, after: ConnectionSet.none() } : { before: ConnectionSet.none(), after: c.conns };
        g.pieces.push({ range, value });
        return;
      }
    }
    const key = `${c.src}\u0000${c.dst}`;
    let e = plain.get(key);
    if (!e) plain.set(key, (e = { c, before: ConnectionSet.none(), after: ConnectionSet.none() }));
    e[side] = e[side].union(c.conns);
  };
  for (const c of base) visit(rename(c), 'before');
  for (const c of head) visit(c, 'after');

  for (const { c, before, after } of plain.values()) {
    if (before.equals(after)) continue;
    changes.push({ change: classify(before, after), src: c.src, dst: c.dst, srcKind: c.srcKind, dstKind: c.dstKind, before, after });
  }
  pushExternalChanges(external, changes);
  changes.sort((a, b) => ORDER[a.change] - ORDER[b.change] || compareConnections(a, b));

  const replaced = [...renamed].map(([before, after]) => ({ before, after })).sort((a, b) => (a.before < b.before ? -1 : a.before > b.before ? 1 : 0));
  return { changes, nodes: nodesOf(changes), replaced };
}

/**
 * What changed between two sets of manifests (as indexes). Both sides judge the same pods: every
 * outside class either side names is evaluated on both (a class only the head's new policy names
 * stood, in the base, for pods the base let in or out just the same), each paired with every
 * workload; a class governed by the policies of either side has its external links listed on both.
 */
export function compareConnectivity(base: PolicyIndex, head: PolicyIndex): ConnectivityDiff {
  const specs = new Map<string, OutsideSpec>();
  const governed = new Set<string>();
  for (const o of [...base.outsideEndpoints(), ...head.outsideEndpoints()]) {
    if (!specs.has(o.id)) specs.set(o.id, o.spec);
    if (o.governed) governed.add(o.id);
  }
  const options = { alsoOutside: [...specs.values()], pairOutsideWithEveryWorkload: true, alsoGoverned: governed };
  return diffConnectivity(analyzeConnectivity(base, options).connections, analyzeConnectivity(head, options).connections);
}
