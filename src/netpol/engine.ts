import type { KubernetesObject } from '@kubernetes/client-node';
import { effectiveNamespace, isRoute, LoadedObject } from '../manifests';
import { PairFinder } from './all-pairs';
import { ConnectionSet, Protocol } from './connection-set';
import { Evaluator, mergeExternal } from './evaluate';
import { Admission, Explainer, SideExplanation } from './explain';
import { formatRange, parseRange } from './ip';
import { extractRoutes, extractService, extractWorkloads, NamespaceTable, RouteInfo, ServiceInfo, Source, toSources, WarningSink } from './model';
import { CompiledPolicy, compilePolicy, PolicyParts, Rule } from './policies';
import { HypotheticalPod, OutsideEndpoint, OutsidePods, OutsideSpec } from './outside';
import { PodStore } from './pods';
import { checkNamedPorts, resolveRoutes, RouteTarget } from './resolve';
import { Labels } from './selector';
import { Direction, Endpoint, ExternalConnection, ExternalEndpoint, PodEndpoint, PolicyInfo, Warning, Workload } from './types';

export { mergeExternal };
export type { Admission, HypotheticalPod, OutsideEndpoint, OutsideSpec, RouteTarget, SideExplanation };
export { OTHER_NAMESPACE_ID } from './outside';

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

/** Default of {@link PolicyIndexOptions.ingressController}. */
export const DEFAULT_INGRESS_CONTROLLER: IngressControllerOptions = {
  namespace: 'nginx-ingress',
  labels: { 'app.kubernetes.io/name': 'nginx-ingress' },
};

/** Id of the ingress controller node in connectivity results. */
export const INGRESS_CONTROLLER_ID = '{ingress-controller}';

function labelsText(l: Labels): string {
  return `{${Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',')}}`;
}

/** What the constructor reads from the objects besides the workloads. */
interface Extracted {
  readonly policies: CompiledPolicy[];
  readonly services: Map<string, ServiceInfo>;
  readonly routes: RouteInfo[];
  readonly hasV6: boolean;
}

/** Whether some rule has an IPv6 ipBlock peer. */
function hasV6Peer(rules: readonly Rule[] | undefined): boolean {
  for (const r of rules ?? []) {
    if (r.peers === 'all') continue;
    for (const x of r.peers) if (x.kind === 'ipBlock' && x.cidr.family === 6) return true;
  }
  return false;
}

function extractRest(sources: readonly Source[], nsOf: (o: Source['obj']) => string, namespaces: NamespaceTable, warn: WarningSink): Extracted {
  const policies: CompiledPolicy[] = [];
  const services = new Map<string, ServiceInfo>();
  const routes: RouteInfo[] = [];
  let hasV6 = false;
  const parts = new PolicyParts();
  for (const s of sources) {
    const kind = s.obj.kind;
    const api = s.obj.apiVersion ?? '';
    if (kind === 'NetworkPolicy' && api === 'networking.k8s.io/v1') {
      const p = compilePolicy(s, nsOf(s.obj), warn, parts);
      namespaces.reference(p.namespace);
      policies.push(p);
      if (!hasV6) hasV6 = hasV6Peer(p.ingress) || hasV6Peer(p.egress);
    } else if (kind === 'Service' && api === 'v1') {
      const svc = extractService(s, nsOf(s.obj), parts.selectors);
      services.set(`${svc.namespace}/${svc.name}`, svc);
    } else if (isRoute(s.obj)) {
      routes.push(...extractRoutes(s, nsOf(s.obj)));
    }
  }
  return { policies, services, routes, hasV6 };
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

  private readonly compiled: readonly CompiledPolicy[];
  private readonly workloadById = new Map<string, Workload>();
  private readonly controller: IngressControllerOptions;
  private readonly namespaces: NamespaceTable;
  private readonly pods: PodStore;
  private readonly evaluate: Evaluator;
  private readonly pairs: PairFinder;
  private readonly outside: OutsidePods;
  private readonly explainer: Explainer;
  private readonly routeTargets: readonly RouteTarget[];

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
    for (const w of this.workloads) this.workloadById.set(w.id, w);
    const { policies, services, routes, hasV6 } = extractRest(sources, nsOf, namespaces, warn);
    this.compiled = policies;
    this.policies = policies;
    this.families = (options.ipv6 ?? hasV6) ? [4, 6] : [4];

    this.pods = new PodStore(this.workloads, policies, namespaces);
    this.evaluate = new Evaluator(this.pods, this.families);
    this.pairs = new PairFinder(this.pods, this.evaluate, policies, namespaces);
    this.explainer = new Explainer(this.pods, this.evaluate);
    this.outside = new OutsidePods(this.pods, this.evaluate, this.pairs, policies, namespaces, (spec) => this.pod(spec));
    for (const p of policies) {
      if (this.pods.selectedBy(p).length > 0) continue;
      warn.add(
        'policy-selects-nothing',
        `NetworkPolicy ${p.namespace}/${p.name} selects no pod of the manifests (podSelector ${p.podSelector.toString()})`,
        p.source,
        ['spec', 'podSelector'],
      );
    }
    checkNamedPorts(policies, this.pods, warn);
    this.routeTargets = resolveRoutes(routes, services, this.pods, this.workloadById, this.defaultNamespace, warn);
    this.warnings = warn.list;
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

  /** Whether some policy isolates the pod in that direction. */
  isIsolated(pod: PodEndpoint, direction: Direction): boolean {
    return this.pods.state(pod)[direction].length > 0;
  }

  /** The policies that select the pod for that direction. */
  selectingPolicies(pod: PodEndpoint, direction: Direction): PolicyInfo[] {
    return [...this.pods.state(pod)[direction]];
  }

  /** The workloads whose pods a policy selects (by policy key `NetworkPolicy/ns/name`). */
  selectedWorkloads(policyKey: string): Workload[] {
    const p = this.compiled.find((x) => x.key === policyKey);
    if (!p) return [];
    const ids = new Set(this.pods.selectedBy(p).map((s) => s.ep.id));
    return [...ids].map((id) => this.workloadById.get(id)!);
  }

  // ---------------------------------------------------------------- queries

  /**
   * What `src` may open to `dst`: the source's egress AND the destination's ingress. For an
   * external endpoint, the connections allowed to (or from) every address of its range. Between
   * two external endpoints no policy applies: `All Connections`.
   */
  allowed(src: Endpoint, dst: Endpoint): ConnectionSet {
    return this.evaluate.allowed(src, dst);
  }

  /**
   * One side of a connection: what the policies of `pod` for `direction` allow with `other` (the
   * destination of its egress, or the source of its ingress), and which rule and peer of which
   * policy admit any of `within`, with file and line. A connection is allowed when both sides
   * allow it (`allowed`).
   */
  explainSide(direction: Direction, pod: PodEndpoint, other: Endpoint, within?: ConnectionSet): SideExplanation {
    return this.explainer.side(direction, pod, other, within);
  }

  /** Whether `src` may connect to `dst` on `protocol`/`port` (e.g. `'TCP', 8080`). */
  allows(src: Endpoint, dst: Endpoint, protocol: Protocol, port: number): boolean {
    return this.allowed(src, dst).allows(protocol, port);
  }

  /** External ranges (maximal, sorted) the pod may send to, with the allowed connections. */
  egressToExternal(pod: PodEndpoint): ExternalConnection[] {
    return this.evaluate.egressToExternal(pod);
  }

  /** External ranges (maximal, sorted) that may connect to the pod, with the allowed connections. */
  ingressFromExternal(pod: PodEndpoint): ExternalConnection[] {
    return this.evaluate.ingressFromExternal(pod);
  }

  /** Where Ingress/HTTPRoute objects send the ingress controller's traffic (Service target ports). */
  routes(): readonly RouteTarget[] {
    return this.routeTargets;
  }

  /**
   * Every allowed pod-to-pod connection between different workloads, as
   * `(srcWorkloadId, dstWorkloadId, conns)` with conns unioned over pod variants (output-sensitive,
   * see `PairFinder`).
   */
  podConnections(): Map<string, Map<string, ConnectionSet>> {
    return this.pairs.podConnections();
  }

  /**
   * The workloads a pod (typically hypothetical, e.g. an {@link OutsideEndpoint}) may receive
   * connections from (`inbound`) and open connections to (`outbound`), by workload id, unioned
   * over pod variants.
   */
  workloadConnections(pod: PodEndpoint): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    return this.pairs.workloadConnections(pod);
  }

  /**
   * The pods outside the manifests that reports consider (see {@link OutsideEndpoint}), sorted
   * by id. Computed once.
   */
  outsideEndpoints(): readonly OutsideEndpoint[] {
    return this.outside.endpoints();
  }

  /**
   * The connections between an outside class and the workloads, by workload id: all workloads
   * for the generic kinds (and with `everyWorkload`), only those selected by the policies that
   * name it otherwise.
   */
  outsideConnections(o: OutsideEndpoint, everyWorkload = false): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    return this.outside.connections(o, everyWorkload);
  }

  /** The outside class a spec describes (e.g. one another set of manifests names), evaluated here. */
  outsideEndpoint(spec: OutsideSpec): OutsideEndpoint {
    return this.outside.of(spec);
  }
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
