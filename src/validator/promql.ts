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
  if (text.startsWith('`')) return text.slice(1, -1);
  try {
    return JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1).replace(/"/g, '\\"')}"` : text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

/** The name of the function a FunctionCallBody belongs to, when it is one over ranges. */
function rangeFunctionOf(body: SyntaxNode, src: string): string | undefined {
  const call = body.parent;
  const id = call?.getChild('FunctionIdentifier');
  if (!call || call.name !== 'FunctionCall' || !id) return undefined;
  const name = src.slice(id.from, id.to);
  return RANGE_FUNCTIONS.has(name) ? name : undefined;
}

function readSelector(node: SyntaxNode, src: string): SeriesSelector {
  const id = node.getChild('Identifier');
  let metric = id ? src.slice(id.from, id.to) : undefined;
  const matchers: LabelMatcher[] = [];
  const list = node.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp')?.firstChild;
    const value = m.getChild('StringLiteral');
    if (!label || !op || !value) continue;
    const name = label.name === 'QuotedLabelName' ? unquote(src.slice(label.from, label.to)) : src.slice(label.from, label.to);
    const matcher: LabelMatcher = { label: name, op: MATCH_OPS[op.name] ?? '=', value: unquote(src.slice(value.from, value.to)) };
    if (name === '__name__' && matcher.op === '=') metric = matcher.value;
    else matchers.push(matcher);
  }
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === 'QuotedLabelName') metric = unquote(src.slice(m.from, m.to)); // {"metric.name"}
  }
  return { ...(metric !== undefined ? { metric } : {}), matchers, at: node.from };
}

/** Parses an expression; never throws. */
export function parsePromql(expr: string): ParsedPromql {
  const problems: PromqlProblem[] = [];
  const selectors: SeriesSelector[] = [];
  if (expr.trim() === '') return { problems: [{ at: 0, message: 'is empty' }], selectors };
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        const near = expr.slice(ref.from, ref.from + 20) || 'the end';
        problems.push({ at: ref.from, message: `syntax error at offset ${ref.from} (near ${JSON.stringify(near)})` });
        return false;
      }
      const name = ref.name;
      if (name !== 'VectorSelector' && name !== 'MatrixSelector' && name !== 'SubqueryExpr' && name !== 'FunctionCallBody') return true;
      // Materialise a node only where its neighbours are read.
      const node = ref.node;
      if (name === 'VectorSelector') {
        selectors.push(readSelector(node, expr));
        return false;
      }
      if (name === 'MatrixSelector' || name === 'SubqueryExpr') {
        const body = node.parent;
        if (!body || body.name !== 'FunctionCallBody' || !rangeFunctionOf(body, expr)) {
          problems.push({ at: node.from, message: `range vector ${JSON.stringify(expr.slice(node.from, node.to))} is not the argument of a function over ranges (rate, increase, *_over_time)` });
        }
        return true;
      }
      if (name === 'FunctionCallBody') {
        const fn = rangeFunctionOf(node, expr);
        let arg = node.firstChild;
        while (arg && (arg.name === '(' || arg.name === ',')) arg = arg.nextSibling;
        if (fn && arg && arg.name !== 'MatrixSelector' && arg.name !== 'SubqueryExpr') {
          problems.push({ at: arg.from, message: `${fn}() needs a range vector such as metric[5m], got ${JSON.stringify(expr.slice(arg.from, arg.to))}` });
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
