import { DrawnEdge, DrawnNode, NodeShape, renderMermaid } from '../../output/mermaid';
import type { GraphEdge, GraphNode } from '../network';
import type { Formatter } from './types';

const SHAPES: Record<GraphNode['kind'], NodeShape> = {
  component: 'box',
  workload: 'box',
  external: 'cylinder',
  'ingress-controller': 'hexagon',
  dns: 'hexagon',
  peer: 'hexagon',
  probe: 'flag',
};

function edgeLabel(e: GraphEdge): string {
  switch (e.status) {
    case 'ok':
      return e.allowed;
    case 'missing':
      return `MISSING ${e.expected}`;
    case 'extra':
      return `EXTRA ${e.allowed}`;
    default:
      return `${e.allowed} (declared ${e.expected})`;
  }
}

function drawnEdge(e: GraphEdge): DrawnEdge {
  const edge = { from: e.from, to: e.to, label: edgeLabel(e) };
  if (e.status === 'missing') return { ...edge, line: 'dotted', style: { stroke: '#e90', dash: '4' } };
  if (e.status === 'extra') return { ...edge, line: 'thick', style: { stroke: '#d33', width: '3px' } };
  if (e.status === 'partial') return { ...edge, style: { stroke: '#d33', width: '3px' } };
  return edge;
}

/**
 * The allowed-connection graph as a Mermaid flowchart for pull requests: components, the ingress
 * controller, DNS, declared pods of other namespaces (collector, Prometheus) and external ranges; declared edges solid, missing edges dashed, extra
 * connections thick and red.
 */
export const mermaidFormatter: Formatter = {
  name: 'mermaid',
  format(report) {
    const g = report.graph;
    if (!g) return renderMermaid({ nodes: [{ id: 'empty', ref: 'empty', label: 'no connectivity graph', shape: 'box' }], edges: [] }, { fenced: true });
    const used = new Set(g.edges.flatMap((e) => [e.from, e.to]));
    const nodes: DrawnNode[] = g.nodes.filter((n) => used.has(n.id) || n.kind === 'component').map((n) => ({ id: n.id, label: n.label, shape: SHAPES[n.kind] }));
    return renderMermaid(
      { comments: [`${g.environment}: allowed connections in namespace ${g.namespace}`], nodes, edges: g.edges.map(drawnEdge) },
      { fenced: true },
    );
  },
};
