import type { SyntaxNode } from '@lezer/common';
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
  // Without an escape, what the quotes hold is the value (JSON.parse would say the same, or fail).
  if (text.startsWith('`') || !text.includes('\\')) return text.slice(1, -1);
  try {
    return JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1).replace(/"/g, '\\"')}"` : text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

/** The name of the function a FunctionCallBody belongs to, when it is one over ranges. */
function rangeFunctionOf(body: SyntaxNode, shape: string): string | undefined {
  const call = body.parent;
  const id = call?.getChild('FunctionIdentifier');
  if (!call || call.name !== 'FunctionCall' || !id) return undefined;
  const name = shape.slice(id.from, id.to);
  return RANGE_FUNCTIONS.has(name) ? name : undefined;
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

/** Where a node of a shape's tree is, in the shape. */
interface Span {
  readonly from: number;
  readonly to: number;
}

/** A series selector as a shape's tree holds it: the nodes its reading needs. */
interface SelectorNodes {
  readonly from: number;
  readonly id?: Span;
  readonly matchers: readonly { readonly label: Span; readonly quoted: boolean; readonly op: LabelMatcher['op']; readonly value: Span }[];
  /** `{"metric.name"}`: a quoted name alone names the metric. */
  readonly quotedNames: readonly Span[];
}

/** A problem as a shape's tree holds it; its message quotes the expression's own text. */
type ProblemNodes =
  | { readonly kind: 'syntax'; readonly from: number }
  | { readonly kind: 'range-vector'; readonly node: Span }
  | { readonly kind: 'instant-argument'; readonly fn: string; readonly arg: Span };

/** What the tree of a shape says, in the order of the tree: selectors and problems. */
type ShapeReading = readonly ({ readonly selector: SelectorNodes } | { readonly problem: ProblemNodes })[];

const span = (n: SyntaxNode): Span => ({ from: n.from, to: n.to });

function selectorNodes(node: SyntaxNode): SelectorNodes {
  const id = node.getChild('Identifier');
  const matchers: SelectorNodes['matchers'][number][] = [];
  const quotedNames: Span[] = [];
  const list = node.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp')?.firstChild;
    const value = m.getChild('StringLiteral');
    if (!label || !op || !value) continue;
    matchers.push({ label: span(label), quoted: label.name === 'QuotedLabelName', op: MATCH_OPS[op.name] ?? '=', value: span(value) });
  }
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === 'QuotedLabelName') quotedNames.push(span(m));
  }
  return { from: node.from, ...(id ? { id: span(id) } : {}), matchers, quotedNames };
}

/** Reads the tree of a shape: its series selectors and structural problems, in tree order. */
function readShape(shape: string): ShapeReading {
  const out: (ShapeReading[number])[] = [];
  parser.parse(shape).iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        out.push({ problem: { kind: 'syntax', from: ref.from } });
        return false;
      }
      const name = ref.name;
      if (name !== 'VectorSelector' && name !== 'MatrixSelector' && name !== 'SubqueryExpr' && name !== 'FunctionCallBody') return true;
      // Materialise a node only where its neighbours are read.
      const node = ref.node;
      if (name === 'VectorSelector') {
        out.push({ selector: selectorNodes(node) });
        return false;
      }
      if (name === 'MatrixSelector' || name === 'SubqueryExpr') {
        const body = node.parent;
        if (!body || body.name !== 'FunctionCallBody' || !rangeFunctionOf(body, shape)) out.push({ problem: { kind: 'range-vector', node: span(node) } });
        return true;
      }
      const fn = rangeFunctionOf(node, shape);
      let arg = node.firstChild;
      while (arg && (arg.name === '(' || arg.name === ',')) arg = arg.nextSibling;
      if (fn && arg && arg.name !== 'MatrixSelector' && arg.name !== 'SubqueryExpr') out.push({ problem: { kind: 'instant-argument', fn, arg: span(arg) } });
      return true;
    },
  });
  return out;
}

/** Readings by expression shape, shared by every validation of the process. */
const readings = new Map<string, ShapeReading>();
/** Enough for every distinct alert of a large stack; beyond it the cache starts over. */
const MAX_SHAPES = 4096;

function shapeReading(shape: string): ShapeReading {
  let reading = readings.get(shape);
  if (!reading) {
    if (readings.size >= MAX_SHAPES) readings.clear();
    reading = readShape(shape);
    readings.set(shape, reading);
  }
  return reading;
}

/** Parses an expression; never throws. */
export function parsePromql(expr: string): ParsedPromql {
  const problems: PromqlProblem[] = [];
  const selectors: SeriesSelector[] = [];
  if (expr.trim() === '') return { problems: [{ at: 0, message: 'is empty' }], selectors };
  const { shape, at } = promqlShape(expr);
  const text = (n: Span) => expr.slice(at(n.from), at(n.to));
  for (const item of shapeReading(shape)) {
    if ('selector' in item) {
      selectors.push(readSelector(item.selector, text, at));
      continue;
    }
    const p = item.problem;
    if (p.kind === 'syntax') {
      const from = at(p.from);
      const near = expr.slice(from, from + 20) || 'the end';
      problems.push({ at: from, message: `syntax error at offset ${from} (near ${JSON.stringify(near)})` });
    } else if (p.kind === 'range-vector') {
      problems.push({ at: at(p.node.from), message: `range vector ${JSON.stringify(text(p.node))} is not the argument of a function over ranges (rate, increase, *_over_time)` });
    } else {
      problems.push({ at: at(p.arg.from), message: `${p.fn}() needs a range vector such as metric[5m], got ${JSON.stringify(text(p.arg))}` });
    }
  }
  return { problems, selectors };
}

/** A selector of the expression, read from the nodes of its shape. */
function readSelector(nodes: SelectorNodes, text: (n: Span) => string, at: (pos: number) => number): SeriesSelector {
  let metric = nodes.id ? text(nodes.id) : undefined;
  const matchers: LabelMatcher[] = [];
  for (const m of nodes.matchers) {
    const name = m.quoted ? unquote(text(m.label)) : text(m.label);
    const matcher: LabelMatcher = { label: name, op: m.op, value: unquote(text(m.value)) };
    if (name === '__name__' && matcher.op === '=') metric = matcher.value;
    else matchers.push(matcher);
  }
  for (const q of nodes.quotedNames) metric = unquote(text(q));
  const where = at(nodes.from);
  return metric !== undefined ? { metric, matchers, at: where } : { matchers, at: where };
}

/** Each regex matcher's pattern, anchored as Prometheus anchors it (null when it does not compile); stateless (no flags), so shared. */
const WHOLE_MATCHES = new Map<string, RegExp | null>();

function wholeMatch(pattern: string): RegExp | null {
  let re = WHOLE_MATCHES.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    WHOLE_MATCHES.set(pattern, re);
  }
  return re;
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
        const re = wholeMatch(m.value);
        return re !== null && re.test(value) === (m.op === '=~');
      }
    }
  });
}

/** A Prometheus duration (`5m`, `1h30m`, `0s`). */
export function isPromDuration(text: string): boolean {
  return /^((\d+)(y|w|d|h|ms|m|s))+$/.test(text);
}
