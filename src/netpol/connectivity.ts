import type { KubernetesObject } from '@kubernetes/client-node';
import type { LoadedObject } from '../manifests';
import { ConnectionSet } from './connection-set';
import { buildPolicyIndex, INGRESS_CONTROLLER_ID, OTHER_NAMESPACE_ID, mergeExternal, OutsideEndpoint, OutsideSpec, PolicyIndex, PolicyIndexOptions } from './engine';
import { compareRanges, IpRange, parseRange } from './ip';
import { Warning } from './types';

/**
 * What a node of the connectivity graph stands for: a workload of the manifests, addresses
 * outside the cluster, pods outside the manifests (see `OutsideEndpoint`), or the ingress
 * controller.
 */
export type NodeKind = 'workload' | 'external' | 'outside' | 'ingress-controller';

/** A node of the connectivity graph. */
export interface ConnectivityNode {
  /**
   * `namespace/name[Kind]`, an address range `start-end`, an outside class such as
   * `{other-namespace}`, `ns/{any-other-pod}` or `kube-system/{k8s-app=kube-dns}`, or
   * `{ingress-controller}`.
   */
  readonly id: string;
  readonly kind: NodeKind;
  /** Namespace of a workload, or of pods outside the manifests in one named namespace. */
  readonly namespace?: string;
  /** Addresses of an external node. */
  readonly range?: IpRange;
}

/** The two nodes a connection joins (ids and kinds). */
export interface ConnectionEnds {
  readonly src: string;
  readonly dst: string;
  readonly srcKind: NodeKind;
  readonly dstKind: NodeKind;
}

/** One allowed connection: `src` may open `conns` to `dst`. */
export interface Connection extends ConnectionEnds {
  readonly conns: ConnectionSet;
}

/** Everything the connectivity command reports. */
export interface ConnectivityReport {
  /** Every workload, plus the external ranges and the ingress controller that have a connection; sorted. */
  readonly nodes: readonly ConnectivityNode[];
  /** Every allowed connection, sorted by source then destination (see {@link compareNodes}). */
  readonly connections: readonly Connection[];
  readonly warnings: readonly Warning[];
}

const RANK: Record<NodeKind, number> = { external: 0, workload: 1, outside: 2, 'ingress-controller': 3 };

/** The kind of a node from its id alone. */
export function nodeKindOf(id: string): NodeKind {
  if (id === INGRESS_CONTROLLER_ID) return 'ingress-controller';
  if (id.includes('{')) return 'outside';
  return id.includes('[') && id.includes('/') ? 'workload' : 'external';
}

/** The node of an id of a known kind, with its namespace or range. */
export function nodeOf(id: string, kind: NodeKind = nodeKindOf(id)): ConnectivityNode {
  if (kind === 'workload' || (kind === 'outside' && !id.startsWith('{'))) {
    return { id, kind, namespace: id.slice(0, id.indexOf('/')) };
  }
  const range = kind === 'external' ? parseRange(id) : undefined;
  return range ? { id, kind, range } : { id, kind };
}

/**
 * The order of nodes in every output: external ranges first (by family, then address), then
 * workloads (by id), then pods outside the manifests (by id), then `{ingress-controller}`.
 */
export function compareNodes(a: { id: string; kind: NodeKind; range?: IpRange }, b: { id: string; kind: NodeKind; range?: IpRange }): number {
  if (a.kind !== b.kind) return RANK[a.kind] - RANK[b.kind];
  if (a.kind === 'external') {
    const ra = a.range ?? parseRange(a.id);
    const rb = b.range ?? parseRange(b.id);
    if (ra && rb) {
      const c = compareRanges(ra, rb);
      if (c !== 0) return c;
    }
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Orders connections by source, then destination, with {@link compareNodes}. */
export function compareConnections(a: ConnectionEnds, b: ConnectionEnds): number {
  return compareNodes({ id: a.src, kind: a.srcKind }, { id: b.src, kind: b.srcKind }) ||
    compareNodes({ id: a.dst, kind: a.dstKind }, { id: b.dst, kind: b.dstKind });
}

/** Options of {@link analyzeConnectivity} beyond building the index. */
export interface ConnectivityOptions {
  /**
   * Outside classes another set of manifests names, evaluated here too, so a comparison judges
   * the same pods on both sides (a class that only one side's policies name is no change by
   * itself).
   */
  readonly alsoOutside?: readonly OutsideSpec[];
  /**
   * Pair every outside class with every workload, not only with the workloads of the policies
   * that name it (comparisons: both sides must judge the same pairs).
   * @default false
   */
  readonly pairOutsideWithEveryWorkload?: boolean;
  /**
   * Ids of outside classes to treat as governed even where their namespace is not in these
   * manifests (a comparison: the namespace is in the other side's, and here has no policy).
   */
  readonly alsoGoverned?: ReadonlySet<string>;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every allowed connection of a set of manifests: between workloads, from and to external
 * address ranges, from and to pods outside the manifests, and from `{ingress-controller}` to the
 * workloads that Ingresses/HTTPRoutes route to (the Service target ports, as far as the
 * NetworkPolicies let the configured controller pod in). External ranges are, per workload and
 * direction, the maximal ranges with the same allowed connections (split where ipBlock
 * `cidr`/`except` split them). A workload's connections to itself are not listed.
 *
 * Pods outside the manifests are the classes of `OutsideEndpoint`, each evaluated as one
 * representative pod, between them and the workloads (both ways):
 * - `{other-namespace}`: an unlabelled pod in a namespace that is not in the manifests;
 * - `<ns>/{any-other-pod}`: an unlabelled pod, not a workload, in a namespace of the manifests;
 * - `<ns>/{<podSelector>}`, `<ns>/{any-pod}`: what a peer selects in a namespace it names that is
 *   not in the manifests (e.g. cluster DNS, `kube-system/{k8s-app=kube-dns}`), or a podSelector
 *   no workload of its namespace matches;
 * - `{other-namespace <nsSelector>}[/{<podSelector>}]`, `{other-namespace}/{<podSelector>}`:
 *   what a peer selects in namespaces outside the manifests chosen by their labels.
 * The generic two are paired with every workload; a class a peer names only with the workloads
 * the policies naming it select (what other workloads can do with pods elsewhere shows under the
 * generic two), unless `pairOutsideWithEveryWorkload`. Only classes with a connection are nodes.
 *
 * A class in a namespace of the manifests is governed by their policies, so its connections to
 * and from external ranges are listed too, and so are its connections with `{other-namespace}` when it
 * is generic (`shop/{any-other-pod} => {other-namespace}`): without a default-deny, pods nobody
 * declared can reach the internet and other namespaces. Classes in
 * namespaces outside the manifests are under no known policy; their links to external ranges and
 * to each other are not listed.
 */
export function analyzeConnectivity(
  input: readonly (LoadedObject | KubernetesObject)[] | PolicyIndex,
  options: PolicyIndexOptions & ConnectivityOptions = {},
): ConnectivityReport {
  const index = input instanceof PolicyIndex ? input : buildPolicyIndex(input, options);
  const connections: Connection[] = [];
  const nodes = new Map<string, ConnectivityNode>();
  for (const w of index.workloads) nodes.set(w.id, { id: w.id, kind: 'workload', namespace: w.namespace });

  for (const [src, dsts] of index.podConnections()) {
    for (const [dst, conns] of dsts) connections.push({ src, dst, conns, srcKind: 'workload', dstKind: 'workload' });
  }

  for (const w of index.workloads) {
    const out = mergeExternal(w.pods.flatMap((p) => index.egressToExternal(p)));
    const inc = mergeExternal(w.pods.flatMap((p) => index.ingressFromExternal(p)));
    for (const e of out) {
      nodes.set(e.id, { id: e.id, kind: 'external', range: e.range });
      connections.push({ src: w.id, dst: e.id, conns: e.conns, srcKind: 'workload', dstKind: 'external' });
    }
    for (const e of inc) {
      nodes.set(e.id, { id: e.id, kind: 'external', range: e.range });
      connections.push({ src: e.id, dst: w.id, conns: e.conns, srcKind: 'external', dstKind: 'workload' });
    }
  }

  for (const c of outsideConnections(index, options)) {
    for (const [id, kind] of [
      [c.src, c.srcKind],
      [c.dst, c.dstKind],
    ] as const) {
      if (!nodes.has(id)) nodes.set(id, nodeOf(id, kind));
    }
    connections.push(c);
  }

  const controller = index.ingressControllerPod();
  const routed = new Map<string, ConnectionSet>();
  for (const t of index.routes()) {
    const c = t.conns.intersect(index.allowed(controller, t.pod));
    if (c.isEmpty()) continue;
    const prev = routed.get(t.workload.id);
    routed.set(t.workload.id, prev ? prev.union(c) : c);
  }
  if (routed.size > 0) nodes.set(INGRESS_CONTROLLER_ID, { id: INGRESS_CONTROLLER_ID, kind: 'ingress-controller' });
  for (const [dst, conns] of routed) {
    connections.push({ src: INGRESS_CONTROLLER_ID, dst, conns, srcKind: 'ingress-controller', dstKind: 'workload' });
  }

  connections.sort(compareConnections);
  return { nodes: [...nodes.values()].sort(compareNodes), connections, warnings: index.warnings };
}

/** {@link analyzeConnectivity}'s connections only. */
export function computeConnectivity(
  input: readonly (LoadedObject | KubernetesObject)[] | PolicyIndex,
  options: PolicyIndexOptions = {},
): Connection[] {
  return [...analyzeConnectivity(input, options).connections];
}

/** The connections of the pods outside the manifests (see {@link analyzeConnectivity}). */
function outsideConnections(index: PolicyIndex, options: ConnectivityOptions): Connection[] {
  const classes = new Map<string, OutsideEndpoint>(index.outsideEndpoints().map((o) => [o.id, o]));
  for (const spec of options.alsoOutside ?? []) if (!classes.has(spec.id)) classes.set(spec.id, index.outsideEndpoint(spec));
  const sorted = [...classes.values()].sort(byId);
  const isGoverned = (o: OutsideEndpoint) => o.governed || (options.alsoGoverned?.has(o.id) ?? false);
  const out: Connection[] = [];
  for (const o of sorted) {
    const { inbound, outbound } = index.outsideConnections(o, options.pairOutsideWithEveryWorkload ?? false);
    for (const [w, conns] of inbound) out.push({ src: w, dst: o.id, conns, srcKind: 'workload', dstKind: 'outside' });
    for (const [w, conns] of outbound) out.push({ src: o.id, dst: w, conns, srcKind: 'outside', dstKind: 'workload' });
    if (!isGoverned(o)) continue;
    for (const e of index.egressToExternal(o.pod)) out.push({ src: o.id, dst: e.id, conns: e.conns, srcKind: 'outside', dstKind: 'external' });
    for (const e of index.ingressFromExternal(o.pod)) out.push({ src: e.id, dst: o.id, conns: e.conns, srcKind: 'external', dstKind: 'outside' });
  }
  // A pod nobody declared, in a namespace of the manifests, with a pod of another namespace.
  const elsewhere = classes.get(OTHER_NAMESPACE_ID);
  if (elsewhere) {
    for (const o of sorted) {
      if (!o.generic || o === elsewhere || !isGoverned(o)) continue;
      const outbound = index.allowed(o.pod, elsewhere.pod);
      const inbound = index.allowed(elsewhere.pod, o.pod);
      if (!outbound.isEmpty()) out.push({ src: o.id, dst: elsewhere.id, conns: outbound, srcKind: 'outside', dstKind: 'outside' });
      if (!inbound.isEmpty()) out.push({ src: elsewhere.id, dst: o.id, conns: inbound, srcKind: 'outside', dstKind: 'outside' });
    }
  }
  return out;
}
