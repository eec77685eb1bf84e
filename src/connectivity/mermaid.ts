import type { ConnectivityNode } from '../netpol';
import { DrawnNode, NodeShape, renderMermaid } from '../output/mermaid';
import type { ConnectivityDiff } from './diff';
import { connectivityFormat, ConnectivityView } from './formatter';
import { CHANGE_COLORS, connectionsLayout, diffLayout, GraphLayout, shortLabel } from './graph';

const SHAPES: Record<ConnectivityNode['kind'], NodeShape> = {
  workload: 'box',
  external: 'stadium',
  'ingress-controller': 'hexagon',
  outside: 'parallelogram',
};

function drawn(n: ConnectivityNode): DrawnNode {
  return { id: n.id, label: shortLabel(n), shape: SHAPES[n.kind] };
}

function render(l: GraphLayout, emptyNote: string): string {
  return renderMermaid({
    groups: l.namespaces.map((ns) => ({ label: ns.name, nodes: ns.nodes.map(drawn) })),
    nodes: l.others.map(drawn),
    edges: l.edges.map((e) => ({
      from: e.src,
      to: e.dst,
      label: e.label,
      ...(e.change ? { style: { stroke: CHANGE_COLORS[e.change], labelColor: true, ...(e.change === 'removed' ? { dash: '5 5' } : {}) } } : {}),
    })),
    emptyNote,
  });
}

/**
 * Mermaid flowchart: workloads grouped in one subgraph per namespace, external ranges as
 * stadiums, pods outside the manifests as parallelograms (in their namespace's subgraph when they
 * lie in one), the ingress controller as a hexagon, edges labelled with the allowed ports. In a
 * diff, added edges are green (`+ conns`), removed red and dashed (`- conns`), changed amber
 * (`before → after`).
 */
export const mermaidFormatter = connectivityFormat('mermaid', {
  connections(view: ConnectivityView): string {
    return render(connectionsLayout(view), 'no allowed connections');
  },
  diff(diff: ConnectivityDiff): string {
    return render(diffLayout(diff.nodes, [...diff.changes]), 'no connectivity changes');
  },
});
