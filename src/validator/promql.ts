import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

/**
 * PromQL read with the Prometheus project's own grammar (`@prometheus-io/lezer-promql`): syntax
 * errors, the series selectors an expression reads (metric name and label matchers), and the
 * structural mistakes the grammar accepts but Prometheus refuses (a range vector where an
 * instant vector is needed, an instant vector given to a function over ranges).
 */

export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface SeriesSelector {
  /** The metric name (`__name__`), when the selector names one. */
  readonly metric?: string;
  readonly matchers: readonly LabelMatcher[];
  /** Offset of the selector in the expression. */
  readonly at: number;
}

export interface PromqlProblem {
  readonly at: number;
  readonly message: string;
}

export interface ParsedPromql {
  readonly problems: readonly PromqlProblem[];
  readonly selectors: readonly SeriesSelector[];
}

/** Functions whose first argument is a range vector (`metric[5m]` or a subquery). */
const RANGE_FUNCTIONS = new Set([
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'predict_linear', 'holt_winters', 'double_exponential_smoothing',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'absent_over_time', 'mad_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time',
]);

const MATCH_OPS: Record<string, LabelMatcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  try {
    return JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1).replace(/"/g, '\\"')}"` : text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

/** The name of the function a FunctionCallBody belongs to, when it is one over ranges. */
function rangeFunctionOf(body: SyntaxNode, src: Source): string | undefined {
  const call = body.parent;
  const id = call?.getChild('FunctionIdentifier');
  if (!call || call.name !== 'FunctionCall' || !id) return undefined;
  const name = src.text(id);
  return RANGE_FUNCTIONS.has(name) ? name : undefined;
}

function readSelector(node: SyntaxNode, src: Source): SeriesSelector {
  const id = node.getChild('Identifier');
  let metric = id ? src.text(id) : undefined;
  const matchers: LabelMatcher[] = [];
  const list = node.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp')?.firstChild;
    const value = m.getChild('StringLiteral');
    if (!label || !op || !value) continue;
    const name = label.name === 'QuotedLabelName' ? unquote(src.text(label)) : src.text(label);
    const matcher: LabelMatcher = { label: name, op: MATCH_OPS[op.name] ?? '=', value: unquote(src.text(value)) };
    if (name === '__name__' && matcher.op === '=') metric = matcher.value;
    else matchers.push(matcher);
  }
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === 'QuotedLabelName') metric = unquote(src.text(m)); // {"metric.name"}
  }
  return { ...(metric !== undefined ? { metric } : {}), matchers, at: src.at(node.from) };
}

/**
 * The shape of an expression: the same text with every string literal emptied (`"..."` becomes
 * `""`). The grammar reads a string literal as one token whatever it holds, so an expression and
 * its shape parse to the same tree, node for node, only shorter where literals were emptied.
 * Alerts of different components and environments differ mostly in their label values, so they
 * share a few shapes and each shape is parsed once. An expression with a comment (where a quote
 * opens no string), an escape or a line break in a literal is its own shape.
 */
export function promqlShape(expr: string): { shape: string; at: (pos: number) => number } {
  const as = (shape: string, ends: number[] = [], shifts: number[] = []) => ({
    shape,
    // Positions in the shape fall outside literals or on their ends; add what was removed before.
    at: (pos: number) => {
      let shift = 0;
      for (let k = 0; k < ends.length && ends[k] <= pos; k++) shift = shifts[k];
      return pos + shift;
    },
  });
  if (expr.includes('#')) return as(expr);
  let shape = '';
  let from = 0;
  const ends: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < expr.length; i++) {
    const q = expr[i];
    if (q !== '"' && q !== "'" && q !== '`') continue;
    const end = expr.indexOf(q, i + 1);
    if (end === -1) return as(expr);
    if (q !== '`' && /[\\\n]/.test(expr.slice(i + 1, end))) return as(expr);
    shape += `${expr.slice(from, i + 1)}${q}`;
    from = end + 1;
    ends.push(shape.length);
    shifts.push(from - shape.length);
    i = end;
  }
  return ends.length === 0 ? as(expr) : as(shape + expr.slice(from), ends, shifts);
}

/** Syntax trees by expression shape, shared by every validation of the process. */
const trees = new Map<string, Tree>();
/** Enough for every distinct alert of a large stack; beyond it the cache starts over. */
const MAX_TREES = 4096;

/** An expression as read through the tree of its shape: offsets and texts of its nodes. */
interface Source {
  /** The offset in the expression of an offset in the shape. */
  at(pos: number): number;
  /** The text of a node of the shape's tree, read from the expression. */
  text(node: { from: number; to: number }): string;
}

function syntaxTree(expr: string): { tree: Tree; src: Source } {
  const { shape, at } = promqlShape(expr);
  let tree = trees.get(shape);
  if (!tree) {
    if (trees.size >= MAX_TREES) trees.clear();
    tree = parser.parse(shape);
    trees.set(shape, tree);
  }
  return { tree, src: { at, text: (n) => expr.slice(at(n.from), at(n.to)) } };
}

/** Parses an expression; never throws. */
export function parsePromql(expr: string): ParsedPromql {
  const problems: PromqlProblem[] = [];
  const selectors: SeriesSelector[] = [];
  if (expr.trim() === '') return { problems: [{ at: 0, message: 'is empty' }], selectors };
  const { tree, src } = syntaxTree(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        const at = src.at(ref.from);
        const near = expr.slice(at, at + 20) || 'the end';
        problems.push({ at, message: `syntax error at offset ${at} (near ${JSON.stringify(near)})` });
        return false;
      }
      const name = ref.name;
      if (name !== 'VectorSelector' && name !== 'MatrixSelector' && name !== 'SubqueryExpr' && name !== 'FunctionCallBody') return true;
      // Materialise a node only where its neighbours are read.
      const node = ref.node;
      if (name === 'VectorSelector') {
        selectors.push(readSelector(node, src));
        return false;
      }
      if (name === 'MatrixSelector' || name === 'SubqueryExpr') {
        const body = node.parent;
        if (!body || body.name !== 'FunctionCallBody' || !rangeFunctionOf(body, src)) {
          problems.push({ at: src.at(node.from), message: `range vector ${JSON.stringify(src.text(node))} is not the argument of a function over ranges (rate, increase, *_over_time)` });
        }
        return true;
      }
      if (name === 'FunctionCallBody') {
        const fn = rangeFunctionOf(node, src);
        let arg = node.firstChild;
        while (arg && (arg.name === '(' || arg.name === ',')) arg = arg.nextSibling;
        if (fn && arg && arg.name !== 'MatrixSelector' && arg.name !== 'SubqueryExpr') {
          problems.push({ at: src.at(arg.from), message: `${fn}() needs a range vector such as metric[5m], got ${JSON.stringify(src.text(arg))}` });
        }
      }
      return true;
    },
  });
  return { problems, selectors };
}

/** Whether a matcher list selects series whose `label` is `value` (equality, or a regex that matches it whole). */
export function selects(s: SeriesSelector, label: string, value: string): boolean {
  const ms = s.matchers.filter((m) => m.label === label);
  if (ms.length === 0) return false;
  return ms.every((m) => {
    switch (m.op) {
      case '=':
        return m.value === value;
      case '!=':
        return m.value !== value;
      case '=~':
      case '!~': {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${m.value})$`);
        } catch {
          return false;
        }
        return re.test(value) === (m.op === '=~');
      }
    }
  });
}

/** A Prometheus duration (`5m`, `1h30m`, `0s`). */
export function isPromDuration(text: string): boolean {
  return /^((\d+)(y|w|d|h|ms|m|s))+$/.test(text);
}
