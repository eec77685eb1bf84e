import type { KubernetesObject } from '@kubernetes/client-node';
import type { LoadedObject } from '../manifests';
import { ConnectionSet, Protocol } from './connection-set';
import {
  compareRanges,
  formatRange,
  IpRange,
  parseRange,
  rangeContains,
  rangesOverlap,
  subtractRanges,
  sweep,
  wholeSpace,
} from './ip';
import {
  CompiledPolicy,
  compilePolicy,
  extractHttpRouteRoutes,
  extractIngressRoutes,
  extractService,
  extractWorkloads,
  isAllPodsPeer,
  NamespaceTable,
  Peer,
  resolveRulePorts,
  RouteInfo,
  Rule,
  ServiceInfo,
  Source,
  toSources,
  WarningSink,
} from './model';
import { Labels, Selector } from './selector';
import {
  Direction,
  Endpoint,
  ExternalConnection,
  ExternalEndpoint,
  NamedPort,
  ObjectRef,
  PodEndpoint,
  PolicyInfo,
  Warning,
  Workload,
} from './types';

/** The pod that stands for the ingress controller (Ingress/HTTPRoute traffic comes from it). */
export interface IngressControllerOptions {
  /** Namespace of the controller's pods. */
  readonly namespace: string;
  /** Labels of the controller's pods. */
  readonly labels: Labels;
  /**
   * Labels of the controller's namespace.
   * @default - the namespace's labels when it is declared in the manifests, else only
   * `kubernetes.io/metadata.name`
   */
  readonly namespaceLabels?: Labels;
}

/** Options of {@link buildPolicyIndex}. */
export interface PolicyIndexOptions {
  /**
   * Namespace of namespaced objects that have no `metadata.namespace` (what `kubectl apply`
   * without `-n` would use).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * The ingress controller pod, per the SPEC's default edge profile (F5 NGINX Ingress
   * Controller).
   * @default { namespace: 'nginx-ingress', labels: { 'app.kubernetes.io/name': 'nginx-ingress' } }
   */
  readonly ingressController?: IngressControllerOptions;
  /**
   * Whether external results cover the IPv6 space too.
   * @default - only when some ipBlock is an IPv6 CIDR
   */
  readonly ipv6?: boolean;
}

/** Describes a pod that need not exist in the manifests, for what-if questions. */
export interface HypotheticalPod {
  readonly namespace?: string;
  readonly labels?: Labels;
  readonly ports?: readonly NamedPort[];
  /**
   * Labels of the pod's namespace (the implied `kubernetes.io/metadata.name` is added).
   * @default - the declared namespace's labels, or only the implied label
   */
  readonly namespaceLabels?: Labels;
  /** @default `namespace/{labels}` */
  readonly id?: string;
}

/** Where the ingress controller may send traffic because an Ingress or HTTPRoute routes there. */
export interface RouteTarget {
  readonly workload: Workload;
  readonly pod: PodEndpoint;
  /** The Service's target ports on that pod (before NetworkPolicies are applied). */
  readonly conns: ConnectionSet;
  /** The Ingress or HTTPRoute. */
  readonly route: ObjectRef;
  /** `namespace/name` of the Service. */
  readonly service: string;
}

/** Default of {@link PolicyIndexOptions.ingressController}. */
export const DEFAULT_INGRESS_CONTROLLER: IngressControllerOptions = {
  namespace: 'nginx-ingress',
  labels: { 'app.kubernetes.io/name': 'nginx-ingress' },
};

interface PodState {
  readonly ep: PodEndpoint;
  readonly ingress: CompiledPolicy[];
  readonly egress: CompiledPolicy[];
}

interface NsBucket {
  readonly all: PodState[];
  readonly byPair: Map<string, PodState[]>;
  readonly byKey: Map<string, PodState[]>;
}

const pairKey = (k: string, v: string): string => `${k}\u0000${v}`;

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

function labelsText(l: Labels): string {
  return `{${Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',')}}`;
}

/**
 * NetworkPolicy semantics over a set of manifests, indexed for fast queries. Build it with
 * {@link buildPolicyIndex}; it is immutable afterwards.
 *
 * Semantics (Kubernetes `networking.k8s.io/v1`):
 * - a policy selects pods of its own namespace with `podSelector` (empty = all);
 * - without `policyTypes`, a policy isolates Ingress, and Egress too when it has `egress` rules;
 * - a pod is isolated in a direction iff some policy of that type selects it; otherwise that
 *   direction is unrestricted; what is allowed is the union of the rules of all selecting policies;
 * - a rule without `from`/`to` allows every peer, without `ports` every port;
 * - `podSelector` alone selects pods of the policy's namespace, `namespaceSelector` alone all pods
 *   of the matching namespaces, both in one peer must both match;
 * - named ports resolve against the destination pod's container ports (for egress too), and a
 *   named port must match the protocol as well;
 * - pod-to-pod traffic is allowed iff the source's egress and the destination's ingress allow it.
 *
 * Design choice: pod IPs are not known from manifests, so `ipBlock` peers only ever match
 * external endpoints (address ranges), never pods; pod peers never match external endpoints.
 */
export class PolicyIndex {
  /** Every workload, sorted by id. */
  readonly workloads: readonly Workload[];
  /** Every NetworkPolicy, in input order. */
  readonly policies: readonly PolicyInfo[];
  /** Problems found while reading (invalid policies, unresolved named ports, dangling routes...). */
  readonly warnings: readonly Warning[];
  /** Namespace used for objects without one. */
  readonly defaultNamespace: string;
  /** Address families covered by external results. */
  readonly families: readonly (4 | 6)[];

  private readonly compiled: CompiledPolicy[];
  private readonly states: PodState[] = [];
  private readonly stateOf = new Map<PodEndpoint, PodState>();
  private readonly hypothetical = new WeakMap<PodEndpoint, PodState>();
  private readonly byNs = new Map<string, NsBucket>();
  private readonly policiesByNs = new Map<string, CompiledPolicy[]>();
  private readonly selected = new Map<CompiledPolicy, PodState[]>();
  private readonly nsMatchCache = new Map<object, string[]>();
  private readonly workloadById = new Map<string, Workload>();
  private readonly routeTargets: RouteTarget[] = [];
  private readonly controller: IngressControllerOptions;
  private readonly namespaces: NamespaceTable;
  private reverse?: Map<string, { policy: CompiledPolicy; peer: Peer }[]>;

  /** @internal use {@link buildPolicyIndex} */
  constructor(objects: readonly (LoadedObject | KubernetesObject)[], options: PolicyIndexOptions = {}) {
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.controller = options.ingressController ?? DEFAULT_INGRESS_CONTROLLER;
    const warn = new WarningSink();
    const sources = toSources(objects);
    const nsOf = (o: Source['obj']) => o.metadata?.namespace || this.defaultNamespace;
    const namespaces = new NamespaceTable();
    this.namespaces = namespaces;
    for (const s of sources) if (s.obj.kind === 'Namespace' && s.obj.apiVersion === 'v1') namespaces.declare(s.obj);

    this.workloads = extractWorkloads(sources, nsOf, namespaces, warn);
    for (const w of this.workloads) {
      this.workloadById.set(w.id, w);
      for (const ep of w.pods) {
        const st: PodState = { ep, ingress: [], egress: [] };
        this.states.push(st);
        this.stateOf.set(ep, st);
        this.bucket(ep.namespace).all.push(st);
        const b = this.bucket(ep.namespace);
        for (const [k, v] of Object.entries(ep.labels)) {
          push(b.byPair, pairKey(k, v), st);
          push(b.byKey, k, st);
        }
      }
    }

    this.compiled = [];
    const services = new Map<string, ServiceInfo>();
    const routes: RouteInfo[] = [];
    let hasV6 = false;
    for (const s of sources) {
      const kind = s.obj.kind;
      const api = s.obj.apiVersion ?? '';
      if (kind === 'NetworkPolicy' && api === 'networking.k8s.io/v1') {
        const p = compilePolicy(s, nsOf(s.obj), warn);
        namespaces.reference(p.namespace);
        this.compiled.push(p);
        push(this.policiesByNs, p.namespace, p);
        for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
          if (r.peers !== 'all' && r.peers.some((x) => x.kind === 'ipBlock' && x.cidr.family === 6)) hasV6 = true;
        }
      } else if (kind === 'Service' && api === 'v1') {
        const svc = extractService(s, nsOf(s.obj));
        services.set(`${svc.namespace}/${svc.name}`, svc);
      } else if (kind === 'Ingress' && /^(networking\.k8s\.io|extensions)\//.test(api)) {
        routes.push(...extractIngressRoutes(s, nsOf(s.obj)));
      } else if (kind === 'HTTPRoute' && api.startsWith('gateway.networking.k8s.io/')) {
        routes.push(...extractHttpRouteRoutes(s, nsOf(s.obj)));
      }
    }
    this.policies = this.compiled;
    this.families = (options.ipv6 ?? hasV6) ? [4, 6] : [4];

    for (const p of this.compiled) {
      const sel = this.select(p.namespace, p.podSelector);
      this.selected.set(p, sel);
      for (const st of sel) {
        if (p.ingress) st.ingress.push(p);
        if (p.egress) st.egress.push(p);
      }
      if (sel.length === 0) {
        warn.add(
          'policy-selects-nothing',
          `NetworkPolicy ${p.namespace}/${p.name} selects no pod of the manifests (podSelector ${p.podSelector})`,
          p.source,
          ['spec', 'podSelector'],
        );
      }
    }
    this.checkNamedPorts(warn);
    this.resolveRoutes(routes, services, warn);
    this.warnings = warn.list;
  }

  private bucket(ns: string): NsBucket {
    let b = this.byNs.get(ns);
    if (!b) {
      b = { all: [], byPair: new Map(), byKey: new Map() };
      this.byNs.set(ns, b);
    }
    return b;
  }

  // ---------------------------------------------------------------- lookups

  /** The workload with this id (`namespace/name[Kind]`). */
  workload(id: string): Workload | undefined {
    return this.workloadById.get(id);
  }

  /** Effective labels of a namespace (declared labels + `kubernetes.io/metadata.name`). */
  namespaceLabels(namespace: string): Labels {
    return this.namespaces.labelsOf(namespace);
  }

  /** Every namespace the manifests declare or use, sorted. */
  namespaceNames(): string[] {
    return this.namespaces.names();
  }

  /**
   * A hypothetical pod: e.g. a stray pod `{ namespace: 'ctis-production', labels: { app: 'stray' } }`,
   * or a pod in another namespace with given namespace labels.
   */
  pod(spec: HypotheticalPod = {}): PodEndpoint {
    const namespace = spec.namespace ?? this.defaultNamespace;
    const labels = { ...(spec.labels ?? {}) };
    const namespaceLabels = spec.namespaceLabels
      ? { ...spec.namespaceLabels, 'kubernetes.io/metadata.name': namespace }
      : this.namespaces.labelsOf(namespace);
    return {
      kind: 'pod',
      id: spec.id ?? `${namespace}/${labelsText(labels)}`,
      namespace,
      labels,
      ports: spec.ports ?? [],
      namespaceLabels,
    };
  }

  /** The ingress controller pod (see {@link PolicyIndexOptions.ingressController}). */
  ingressControllerPod(): PodEndpoint {
    const c = this.controller;
    return this.pod({
      namespace: c.namespace,
      labels: c.labels,
      ...(c.namespaceLabels ? { namespaceLabels: c.namespaceLabels } : {}),
      id: INGRESS_CONTROLLER_ID,
    });
  }

  /**
   * An external endpoint from an address (`1.2.3.4`), a CIDR (`10.0.0.0/8`) or a range
   * (`10.0.0.0-10.0.0.255`).
   * @throws Error when the text is none of these
   */
  external(address: string): ExternalEndpoint {
    const range = parseRange(address);
    if (!range) throw new Error(`"${address}" is not an IP address, CIDR or address range`);
    return { kind: 'external', id: formatRange(range), range };
  }

  private state(ep: PodEndpoint): PodState {
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

  /** Whether some policy isolates the pod in that direction. */
  isIsolated(pod: PodEndpoint, direction: Direction): boolean {
    return this.state(pod)[direction].length > 0;
  }

  /** The policies that select the pod for that direction. */
  selectingPolicies(pod: PodEndpoint, direction: Direction): PolicyInfo[] {
    return [...this.state(pod)[direction]];
  }

  /** The workloads whose pods a policy selects (by policy key `NetworkPolicy/ns/name`). */
  selectedWorkloads(policyKey: string): Workload[] {
    const p = this.compiled.find((x) => x.key === policyKey);
    if (!p) return [];
    const ids = new Set((this.selected.get(p) ?? []).map((s) => s.ep.id));
    return [...ids].map((id) => this.workloadById.get(id)!);
  }

  // ---------------------------------------------------------------- matching

  private select(ns: string, sel: Selector | undefined): PodState[] {
    const b = this.byNs.get(ns);
    if (!b) return [];
    if (!sel || sel.matchesEverything) return b.all;
    if (sel.matchesNothing) return [];
    let cands: PodState[] | undefined;
    // Every matchLabels pair must hold, so the smallest bucket among them is a complete
    // candidate list. Labels every pod shares (part-of, instance) would scan the namespace.
    for (const [k, v] of sel.requiredPairs) {
      const bucket = b.byPair.get(pairKey(k, v)) ?? [];
      if (!cands || bucket.length < cands.length) cands = bucket;
    }
    if (cands) return cands.filter((st) => sel.matches(st.ep.labels));
    const a = sel.anchor();
    if (!a) cands = b.all;
    else if ('key' in a) cands = b.byKey.get(a.key) ?? [];
    else if (a.pairs.length === 1) cands = b.byPair.get(pairKey(a.pairs[0][0], a.pairs[0][1])) ?? [];
    else cands = a.pairs.flatMap(([k, v]) => b.byPair.get(pairKey(k, v)) ?? []);
    return cands.filter((st) => sel.matches(st.ep.labels));
  }

  private matchingNamespaces(sel: Selector): string[] {
    let r = this.nsMatchCache.get(sel);
    if (!r) {
      r = this.namespaces.names().filter((n) => sel.matches(this.namespaces.labelsOf(n)));
      this.nsMatchCache.set(sel, r);
    }
    return r;
  }

  /** Pods of the manifests a pod-peer of `policy` matches. */
  private peerPods(policy: CompiledPolicy, peer: Peer): PodState[] {
    if (peer.kind !== 'pods') return [];
    if (!peer.namespaceSelector) return this.select(policy.namespace, peer.podSelector);
    const out: PodState[] = [];
    for (const ns of this.matchingNamespaces(peer.namespaceSelector)) {
      for (const st of this.select(ns, peer.podSelector)) out.push(st);
    }
    return out;
  }

  private peerMatches(policy: CompiledPolicy, peer: Peer, ep: Endpoint): boolean {
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
    return rule.peers === 'all' || rule.peers.some((p) => this.peerMatches(rule.policy, p, ep));
  }

  private egressFrom(src: PodState, dst: PodEndpoint): ConnectionSet {
    if (src.egress.length === 0) return ConnectionSet.all();
    let acc = ConnectionSet.none();
    for (const p of src.egress) {
      for (const r of p.egress!) {
        if (!this.ruleMatches(r, dst)) continue;
        acc = acc.union(resolveRulePorts(r, dst.ports));
        if (acc.isAll()) return acc;
      }
    }
    return acc;
  }

  private ingressTo(src: PodEndpoint, dst: PodState): ConnectionSet {
    if (dst.ingress.length === 0) return ConnectionSet.all();
    let acc = ConnectionSet.none();
    for (const p of dst.ingress) {
      for (const r of p.ingress!) {
        if (!this.ruleMatches(r, src)) continue;
        acc = acc.union(resolveRulePorts(r, dst.ep.ports));
        if (acc.isAll()) return acc;
      }
    }
    return acc;
  }

  // ---------------------------------------------------------------- queries

  /**
   * What `src` may open to `dst`: the source's egress AND the destination's ingress. For an
   * external endpoint, the connections allowed to (or from) every address of its range. Between
   * two external endpoints no policy applies: `All Connections`.
   */
  allowed(src: Endpoint, dst: Endpoint): ConnectionSet {
    if (src.kind === 'pod' && dst.kind === 'pod') {
      const d = this.state(dst);
      const ingress = this.ingressTo(src, d);
      if (ingress.isEmpty()) return ingress;
      return ingress.intersect(this.egressFrom(this.state(src), dst));
    }
    if (src.kind === 'pod' && dst.kind === 'external') return coverage(this.egressToExternal(src), dst.range);
    if (src.kind === 'external' && dst.kind === 'pod') return coverage(this.ingressFromExternal(dst), src.range);
    return ConnectionSet.all();
  }

  /** Whether `src` may connect to `dst` on `protocol`/`port` (e.g. `'TCP', 8080`). */
  allows(src: Endpoint, dst: Endpoint, protocol: Protocol, port: number): boolean {
    return this.allowed(src, dst).allows(protocol, port);
  }

  /** External ranges (maximal, sorted) the pod may send to, with the allowed connections. */
  egressToExternal(pod: PodEndpoint): ExternalConnection[] {
    const st = this.state(pod);
    if (st.egress.length === 0) return this.everywhere();
    const contributions: { range: IpRange; conns: ConnectionSet }[] = [];
    for (const p of st.egress) {
      for (const r of p.egress!) this.externalContributions(r, undefined, contributions);
    }
    return mergeExternal(contributions);
  }

  /** External ranges (maximal, sorted) that may connect to the pod, with the allowed connections. */
  ingressFromExternal(pod: PodEndpoint): ExternalConnection[] {
    const st = this.state(pod);
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

  /** Where Ingress/HTTPRoute objects send the ingress controller's traffic (Service target ports). */
  routes(): readonly RouteTarget[] {
    return this.routeTargets;
  }

  // ---------------------------------------------------------------- all pairs

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
      if (!m) out.set(s, (m = new Map()));
      const prev = m.get(d);
      m.set(d, prev ? prev.union(c) : c);
    };
    const unrestricted = this.states.filter((s) => s.egress.length === 0);
    const wildcard = this.wildcardGroups();
    for (const d of this.states) {
      let any: ConnectionSet;
      const explicit = new Map<PodState, ConnectionSet>();
      if (d.ingress.length === 0) {
        any = ConnectionSet.all();
      } else {
        any = ConnectionSet.none();
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
              for (const s of this.peerPods(p, peer)) {
                const prev = explicit.get(s);
                explicit.set(s, prev ? prev.union(c) : c);
              }
            }
          }
        }
      }
      const consider = (s: PodState, ingress: ConnectionSet) => {
        if (s.ep.id === d.ep.id) return;
        const c = ingress.intersect(this.egressFrom(s, d.ep));
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
        for (const s of this.reverseLookup(d)) cands.add(s);
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
   * Egress-isolated pods with an egress rule towards any pod (no `to`, or an all-namespaces
   * peer), grouped by the ports of those rules (`conns` undefined when named ports make them
   * depend on the destination).
   */
  private wildcardGroups(): { conns?: ConnectionSet; pods: PodState[] }[] {
    const groups = new Map<string, { conns?: ConnectionSet; pods: PodState[] }>();
    let unique = 0;
    for (const s of this.states) {
      let conns: ConnectionSet | undefined = ConnectionSet.none();
      let found = false;
      for (const p of s.egress) {
        for (const r of p.egress!) {
          if (r.peers !== 'all' && !r.peers.some(isAllPodsPeer)) continue;
          found = true;
          if (r.ports !== 'all' && r.ports.named.length > 0) conns = undefined;
          else if (conns) conns = conns.union(resolveRulePorts(r, undefined));
        }
      }
      if (!found) continue;
      const key = conns ? conns.toString() : `\u0000${unique++}`;
      const g = groups.get(key);
      if (g) g.pods.push(s);
      else groups.set(key, { ...(conns ? { conns } : {}), pods: [s] });
    }
    return [...groups.values()];
  }

  /** Egress-isolated pods some egress peer of which matches `d` (excluding any-pod peers). */
  private reverseLookup(d: PodState): PodState[] {
    const rev = (this.reverse ??= this.buildReverse());
    const ns = d.ep.namespace;
    const keys = [`${ns}\u0001*`];
    for (const [k, v] of Object.entries(d.ep.labels)) {
      keys.push(`${ns}\u0001k\u0001${k}`, `${ns}\u0001v\u0001${pairKey(k, v)}`);
    }
    const out: PodState[] = [];
    const seen = new Set<CompiledPolicy>();
    for (const key of keys) {
      for (const e of rev.get(key) ?? []) {
        if (seen.has(e.policy) || !this.peerMatches(e.policy, e.peer, d.ep)) continue;
        seen.add(e.policy);
        for (const s of this.selected.get(e.policy) ?? []) out.push(s);
      }
    }
    return out;
  }

  private buildReverse(): Map<string, { policy: CompiledPolicy; peer: Peer }[]> {
    const rev = new Map<string, { policy: CompiledPolicy; peer: Peer }[]>();
    for (const p of this.compiled) {
      if (!p.egress || (this.selected.get(p) ?? []).length === 0) continue;
      for (const r of p.egress) {
        if (r.peers === 'all') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'pods' || isAllPodsPeer(peer)) continue;
          const nss = peer.namespaceSelector ? this.matchingNamespaces(peer.namespaceSelector) : [p.namespace];
          const a = peer.podSelector && !peer.podSelector.matchesEverything ? peer.podSelector.anchor() : undefined;
          for (const ns of nss) {
            const keys = !a
              ? [`${ns}\u0001*`]
              : 'key' in a
                ? [`${ns}\u0001k\u0001${a.key}`]
                : a.pairs.map(([k, v]) => `${ns}\u0001v\u0001${pairKey(k, v)}`);
            for (const key of keys) push(rev, key, { policy: p, peer });
          }
        }
      }
    }
    return rev;
  }

  // ---------------------------------------------------------------- checks at build time

  private checkNamedPorts(warn: WarningSink): void {
    for (const p of this.compiled) {
      const sel = this.selected.get(p) ?? [];
      for (const r of p.ingress ?? []) {
        if (r.ports === 'all' || r.ports.named.length === 0) continue;
        for (const n of r.ports.named) {
          const missing = new Set<string>();
          for (const st of sel) {
            if (!st.ep.ports.some((x) => x.name === n.name && x.protocol === n.protocol)) missing.add(st.ep.id);
          }
          if (missing.size === 0) continue;
          warn.add(
            'named-port-unresolved',
            `NetworkPolicy ${p.namespace}/${p.name}: named port "${n.name}" (${n.protocol}) of ingress rule ${r.index + 1} does not resolve on ${[...missing].sort().join(', ')}: no container port has that name`,
            p.source,
            ['spec', 'ingress', r.index, 'ports'],
          );
        }
      }
      if (sel.length === 0) continue;
      for (const r of p.egress ?? []) {
        if (r.ports === 'all' || r.ports.named.length === 0) continue;
        const dsts: PodState[] =
          r.peers === 'all' ? this.states : r.peers.flatMap((peer) => this.peerPods(p, peer));
        for (const n of r.ports.named) {
          if (dsts.some((st) => st.ep.ports.some((x) => x.name === n.name && x.protocol === n.protocol))) continue;
          warn.add(
            'named-port-unresolved',
            `NetworkPolicy ${p.namespace}/${p.name}: named port "${n.name}" (${n.protocol}) of egress rule ${r.index + 1} does not resolve on any destination pod of the rule`,
            p.source,
            ['spec', 'egress', r.index, 'ports'],
          );
        }
      }
    }
  }

  private resolveRoutes(routes: RouteInfo[], services: Map<string, ServiceInfo>, warn: WarningSink): void {
    for (const route of routes) {
      const what = `${route.source.obj.kind} ${route.source.obj.metadata?.namespace ?? this.defaultNamespace}/${route.source.obj.metadata?.name ?? ''}`;
      const svcKey = `${route.namespace}/${route.service}`;
      const svc = services.get(svcKey);
      if (!svc) {
        warn.add('route-unresolved', `${what} routes to Service ${svcKey}, which is not in the manifests`, route.source, route.path);
        continue;
      }
      const ports =
        route.port === undefined
          ? svc.ports
          : svc.ports.filter((p) => (typeof route.port === 'number' ? p.port === route.port : p.name === route.port));
      if (ports.length === 0) {
        warn.add('route-unresolved', `${what} routes to port ${String(route.port)} of Service ${svcKey}, which has no such port`, route.source, route.path);
        continue;
      }
      if (!svc.selector) {
        warn.add('route-unresolved', `${what} routes to Service ${svcKey}, which has no selector`, route.source, route.path);
        continue;
      }
      const pods = this.select(svc.namespace, svc.selector);
      if (pods.length === 0) {
        warn.add('route-unresolved', `${what} routes to Service ${svcKey}, whose selector matches no pod`, svc.source, ['spec', 'selector']);
        continue;
      }
      const routeRef: ObjectRef = {
        key: `${route.source.obj.kind}/${route.source.obj.metadata?.namespace ?? this.defaultNamespace}/${route.source.obj.metadata?.name ?? ''}`,
        ...(route.source.loaded ? { location: route.source.loaded.location } : {}),
      };
      for (const st of pods) {
        let conns = ConnectionSet.none();
        for (const sp of ports) {
          const tp = sp.targetPort ?? sp.port;
          if (typeof tp === 'number') {
            if (Number.isInteger(tp) && tp >= 1 && tp <= 65535) conns = conns.union(ConnectionSet.ports(sp.protocol, tp));
            continue;
          }
          const hits = st.ep.ports.filter((x) => x.name === tp && x.protocol === sp.protocol);
          if (hits.length === 0) {
            warn.add(
              'named-port-unresolved',
              `Service ${svcKey}: targetPort "${tp}" does not resolve on ${st.ep.id}: no container port has that name`,
              svc.source,
              ['spec', 'ports'],
            );
          }
          for (const h of hits) conns = conns.union(ConnectionSet.ports(h.protocol, h.port));
        }
        if (conns.isEmpty()) continue;
        this.routeTargets.push({
          workload: this.workloadById.get(st.ep.id)!,
          pod: st.ep,
          conns,
          route: routeRef,
          service: svcKey,
        });
      }
    }
  }
}

/** Id of the ingress controller node in connectivity results. */
export const INGRESS_CONTROLLER_ID = '{ingress-controller}';

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
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

/**
 * Indexes the NetworkPolicies, workloads, namespaces, Services and routes of a set of objects
 * (loaded with `loadManifests` or plain objects) for connectivity queries.
 */
export function buildPolicyIndex(
  objects: readonly (LoadedObject | KubernetesObject)[],
  options: PolicyIndexOptions = {},
): PolicyIndex {
  return new PolicyIndex(objects, options);
}
