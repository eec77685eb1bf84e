/**
 * One graph model for drawings and its Mermaid renderer, shared by the validator's allowed-
 * connection graph and the connectivity report.
 */

/** How a node is drawn. */
export type NodeShape = 'box' | 'stadium' | 'cylinder' | 'hexagon' | 'parallelogram' | 'flag';

export interface DrawnNode {
  /** The node's identity in the model (edges name it). */
  readonly id: string;
  readonly label: string;
  readonly shape: NodeShape;
  /** A fixed Mermaid identifier; by default nodes are numbered `n0`, `n1`, ... in order of appearance. */
  readonly ref?: string;
}

/** How an edge is drawn. */
export interface EdgeStyle {
  readonly stroke: string;
  /** Colour the label like the line. */
  readonly labelColor?: boolean;
  readonly width?: string;
  /** `stroke-dasharray` value, e.g. `4` or `5 5`. */
  readonly dash?: string;
}

export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** @default 'solid' */
  readonly line?: 'solid' | 'dotted' | 'thick';
  readonly style?: EdgeStyle;
}

/** A drawing: nodes (some grouped, e.g. by namespace), edges and notes. */
export interface Drawing {
  /** Comments right after the header. */
  readonly comments?: readonly string[];
  readonly groups?: readonly { readonly label: string; readonly nodes: readonly DrawnNode[] }[];
  readonly nodes: readonly DrawnNode[];
  readonly edges: readonly DrawnEdge[];
  /** A comment in place of the edges when there are none. */
  readonly emptyNote?: string;
}

/** Text inside a quoted Mermaid label. */
function esc(s: string): string {
  return s.replace(/"/g, '#quot;');
}

const SHAPES: Record<NodeShape, [string, string]> = {
  box: ['[', ']'],
  stadium: ['([', '])'],
  cylinder: ['[(', ')]'],
  hexagon: ['{{', '}}'],
  parallelogram: ['[/', '/]'],
  flag: ['>', ']'],
};

const ARROWS = { solid: '-->', dotted: '-.->', thick: '==>' } as const;

function styleText(s: EdgeStyle): string {
  return [`stroke:${s.stroke}`, ...(s.labelColor ? [`color:${s.stroke}`] : []), ...(s.width ? [`stroke-width:${s.width}`] : []), ...(s.dash ? [`stroke-dasharray:${s.dash}`] : [])].join(',');
}

/**
 * A Mermaid `flowchart LR` of a drawing: groups as subgraphs, then the other nodes, the edges
 * (labelled), and a `linkStyle` per styled edge. `fenced` wraps it in a ```` ```mermaid ```` block
 * for Markdown.
 */
export function renderMermaid(d: Drawing, options: { fenced?: boolean } = {}): string {
  const ids = new Map<string, string>();
  let next = 0;
  const idOf = (n: { id: string; ref?: string }): string => {
    let id = ids.get(n.id);
    if (!id) ids.set(n.id, (id = n.ref ?? `n${next++}`));
    return id;
  };
  const node = (n: DrawnNode) => `${idOf(n)}${SHAPES[n.shape][0]}"${esc(n.label)}"${SHAPES[n.shape][1]}`;
  const out = [...(options.fenced ? ['```mermaid'] : []), 'flowchart LR'];
  for (const c of d.comments ?? []) out.push(`  %% ${c}`);
  (d.groups ?? []).forEach((g, i) => {
    out.push(`  subgraph ns${i}["${esc(g.label)}"]`);
    for (const n of g.nodes) out.push(`    ${node(n)}`);
    out.push('  end');
  });
  for (const n of d.nodes) out.push(`  ${node(n)}`);
  if (d.edges.length === 0 && d.emptyNote) out.push(`  %% ${d.emptyNote}`);
  for (const e of d.edges) out.push(`  ${idOf({ id: e.from })} ${ARROWS[e.line ?? 'solid']}|"${esc(e.label)}"| ${idOf({ id: e.to })}`);
  d.edges.forEach((e, i) => {
    if (e.style) out.push(`  linkStyle ${i} ${styleText(e.style)}`);
  });
  if (options.fenced) out.push('```');
  return `${out.join('\n')}\n`;
}
