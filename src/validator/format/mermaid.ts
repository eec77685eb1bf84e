import type { GraphEdge, GraphNode } from '../network';
import type { Formatter } from './types';

function nodeId(id: string, ids: Map<string, string>): string {
  let v = ids.get(id);
  if (!v) {
    v = `n${ids.size}`;
    ids.set(id, v);
  }
  return v;
}

function shape(n: GraphNode, id: string): string {
  const label = n.label.replace(/"/g, "'");
  switch (n.kind) {
    case 'external':
      return `${id}[("${label}")]`;
    case 'ingress-controller':
    case 'dns':
    case 'peer':
      return `${id}{{"${label}"}}`;
    case 'probe':
      return `${id}>"${label}"]`;
    default:
      return `${id}["${label}"]`;
  }
}

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

/**
 * The allowed-connection graph as a Mermaid flowchart for pull requests: components, the ingress
 * controller, DNS, declared pods of other namespaces (collector, Prometheus) and external ranges; declared edges solid, missing edges dashed, extra
 * connections thick and red.
 */
export const mermaidFormatter: Formatter = {
  name: 'mermaid',
  format(report) {
    const g = report.graph;
    const lines = ['```mermaid', 'flowchart LR'];
    if (!g) {
      lines.push('  empty["no connectivity graph"]', '```');
      return `${lines.join('\n')}\n`;
    }
    lines.push(`  %% ${g.environment}: allowed connections in namespace ${g.namespace}`);
    const ids = new Map<string, string>();
    const used = new Set(g.edges.flatMap((e) => [e.from, e.to]));
    for (const n of g.nodes) if (used.has(n.id) || n.kind === 'component') lines.push(`  ${shape(n, nodeId(n.id, ids))}`);
    const styles: string[] = [];
    g.edges.forEach((e, i) => {
      const a = nodeId(e.from, ids);
      const b = nodeId(e.to, ids);
      const label = edgeLabel(e).replace(/"/g, "'");
      const arrow = e.status === 'missing' ? '-.->' : e.status === 'extra' ? '==>' : '-->';
      lines.push(`  ${a} ${arrow}|"${label}"| ${b}`);
      if (e.status === 'extra' || e.status === 'partial') styles.push(`  linkStyle ${i} stroke:#d33,stroke-width:3px`);
      if (e.status === 'missing') styles.push(`  linkStyle ${i} stroke:#e90,stroke-dasharray:4`);
    });
    lines.push(...styles, '```');
    return `${lines.join('\n')}\n`;
  },
};
