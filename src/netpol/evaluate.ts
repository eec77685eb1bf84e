/**
 * What NetworkPolicies allow between two endpoints: the source's egress and the destination's
 * ingress, pod to pod, and from and to address ranges outside the cluster.
 */
import { ConnectionSet } from './connection-set';
import { compareRanges, formatRange, IpRange, rangeContains, rangesOverlap, subtractRanges, sweep, wholeSpace } from './ip';
import { CompiledPolicy, Peer, resolveRulePorts, Rule } from './policies';
import type { PodState, PodStore } from './pods';
import type { Direction, Endpoint, ExternalConnection, NamedPort, PodEndpoint } from './types';

const CONN_OPS = {
  empty: ConnectionSet.none(),
  combine: (a: ConnectionSet, b: ConnectionSet) => a.union(b),
  equals: (a: ConnectionSet, b: ConnectionSet) => a.equals(b),
  isEmpty: (a: ConnectionSet) => a.isEmpty(),
};

/** Combines per-range contributions into maximal ranges with their connection sets. */
export function mergeExternal(contributions: readonly { range: IpRange; conns: ConnectionSet }[]): ExternalConnection[] {
  return sweep(
    contributions.map((c) => ({ range: c.range, value: c.conns })),
    CONN_OPS,
  ).map((p) => ({ range: p.range, id: formatRange(p.range), conns: p.value }));
}

/** Connections allowed to every address of `range`: the intersection over the pieces covering it. */
function coverage(pieces: readonly ExternalConnection[], range: IpRange): ConnectionSet {
  let acc: ConnectionSet | undefined;
  let next = range.start;
  for (const p of [...pieces].sort((a, b) => compareRanges(a.range, b.range))) {
    if (p.range.family !== range.family || p.range.end < next) continue;
    if (p.range.start > next) return ConnectionSet.none();
    acc = acc ? acc.intersect(p.conns) : p.conns;
    if (p.range.end >= range.end) return acc;
    next = p.range.end + 1n;
  }
  return ConnectionSet.none();
}

/** Evaluates the compiled policies between endpoints (see `PolicyIndex` for the semantics). */
export class Evaluator {
  constructor(
    private readonly pods: PodStore,
    /** Address families covered by external results. */
    readonly families: readonly (4 | 6)[],
  ) {}

  /** Whether a peer of `policy` matches an endpoint (ipBlock peers only external ones). */
  peerMatches(policy: CompiledPolicy, peer: Peer, ep: Endpoint): boolean {
    if (ep.kind === 'external') {
      return (
        peer.kind === 'ipBlock' && rangeContains(peer.cidr, ep.range) && !peer.except.some((e) => rangesOverlap(e, ep.range))
      );
    }
    if (peer.kind !== 'pods') return false;
    if (peer.namespaceSelector) {
      if (!peer.namespaceSelector.matches(ep.namespaceLabels)) return false;
    } else if (ep.namespace !== policy.namespace) {
      return false;
    }
    return !peer.podSelector || peer.podSelector.matches(ep.labels);
  }

  private ruleMatches(rule: Rule, ep: Endpoint): boolean {
    const peers = rule.peers;
    if (peers === 'all') return true;
    for (let i = 0; i < peers.length; i++) if (this.peerMatches(rule.policy, peers[i], ep)) return true;
    return false;
  }

  /**
   * What the `direction` rules of `policies` allow with `peer` on the other side, on the
   * destination's ports (everything when no policy selects the pod).
   */
  private allowedBy(policies: readonly CompiledPolicy[], direction: Direction, peer: Endpoint, dstPorts: readonly NamedPort[]): ConnectionSet {
    if (policies.length === 0) return ConnectionSet.all();
    let acc = ConnectionSet.none();
    for (let i = 0; i < policies.length; i++) {
      const rules = policies[i][direction] ?? [];
      for (let j = 0; j < rules.length; j++) {
        const r = rules[j];
        if (!this.ruleMatches(r, peer)) continue;
        acc = acc.union(resolveRulePorts(r, dstPorts));
        if (acc.isAll()) return acc;
      }
    }
    return acc;
  }

  /** What the egress policies of `src` allow towards `dst` (everything when none selects it). */
  egressFrom(src: PodState, dst: PodEndpoint): ConnectionSet {
    return this.allowedBy(src.egress, 'egress', dst, dst.ports);
  }

  /** What the ingress policies of `dst` admit from `src` (everything when none selects it). */
  ingressTo(src: PodEndpoint, dst: PodState): ConnectionSet {
    return this.allowedBy(dst.ingress, 'ingress', src, dst.ep.ports);
  }

  /**
   * What `src` may open to `dst`: the source's egress AND the destination's ingress. For an
   * external endpoint, the connections allowed to (or from) every address of its range. Between
   * two external endpoints no policy applies: `All Connections`.
   */
  allowed(src: Endpoint, dst: Endpoint): ConnectionSet {
    if (src.kind === 'pod' && dst.kind === 'pod') {
      const d = this.pods.state(dst);
      const ingress = this.ingressTo(src, d);
      if (ingress.isEmpty()) return ingress;
      return ingress.intersect(this.egressFrom(this.pods.state(src), dst));
    }
    if (src.kind === 'pod' && dst.kind === 'external') return coverage(this.egressToExternal(src), dst.range);
    if (src.kind === 'external' && dst.kind === 'pod') return coverage(this.ingressFromExternal(dst), src.range);
    return ConnectionSet.all();
  }

  /** External ranges (maximal, sorted) the pod may send to, with the allowed connections. */
  egressToExternal(pod: PodEndpoint): ExternalConnection[] {
    const st = this.pods.state(pod);
    if (st.egress.length === 0) return this.everywhere();
    const contributions: { range: IpRange; conns: ConnectionSet }[] = [];
    for (const p of st.egress) {
      for (const r of p.egress!) this.externalContributions(r, undefined, contributions);
    }
    return mergeExternal(contributions);
  }

  /** External ranges (maximal, sorted) that may connect to the pod, with the allowed connections. */
  ingressFromExternal(pod: PodEndpoint): ExternalConnection[] {
    const st = this.pods.state(pod);
    if (st.ingress.length === 0) return this.everywhere();
    const contributions: { range: IpRange; conns: ConnectionSet }[] = [];
    for (const p of st.ingress) {
      for (const r of p.ingress!) this.externalContributions(r, pod.ports, contributions);
    }
    return mergeExternal(contributions);
  }

  private everywhere(): ExternalConnection[] {
    return this.families.map((f) => {
      const range = wholeSpace(f);
      return { range, id: formatRange(range), conns: ConnectionSet.all() };
    });
  }

  private externalContributions(
    r: Rule,
    dstPorts: readonly NamedPort[] | undefined,
    out: { range: IpRange; conns: ConnectionSet }[],
  ): void {
    const conns = resolveRulePorts(r, dstPorts);
    if (conns.isEmpty()) return;
    if (r.peers === 'all') {
      for (const f of this.families) out.push({ range: wholeSpace(f), conns });
      return;
    }
    for (const peer of r.peers) {
      if (peer.kind !== 'ipBlock') continue;
      for (const range of subtractRanges(peer.cidr, peer.except)) out.push({ range, conns });
    }
  }
}
