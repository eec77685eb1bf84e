import type { ConnectivityNode } from '../netpol';
import type { ChangeKind, ConnectionChange } from './diff';
import type { ConnectivityView } from './formatter';
import { addTo } from '../multimap';

/** A graph edge ready to draw. */
export interface GraphEdge {
  readonly src: string;
  readonly dst: string;
  readonly label: string;
  readonly change?: ChangeKind;
}

/** Nodes grouped for drawing: workloads and outside pods per namespace, then the others. */
export interface GraphLayout {
  readonly namespaces: readonly { name: string; nodes: readonly ConnectivityNode[] }[];
  readonly others: readonly ConnectivityNode[];
  readonly edges: readonly GraphEdge[];
}

/**
 * Node label inside its namespace box: `name[Kind]` for workloads, `{...}` for outside pods of one
 * namespace, the id otherwise.
 */
export function shortLabel(n: ConnectivityNode): string {
  return n.namespace !== undefined && n.id.startsWith(`${n.namespace}/`) ? n.id.slice(n.namespace.length + 1) : n.id;
}

function layout(nodes: readonly ConnectivityNode[], edges: GraphEdge[]): GraphLayout {
  const byNs = new Map<string, ConnectivityNode[]>();
  const others: ConnectivityNode[] = [];
  for (const n of nodes) {
    if ((n.kind === 'workload' || n.kind === 'outside') && n.namespace !== undefined) {
      addTo(byNs, n.namespace, n);
    } else {
      others.push(n);
    }
  }
  const namespaces = [...byNs.keys()].sort().map((name) => ({ name, nodes: byNs.get(name)! }));
  return { namespaces, others, edges };
}

export function connectionsLayout(view: ConnectivityView): GraphLayout {
  return layout(
    view.nodes,
    view.connections.map((c) => ({ src: c.src, dst: c.dst, label: c.conns.toString() })),
  );
}

/** Edge label of a change: `+ conns`, `- conns`, or `before → after`. */
export function changeLabel(ch: ConnectionChange): string {
  if (ch.change === 'added') return `+ ${ch.after.toString()}`;
  if (ch.change === 'removed') return `- ${ch.before.toString()}`;
  return `${ch.before.toString()} → ${ch.after.toString()}`;
}

export function diffLayout(nodes: readonly ConnectivityNode[], changes: readonly ConnectionChange[]): GraphLayout {
  return layout(
    nodes,
    changes.map((c) => ({ src: c.src, dst: c.dst, label: changeLabel(c), change: c.change })),
  );
}

export const CHANGE_COLORS: Record<ChangeKind, string> = { added: '#2da44e', removed: '#cf222e', changed: '#bf8700' };
