import type { ConnectivityNode } from '../netpol';
import type { ConnectivityDiff } from './diff';
import type { ConnectivityFormatter, ConnectivityView } from './formatter';
import { CHANGE_COLORS, connectionsLayout, diffLayout, GraphLayout, shortLabel } from './graph';

/** Text inside a quoted Mermaid label. */
function esc(s: string): string {
  return s.replace(/"/g, '#quot;');
}

function shape(n: ConnectivityNode, id: string): string {
  const label = `"${esc(shortLabel(n))}"`;
  if (n.kind === 'external') return `${id}([${label}])`;
  if (n.kind === 'ingress-controller') return `${id}{{${label}}}`;
  if (n.kind === 'outside') return `${id}[/${label}/]`;
  return `${id}[${label}]`;
}

function render(l: GraphLayout, emptyNote: string): string {
  const ids = new Map<string, string>();
  const idOf = (nodeId: string) => {
    let id = ids.get(nodeId);
    if (!id) ids.set(nodeId, (id = `n${ids.size}`));
    return id;
  };
  const out = ['flowchart LR'];
  l.namespaces.forEach((ns, i) => {
    out.push(`  subgraph ns${i}["${esc(ns.name)}"]`);
    for (const n of ns.nodes) out.push(`    ${shape(n, idOf(n.id))}`);
    out.push('  end');
  });
  for (const n of l.others) out.push(`  ${shape(n, idOf(n.id))}`);
  if (l.edges.length === 0) out.push(`  %% ${emptyNote}`);
  l.edges.forEach((e) => {
    out.push(`  ${idOf(e.src)} -->|"${esc(e.label)}"| ${idOf(e.dst)}`);
  });
  l.edges.forEach((e, i) => {
    if (!e.change) return;
    const dash = e.change === 'removed' ? ',stroke-dasharray:5 5' : '';
    out.push(`  linkStyle ${i} stroke:${CHANGE_COLORS[e.change]},color:${CHANGE_COLORS[e.change]}${dash}`);
  });
  return `${out.join('\n')}\n`;
}

/**
 * Mermaid flowchart: workloads grouped in one subgraph per namespace, external ranges as
 * stadiums, pods outside the manifests as parallelograms (in their namespace's subgraph when they
 * lie in one), the ingress controller as a hexagon, edges labelled with the allowed ports. In a
 * diff, added edges are green (`+ conns`), removed red and dashed (`- conns`), changed amber
 * (`before → after`).
 */
export const mermaidFormatter: ConnectivityFormatter = {
  format: 'mermaid',
  connections(view: ConnectivityView): string {
    return render(connectionsLayout(view), 'no allowed connections');
  },
  diff(diff: ConnectivityDiff): string {
    return render(diffLayout(diff.nodes, [...diff.changes]), 'no connectivity changes');
  },
};
