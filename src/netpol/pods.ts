/**
 * The pods the engine reasons about, indexed for selection: every pod variant of the workloads
 * with the policies that select it, looked up by namespace and label, and hypothetical pods
 * evaluated on demand.
 */
import type { CompiledPolicy, Peer } from './policies';
import type { NamespaceTable } from './model';
import { Selector } from './selector';
import type { PodEndpoint, Workload } from './types';
import { addTo } from '../multimap';

/** A pod with the policies that select it, per direction. */
export interface PodState {
  readonly ep: PodEndpoint;
  readonly ingress: CompiledPolicy[];
  readonly egress: CompiledPolicy[];
}

interface NsBucket {
  readonly all: PodState[];
  /** The pods with each label, by key and then value. */
  readonly byPair: Map<string, Map<string, PodState[]>>;
  /** The pods with each label key. */
  readonly byKey: Map<string, PodState[]>;
  /** What {@link PodStore.select} answered for each selector here (a selector is one object however many policies write it). */
  readonly selections: Map<Selector, readonly PodState[]>;
}

const NO_PODS: readonly PodState[] = [];

/** `key\u0000value`, the key of a label pair in the indexes. */
export const pairKey = (k: string, v: string): string => `${k}\u0000${v}`;


/**
 * Pods of the manifests by namespace and label, with the policies that select each. Built once;
 * hypothetical pods get their selecting policies computed (and remembered) on first use.
 */
export class PodStore {
  /** Every pod variant of every workload, in workload order. */
  readonly states: PodState[] = [];
  private readonly stateOf = new Map<PodEndpoint, PodState>();
  private readonly hypothetical = new WeakMap<PodEndpoint, PodState>();
  private readonly byNs = new Map<string, NsBucket>();
  private readonly policiesByNs = new Map<string, CompiledPolicy[]>();
  private readonly selected = new Map<CompiledPolicy, readonly PodState[]>();
  private readonly nsMatchCache = new Map<object, string[]>();

  constructor(
    workloads: readonly Workload[],
    policies: readonly CompiledPolicy[],
    private readonly namespaces: NamespaceTable,
  ) {
    for (const w of workloads) {
      for (const ep of w.pods) {
        const st: PodState = { ep, ingress: [], egress: [] };
        this.states.push(st);
        this.stateOf.set(ep, st);
        const b = this.bucket(ep.namespace);
        b.all.push(st);
        for (const k of Object.keys(ep.labels)) {
          let values = b.byPair.get(k);
          if (!values) b.byPair.set(k, (values = new Map<string, PodState[]>()));
          addTo(values, ep.labels[k], st);
          addTo(b.byKey, k, st);
        }
      }
    }
    for (const p of policies) addTo(this.policiesByNs, p.namespace, p);
    for (const p of policies) {
      const sel = this.select(p.namespace, p.podSelector);
      this.selected.set(p, sel);
      for (const st of sel) {
        if (p.ingress) st.ingress.push(p);
        if (p.egress) st.egress.push(p);
      }
    }
  }

  private bucket(ns: string): NsBucket {
    let b = this.byNs.get(ns);
    if (!b) {
      b = { all: [], byPair: new Map(), byKey: new Map(), selections: new Map() };
      this.byNs.set(ns, b);
    }
    return b;
  }

  /** The pod with the policies that select it (computed once for a hypothetical pod). */
  state(ep: PodEndpoint): PodState {
    const known = this.stateOf.get(ep) ?? this.hypothetical.get(ep);
    if (known) return known;
    const candidates = this.policiesByNs.get(ep.namespace) ?? [];
    const st: PodState = {
      ep,
      ingress: candidates.filter((p) => p.ingress && p.podSelector.matches(ep.labels)),
      egress: candidates.filter((p) => p.egress && p.podSelector.matches(ep.labels)),
    };
    this.hypothetical.set(ep, st);
    return st;
  }

  /** The pods of the manifests a policy selects. */
  selectedBy(policy: CompiledPolicy): readonly PodState[] {
    return this.selected.get(policy) ?? [];
  }

  /** Pods of the manifests in `ns` that a selector matches (all of them without a selector). */
  select(ns: string, sel: Selector | undefined): readonly PodState[] {
    const b = this.byNs.get(ns);
    if (!b) return [];
    if (!sel || sel.matchesEverything) return b.all;
    let pods = b.selections.get(sel);
    if (!pods) b.selections.set(sel, (pods = sel.matchesNothing ? [] : this.selectIn(b, sel)));
    return pods;
  }

  /** The pods of a namespace a selector that can match something matches. */
  private selectIn(b: NsBucket, sel: Selector): PodState[] {
    let cands: readonly PodState[] | undefined;
    // Every matchLabels pair must hold, so the smallest bucket among them is a complete
    // candidate list. Labels every pod shares (part-of, instance) would scan the namespace.
    const pairs = sel.requiredPairs;
    for (let i = 0; i < pairs.length; i++) {
      const bucket = b.byPair.get(pairs[i][0])?.get(pairs[i][1]) ?? NO_PODS;
      if (!cands || bucket.length < cands.length) cands = bucket;
    }
    if (cands) return cands.filter((st) => sel.matches(st.ep.labels));
    const a = sel.anchor();
    if (!a) cands = b.all;
    else if ('key' in a) cands = b.byKey.get(a.key) ?? NO_PODS;
    else if (a.pairs.length === 1) cands = b.byPair.get(a.pairs[0][0])?.get(a.pairs[0][1]) ?? NO_PODS;
    else cands = a.pairs.flatMap(([k, v]) => b.byPair.get(k)?.get(v) ?? NO_PODS);
    return cands.filter((st) => sel.matches(st.ep.labels));
  }

  /** The namespaces of the manifests whose labels a namespaceSelector matches. */
  matchingNamespaces(sel: Selector): string[] {
    let r = this.nsMatchCache.get(sel);
    if (!r) {
      r = this.namespaces.names().filter((n) => sel.matches(this.namespaces.labelsOf(n)));
      this.nsMatchCache.set(sel, r);
    }
    return r;
  }

  /** Pods of the manifests a pod-peer of `policy` matches. */
  peerPods(policy: CompiledPolicy, peer: Peer): readonly PodState[] {
    if (peer.kind !== 'pods') return [];
    if (!peer.namespaceSelector) return this.select(policy.namespace, peer.podSelector);
    const out: PodState[] = [];
    for (const ns of this.matchingNamespaces(peer.namespaceSelector)) {
      for (const st of this.select(ns, peer.podSelector)) out.push(st);
    }
    return out;
  }
}
