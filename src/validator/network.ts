/**
 * The validator's reading of network isolation: it asks the NetworkPolicy engine (`src/netpol`)
 * what the namespace's policies allow between real workloads and hypothetical probes, and
 * compares that with the connections the topology declares for the environment.
 *
 * - `network-nodes.ts`: the namespace's workloads and the probes around them;
 * - `network-compare.ts`: the declared connections and the pair-by-pair comparison.
 */
import { buildPolicyIndex, PodEndpoint, PolicyIndex } from '../netpol';
import type { ValidationContext } from './context';
import { Comparison, compareExternal, compareProbes, compareWorkloads, declareExpected, Discrepancy, GraphEdge, GraphNode, strayLeaks } from './network-compare';
import { probeNodes, workloadNodes } from './network-nodes';
import { ExtraCause, extraCauses, MissingCause, missingCauses } from './network-causes';

export { describeRange } from './network-compare';
export type { Discrepancy, GraphEdge, GraphNode } from './network-compare';
export type { BlockingSide, ExtraCause, MissingCause } from './network-causes';
export { ELSEWHERE_NAMESPACE, KUBE_DNS, STRAY_LABELS } from './network-nodes';

/** The allowed-connection graph between components, the ingress controller, DNS, declared pods of other namespaces and external ranges. */
export interface ConnectivityGraph {
  readonly environment: string;
  readonly namespace: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface NetworkAnalysis {
  readonly index: PolicyIndex;
  readonly graph: ConnectivityGraph;
  readonly discrepancies: readonly Discrepancy[];
  /** Whether a pod the manifests do not know is isolated in both directions and allowed nothing but DNS. */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean; readonly leaks: readonly string[] };
}

/** Computes (once per context) the network analysis of the environment's namespace. */
export function networkAnalysis(ctx: ValidationContext): NetworkAnalysis {
  return ctx.memo('network:analysis', () => analyze(ctx));
}

/** The rules and peers that let the extra connections through (computed once, only when there are some). */
export function networkExtraCauses(ctx: ValidationContext): readonly ExtraCause[] {
  return ctx.memo('network:extra-causes', () => {
    const a = networkAnalysis(ctx);
    return extraCauses(ctx, a.index, a.discrepancies);
  });
}

/** The sides that do not admit each missing edge (computed once, only when there are some). */
export function networkMissingCauses(ctx: ValidationContext): readonly MissingCause[] {
  return ctx.memo('network:missing-causes', () => {
    const a = networkAnalysis(ctx);
    return missingCauses(ctx, a.index, a.discrepancies);
  });
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function analyze(ctx: ValidationContext): NetworkAnalysis {
  const controller = ctx.env.edge.controller;
  const index = buildPolicyIndex(
    // The engine reads every field defensively: a malformed object still counts as far as it can be read.
    ctx.objects.all,
    { defaultNamespace: ctx.namespace, ingressController: { namespace: controller.namespace, labels: controller.podLabels } },
  );
  const nodes = workloadNodes(ctx, index);
  const probes = probeNodes(ctx, index);
  const cmp = new Comparison(index);
  const external = declareExpected(ctx, nodes, probes, cmp);
  compareWorkloads(index, nodes, cmp);
  compareProbes(nodes, probes, cmp);
  const leaks = strayLeaks(index, nodes, probes, cmp);
  const externalNodes = compareExternal(index, nodes, external, cmp);

  const graphNode = (n: GraphNode): GraphNode => ({ id: n.id, kind: n.kind, label: n.label });
  /** The ids of the nodes some edge starts or ends at. */
  const connected = new Set<string>();
  for (const e of cmp.edges) connected.add(e.from).add(e.to);
  const graphNodes: GraphNode[] = [
    ...nodes.list.map(graphNode),
    graphNode(probes.controller),
    graphNode(probes.dns),
    ...probes.peers.map(graphNode),
    ...[probes.stray, probes.elsewhere, probes.neighbour, ...probes.peerNeighbours, ...probes.undeclared].filter((p) => connected.has(p.id)).map(graphNode),
    ...[...externalNodes.values()].sort(byId),
  ];
  const edges = cmp.edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const strayPod = probes.stray.endpoints[0] as PodEndpoint;
  return {
    index,
    graph: { environment: ctx.env.name, namespace: ctx.namespace, nodes: graphNodes, edges },
    discrepancies: cmp.discrepancies,
    defaultDeny: { ingress: index.isIsolated(strayPod, 'ingress'), egress: index.isIsolated(strayPod, 'egress'), leaks },
  };
}
