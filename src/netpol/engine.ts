import type { KubernetesObject } from '@kubernetes/client-node';
import { effectiveNamespace, isRoute, LoadedObject, METADATA_NAME_LABEL } from '../manifests';
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
  extractRoutes,
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

/**
 * A pod that is not in the manifests but that NetworkPolicies may let in or out, standing for a
 * class of such pods. Ids (deterministic, sorted in reports after the workloads):
 *
 * - `{other-namespace}`: a pod without labels in a namespace that is not in the manifests and has
 *   no label but its name (what `namespaceSelector: {}` or a rule without `from`/`to` admits);
 * - `<ns>/{any-other-pod}`, for each namespace of the manifests (declared, or holding a workload
 *   or a policy): a pod without labels in `<ns>` that is none of the workloads;
 * - `<ns>/{<podSelector>}` or `<ns>/{any-pod}`: the pods a peer selects in a namespace it names
 *   (`namespaceSelector` on `kubernetes.io/metadata.name`, e.g. `kube-system/{k8s-app=kube-dns}`)
 *   that is not in the manifests; or, in a namespace of the manifests, pods a peer's podSelector
 *   selects where no workload matches it (e.g. `shop/{app=debug}`);
 * - `{other-namespace <nsSelector>}` and `{other-namespace[ <nsSelector>]}/{<podSelector>}`: the
 *   pods a peer selects in namespaces outside the manifests chosen by labels, e.g.
 *   `{other-namespace env=prod}`, `{other-namespace}/{app=prometheus}`.
 *
 * Each is evaluated as one representative pod ({@link pod}): the fewest labels its selectors
 * need (`matchLabels`, the first `In` value, an empty value for `Exists`), no container ports (so
 * named ports never resolve on it), in a namespace with the fewest labels the namespaceSelector
 * needs. Outside the manifests no policy is known, so there it is unrestricted; in a namespace of
 * the manifests that namespace's policies apply to it. Inside namespaces of the manifests, pods a
 * selector matches are taken to be the workloads when any workload matches.
 *
 * The two generic kinds are paired with every workload. A class a peer names is paired only with
 * the workloads selected by the policies that name it (`namedBy`): what any other workload can do
 * with pods elsewhere shows under the generic kinds, and the report stays linear in the size of
 * the policies instead of pairing every class with every workload.
 */
export interface OutsideEndpoint {
  readonly id: string;
  /** The representative pod. */
  readonly pod: PodEndpoint;
  /** The namespace, when the class lies in one named namespace. */
  readonly namespace?: string;
  /** The policies with a peer that names the class; absent for the generic kinds. */
  readonly namedBy?: readonly PolicyInfo[];
}

/** Id of the generic pod in a namespace outside the manifests. */
export const OTHER_NAMESPACE_ID = '{other-namespace}';

/** Namespace name of representatives in namespaces outside the manifests (no real name has braces). */
const OTHER_NAMESPACE = '{other-namespace}';

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
  private readonly reverse: Partial<Record<Direction, ReverseIndex>> = {};
  private readonly wildcard: Partial<Record<Direction, WildcardGroup[]>> = {};
  private outside?: OutsideEndpoint[];

  /** @internal use {@link buildPolicyIndex} */
  constructor(objects: readonly (LoadedObject | KubernetesObject)[], options: PolicyIndexOptions = {}) {
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.controller = options.ingressController ?? DEFAULT_INGRESS_CONTROLLER;
    const warn = new WarningSink();
    const sources = toSources(objects);
    const nsOf = (o: Source['obj']) => effectiveNamespace(o, this.defaultNamespace);
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
      } else if (isRoute(s.obj)) {
        routes.push(...extractRoutes(s, nsOf(s.obj)));
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
    const wildcard = this.wildcardGroups('egress');
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
   * Isolated pods with a rule towards (egress) or from (ingress) any pod — no `to`/`from`, or an
   * all-namespaces peer — grouped by the ports of those rules (`conns` undefined when named
   * egress ports make them depend on the destination).
   */
  private wildcardGroups(direction: Direction): readonly WildcardGroup[] {
    const cached = this.wildcard[direction];
    if (cached) return cached;
    const groups = new Map<string, WildcardGroup>();
    let unique = 0;
    for (const s of this.states) {
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
      if (seen.has(e.policy) || !this.peerMatches(e.policy, e.peer, ep)) return;
      seen.add(e.policy);
      for (const s of this.selected.get(e.policy) ?? []) out.push(s);
    };
    for (const key of keys) for (const e of rev.byKey.get(key) ?? []) visit(e);
    // Namespaces outside the manifests are only reached by label-chosen namespaceSelectors.
    if (!this.namespaces.has(ns)) for (const e of rev.unpinned) visit(e);
    return out;
  }

  private buildReverse(direction: Direction): ReverseIndex {
    const byKey = new Map<string, { policy: CompiledPolicy; peer: Peer }[]>();
    const unpinned: { policy: CompiledPolicy; peer: Peer }[] = [];
    for (const p of this.compiled) {
      const rules = p[direction];
      if (!rules || (this.selected.get(p) ?? []).length === 0) continue;
      for (const r of rules) {
        if (r.peers === 'all') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'pods' || isAllPodsPeer(peer)) continue;
          let nss = [p.namespace];
          if (peer.namespaceSelector) {
            nss = this.matchingNamespaces(peer.namespaceSelector);
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
            for (const key of keys) push(byKey, key, { policy: p, peer });
          }
        }
      }
    }
    return { byKey, unpinned };
  }

  // ---------------------------------------------------------------- pods outside the manifests

  /**
   * The pods outside the manifests that reports consider (see {@link OutsideEndpoint} for what
   * each stands for), sorted by id: the generic ones, and one per class of pods that a peer of a
   * policy selecting some workload names. Computed once.
   */
  outsideEndpoints(): readonly OutsideEndpoint[] {
    if (this.outside) return this.outside;
    const found = new Map<string, { id: string; pod: PodEndpoint; namespace?: string; namedBy?: CompiledPolicy[] }>();
    let policy: CompiledPolicy | undefined;
    const add = (id: string, spec: HypotheticalPod, namespace?: string) => {
      let o = found.get(id);
      if (!o) {
        o = { id, pod: this.pod({ ...spec, ports: [], id }), ...(namespace !== undefined ? { namespace } : {}) };
        if (policy) o.namedBy = [];
        found.set(id, o);
      }
      if (policy && o.namedBy && o.namedBy[o.namedBy.length - 1] !== policy) o.namedBy.push(policy);
    };
    add(OTHER_NAMESPACE_ID, { namespace: OTHER_NAMESPACE, labels: {}, namespaceLabels: {} });
    for (const ns of this.namespaces.names()) add(`${ns}/{any-other-pod}`, { namespace: ns, labels: {} }, ns);

    const inManifests = (ns: string, q: Selector, labels: Labels) => {
      // Pods a selector matches in a namespace of the manifests are its workloads when any match;
      // an unlabelled one is `<ns>/{any-other-pod}`.
      if (q.matches({}) || this.select(ns, q).length > 0) return;
      add(`${ns}/${q}`, { namespace: ns, labels }, ns);
    };
    for (const p of this.compiled) {
      policy = p;
      if ((this.selected.get(p) ?? []).length === 0) continue;
      for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
        if (r.peers === 'all') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'pods' || isAllPodsPeer(peer)) continue;
          const q = peer.podSelector ?? Selector.EVERYTHING;
          const labels = q.example();
          if (!labels) continue;
          const s = peer.namespaceSelector;
          if (!s) {
            inManifests(p.namespace, q, labels);
            continue;
          }
          const base = s.example();
          if (!base) continue;
          const pinned = s.pinnedValues(METADATA_NAME_LABEL);
          if (pinned) {
            for (const ns of pinned) {
              if (this.namespaces.has(ns)) {
                if (s.matches(this.namespaces.labelsOf(ns))) inManifests(ns, q, labels);
                continue;
              }
              const nsLabels = { ...base, [METADATA_NAME_LABEL]: ns };
              if (!s.matches(nsLabels)) continue;
              add(`${ns}/${q.matchesEverything ? '{any-pod}' : q}`, { namespace: ns, labels, namespaceLabels: nsLabels }, ns);
            }
            continue;
          }
          const nsLabels = { ...base, [METADATA_NAME_LABEL]: OTHER_NAMESPACE };
          if (!s.matches(nsLabels)) continue;
          if (s.matchesEverything && q.matches({})) continue; // that is {other-namespace}
          const nsPart = s.matchesEverything ? OTHER_NAMESPACE_ID : `{other-namespace ${s.toString().slice(1, -1)}}`;
          add(q.matchesEverything ? nsPart : `${nsPart}/${q}`, { namespace: OTHER_NAMESPACE, labels, namespaceLabels: nsLabels });
        }
      }
    }
    return (this.outside = [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  }

  /**
   * The connections between an outside class and the workloads, by workload id: all workloads
   * for the generic kinds ({@link workloadConnections}), only those selected by the policies
   * that name it otherwise (see {@link OutsideEndpoint}).
   */
  outsideConnections(o: OutsideEndpoint): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    if (!o.namedBy) return this.workloadConnections(o.pod);
    const inbound = new Map<string, ConnectionSet>();
    const outbound = new Map<string, ConnectionSet>();
    const seen = new Set<PodState>();
    for (const info of o.namedBy) {
      for (const s of this.selected.get(info as CompiledPolicy) ?? []) {
        if (seen.has(s)) continue;
        seen.add(s);
        addConns(outbound, s.ep.id, this.allowed(o.pod, s.ep));
        addConns(inbound, s.ep.id, this.allowed(s.ep, o.pod));
      }
    }
    return { inbound, outbound };
  }

  /**
   * The workloads a pod (typically hypothetical, e.g. an {@link OutsideEndpoint}) may receive
   * connections from (`inbound`) and open connections to (`outbound`), by workload id, unioned
   * over pod variants. Output-sensitive: candidates come from the pod's own peers when it is
   * isolated without any-pod rules, and otherwise from the unrestricted and any-pod sides and
   * the reverse peer indexes.
   */
  workloadConnections(pod: PodEndpoint): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    const st = this.state(pod);
    const inbound = new Map<string, ConnectionSet>();
    const outbound = new Map<string, ConnectionSet>();
    for (const s of this.candidates(st, 'egress')) if (s.ep.id !== pod.id) addConns(outbound, s.ep.id, this.allowed(pod, s.ep));
    for (const s of this.candidates(st, 'ingress')) if (s.ep.id !== pod.id) addConns(inbound, s.ep.id, this.allowed(s.ep, pod));
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
          for (const peer of r.peers) for (const s of this.peerPods(p, peer)) cands.add(s);
        }
      }
      return cands;
    }
    for (const s of this.states) if (s[other].length === 0) cands.add(s);
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
          for (const peer of r.peers) if (!isAllPodsPeer(peer)) for (const s of this.peerPods(p, peer)) cands.add(s);
        }
      }
    }
    return cands;
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

function addConns(m: Map<string, ConnectionSet>, id: string, c: ConnectionSet): void {
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
