/**
 * All-pairs queries, output-sensitive: which workloads each pod may reach or be reached from,
 * found through the label indexes and a reverse index of policy peers instead of trying every
 * pair.
 */
import { ConnectionSet } from './connection-set';
import type { Evaluator } from './evaluate';
import { NamespaceTable } from './model';
import { CompiledPolicy, isAllPodsPeer, Peer, resolveRulePorts } from './policies';
import { pairKey, PodState, PodStore } from './pods';
import { METADATA_NAME_LABEL } from '../manifests';
import type { Direction, PodEndpoint } from './types';
import { addTo } from '../multimap';

/** Adds `c` to the connections of `id`. */
export function addConns(m: Map<string, ConnectionSet>, id: string, c: ConnectionSet): void {
  if (c.isEmpty()) return;
  const prev = m.get(id);
  m.set(id, prev ? prev.union(c) : c);
}

interface ReverseIndex {
  /** `ns\u0001*`, `ns\u0001k\u0001key`, `ns\u0001v\u0001key\u0000value` -> peers that may match there. */
  readonly byKey: Map<string, { policy: CompiledPolicy; peer: Peer }[]>;
  /** Peers whose namespaceSelector chooses namespaces by labels other than their names. */
  readonly unpinned: readonly { policy: CompiledPolicy; peer: Peer }[];
}

interface WildcardGroup {
  readonly conns?: ConnectionSet;
  readonly pods: PodState[];
}

/**
 * What a pod allows in `direction` with any pod on the other side: `ConnectionSet.all()` when it
 * is not isolated, the ports of its any-pod rules (no `to`/`from`, or an all-namespaces peer),
 * undefined when named egress ports make them depend on the destination, and null when it is
 * isolated without any-pod rules.
 */
function anyPodConns(st: PodState, direction: Direction): ConnectionSet | undefined | null {
  if (st[direction].length === 0) return ConnectionSet.all();
  let conns: ConnectionSet | undefined = ConnectionSet.none();
  let found = false;
  for (const p of st[direction]) {
    for (const r of p[direction]!) {
      if (r.peers !== 'all' && !r.peers.some(isAllPodsPeer)) continue;
      found = true;
      if (direction === 'egress' && r.ports !== 'all' && r.ports.named.length > 0) conns = undefined;
      else if (conns) conns = conns.union(resolveRulePorts(r, direction === 'ingress' ? st.ep.ports : undefined));
    }
  }
  return found ? conns : null;
}

/** Id of the ingress controller node in connectivity results. */

/** The all-pairs queries of a `PolicyIndex`. */
export class PairFinder {
  private readonly reverse: Partial<Record<Direction, ReverseIndex>> = {};
  private readonly wildcard: Partial<Record<Direction, WildcardGroup[]>> = {};

  constructor(
    private readonly pods: PodStore,
    private readonly evaluate: Evaluator,
    private readonly policies: readonly CompiledPolicy[],
    private readonly namespaces: NamespaceTable,
  ) {}

  /**
   * Every allowed pod-to-pod connection between different workloads, as
   * `(srcWorkloadId, dstWorkloadId, conns)` with conns unioned over pod variants.
   *
   * Output-sensitive: a destination's allowed sources come from its ingress rules through the
   * label index; only when a destination admits any pod (no ingress policy, or a rule without
   * `from`) are the sources enumerated from the egress side (unrestricted pods, pods with an
   * egress rule to any pod, and pods whose egress peers match the destination, found through a
   * reverse index).
   */
  podConnections(): Map<string, Map<string, ConnectionSet>> {
    const out = new Map<string, Map<string, ConnectionSet>>();
    const add = (s: string, d: string, c: ConnectionSet) => {
      let m = out.get(s);
      if (!m) out.set(s, (m = new Map<string, ConnectionSet>()));
      const prev = m.get(d);
      m.set(d, prev ? prev.union(c) : c);
    };
    const unrestricted = this.pods.states.filter((s) => s.egress.length === 0);
    const wildcard = this.wildcardGroups('egress');
    for (const d of this.pods.states) {
      const explicit = new Map<PodState, ConnectionSet>();
      const any = this.ingressAdmits(d, explicit);
      const consider = (s: PodState, ingress: ConnectionSet) => {
        if (s.ep.id === d.ep.id) return;
        const c = ingress.intersect(this.evaluate.egressFrom(s, d.ep));
        if (!c.isEmpty()) add(s.ep.id, d.ep.id, c);
      };
      if (any.isEmpty()) {
        for (const [s, c] of explicit) consider(s, c);
      } else {
        const cands = new Set<PodState>(unrestricted);
        for (const g of wildcard) {
          // Pods whose any-pod egress rules share no port with what d admits from any pod can
          // only reach d through specific peers (found below); skip the whole group.
          if (g.conns && g.conns.intersect(any).isEmpty()) continue;
          for (const s of g.pods) cands.add(s);
        }
        for (const s of this.reverseLookup(d.ep, 'egress')) cands.add(s);
        for (const s of explicit.keys()) cands.add(s);
        for (const s of cands) {
          const e = explicit.get(s);
          consider(s, e ? any.union(e) : any);
        }
      }
    }
    return out;
  }

  /**
   * What `d`'s ingress admits from any pod (all when no policy isolates it); the sources its rules
   * name through pod peers go into `explicit` with what each rule admits from them.
   */
  private ingressAdmits(d: PodState, explicit: Map<PodState, ConnectionSet>): ConnectionSet {
    if (d.ingress.length === 0) return ConnectionSet.all();
    let any = ConnectionSet.none();
    for (const p of d.ingress) {
      for (const r of p.ingress!) {
        const c = resolveRulePorts(r, d.ep.ports);
        if (c.isEmpty()) continue;
        if (r.peers === 'all') {
          any = any.union(c);
          continue;
        }
        for (const peer of r.peers) {
          if (peer.kind !== 'pods') continue;
          if (isAllPodsPeer(peer)) {
            any = any.union(c);
            continue;
          }
          for (const s of this.pods.peerPods(p, peer)) {
            const prev = explicit.get(s);
            explicit.set(s, prev ? prev.union(c) : c);
          }
        }
      }
    }
    return any;
  }

  /**
   * Isolated pods with a rule towards (egress) or from (ingress) any pod — no `to`/`from`, or an
   * all-namespaces peer — grouped by the ports of those rules (`conns` undefined when named
   * egress ports make them depend on the destination).
   */
  private wildcardGroups(direction: Direction): readonly WildcardGroup[] {
    const cached = this.wildcard[direction];
    if (cached) return cached;
    const groups = new Map<string, WildcardGroup>();
    let unique = 0;
    for (const s of this.pods.states) {
      if (s[direction].length === 0) continue;
      const conns = anyPodConns(s, direction);
      if (conns === null) continue;
      const key = conns ? conns.toString() : `\u0000${unique++}`;
      const g = groups.get(key);
      if (g) g.pods.push(s);
      else groups.set(key, { ...(conns ? { conns } : {}), pods: [s] });
    }
    return (this.wildcard[direction] = [...groups.values()]);
  }

  /**
   * Pods of the manifests isolated in `direction` some peer of which (other than an any-pod peer)
   * matches `ep`: egress peers towards it, or ingress peers admitting it.
   */
  private reverseLookup(ep: PodEndpoint, direction: Direction): PodState[] {
    const rev = (this.reverse[direction] ??= this.buildReverse(direction));
    const ns = ep.namespace;
    const keys = [`${ns}\u0001*`];
    for (const [k, v] of Object.entries(ep.labels)) {
      keys.push(`${ns}\u0001k\u0001${k}`, `${ns}\u0001v\u0001${pairKey(k, v)}`);
    }
    const out: PodState[] = [];
    const seen = new Set<CompiledPolicy>();
    const visit = (e: { policy: CompiledPolicy; peer: Peer }) => {
      if (seen.has(e.policy) || !this.evaluate.peerMatches(e.policy, e.peer, ep)) return;
      seen.add(e.policy);
      for (const s of this.pods.selectedBy(e.policy)) out.push(s);
    };
    for (const key of keys) for (const e of rev.byKey.get(key) ?? []) visit(e);
    // Namespaces outside the manifests are only reached by label-chosen namespaceSelectors.
    if (!this.namespaces.has(ns)) for (const e of rev.unpinned) visit(e);
    return out;
  }

  private buildReverse(direction: Direction): ReverseIndex {
    const byKey = new Map<string, { policy: CompiledPolicy; peer: Peer }[]>();
    const unpinned: { policy: CompiledPolicy; peer: Peer }[] = [];
    for (const p of this.policies) {
      const rules = p[direction];
      if (!rules || (this.pods.selectedBy(p)).length === 0) continue;
      for (const r of rules) {
        if (r.peers === 'all') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'pods' || isAllPodsPeer(peer)) continue;
          let nss = [p.namespace];
          if (peer.namespaceSelector) {
            nss = this.pods.matchingNamespaces(peer.namespaceSelector);
            const pinned = peer.namespaceSelector.pinnedValues(METADATA_NAME_LABEL);
            if (pinned) nss = [...nss, ...pinned.filter((n) => !this.namespaces.has(n))];
            else unpinned.push({ policy: p, peer });
          }
          const a = peer.podSelector && !peer.podSelector.matchesEverything ? peer.podSelector.anchor() : undefined;
          for (const ns of nss) {
            const keys = !a
              ? [`${ns}\u0001*`]
              : 'key' in a
                ? [`${ns}\u0001k\u0001${a.key}`]
                : a.pairs.map(([k, v]) => `${ns}\u0001v\u0001${pairKey(k, v)}`);
            for (const key of keys) addTo(byKey, key, { policy: p, peer });
          }
        }
      }
    }
    return { byKey, unpinned };
  }

  // ---------------------------------------------------------------- pods outside the manifests


  /**
   * The workloads a pod (typically hypothetical, e.g. an {@link OutsideEndpoint}) may receive
   * connections from (`inbound`) and open connections to (`outbound`), by workload id, unioned
   * over pod variants. Output-sensitive: candidates come from the pod's own peers when it is
   * isolated without any-pod rules, and otherwise from the unrestricted and any-pod sides and
   * the reverse peer indexes.
   */
  workloadConnections(pod: PodEndpoint): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    const st = this.pods.state(pod);
    const inbound = new Map<string, ConnectionSet>();
    const outbound = new Map<string, ConnectionSet>();
    for (const s of this.candidates(st, 'egress')) if (s.ep.id !== pod.id) addConns(outbound, s.ep.id, this.evaluate.allowed(pod, s.ep));
    for (const s of this.candidates(st, 'ingress')) if (s.ep.id !== pod.id) addConns(inbound, s.ep.id, this.evaluate.allowed(s.ep, pod));
    return { inbound, outbound };
  }

  /**
   * Pods of the manifests that may be on the other side of `st`'s `direction` (egress: where it
   * may send; ingress: who may send to it): a superset of the answer.
   */
  private candidates(st: PodState, direction: Direction): Set<PodState> {
    const other: Direction = direction === 'egress' ? 'ingress' : 'egress';
    const cands = new Set<PodState>();
    const mine = anyPodConns(st, direction);
    if (mine === null) {
      // Isolated without any-pod rules: only its peers' pods qualify.
      for (const p of st[direction]) {
        for (const r of p[direction]!) {
          if (r.peers === 'all') continue;
          for (const peer of r.peers) for (const s of this.pods.peerPods(p, peer)) cands.add(s);
        }
      }
      return cands;
    }
    for (const s of this.pods.states) if (s[other].length === 0) cands.add(s);
    for (const g of this.wildcardGroups(other)) {
      if (mine && g.conns && mine.intersect(g.conns).isEmpty()) continue;
      for (const s of g.pods) cands.add(s);
    }
    for (const s of this.reverseLookup(st.ep, other)) cands.add(s);
    if (st[direction].length > 0) {
      // Isolated with any-pod rules: its specific peers qualify as well.
      for (const p of st[direction]) {
        for (const r of p[direction]!) {
          if (r.peers === 'all') continue;
          for (const peer of r.peers) if (!isAllPodsPeer(peer)) for (const s of this.pods.peerPods(p, peer)) cands.add(s);
        }
      }
    }
    return cands;
  }
}
