import type { ConnectivityNode } from '../netpol';
import type { ConnectivityDiff } from './diff';
import { connectivityFormat, ConnectivityView } from './formatter';
import { CHANGE_COLORS, connectionsLayout, diffLayout, GraphLayout, shortLabel } from './graph';

/** A DOT double-quoted string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function nodeLine(n: ConnectivityNode, indent: string): string {
  const attrs = [`label=${q(shortLabel(n))}`];
  if (n.kind === 'external') attrs.push('shape=ellipse', 'style=dashed');
  if (n.kind === 'ingress-controller') attrs.push('shape=hexagon');
  if (n.kind === 'outside') attrs.push('style=dashed');
  return `${indent}${q(n.id)} [${attrs.join(', ')}];`;
}

function render(l: GraphLayout, name: string): string {
  const out = [`digraph ${name} {`, '  rankdir=LR;', '  graph [fontname="Helvetica"];', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const ns of l.namespaces) {
    out.push(`  subgraph ${q(`cluster_${ns.name}`)} {`, `    label=${q(ns.name)};`);
    for (const n of ns.nodes) out.push(nodeLine(n, '    '));
    out.push('  }');
  }
  for (const n of l.others) out.push(nodeLine(n, '  '));
  for (const e of l.edges) {
    const attrs = [`label=${q(e.label)}`];
    if (e.change) {
      attrs.push(`color=${q(CHANGE_COLORS[e.change])}`, `fontcolor=${q(CHANGE_COLORS[e.change])}`);
      if (e.change === 'removed') attrs.push('style=dashed');
    }
    out.push(`  ${q(e.src)} -> ${q(e.dst)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/**
 * Graphviz DOT: one cluster per namespace, external ranges as dashed ellipses, pods outside the
 * manifests as dashed boxes (in their namespace's cluster when they lie in one), the ingress
 * controller as a hexagon, edges labelled with the allowed ports; in a diff, edges coloured by
 * change (added green, removed red and dashed, changed amber).
 */
export const dotFormatter = connectivityFormat('dot', {
  connections(view: ConnectivityView): string {
    return render(connectionsLayout(view), 'connectivity');
  },
  diff(diff: ConnectivityDiff): string {
    return render(diffLayout(diff.nodes, [...diff.changes]), 'connectivity_diff');
  },
});
