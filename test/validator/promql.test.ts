/**
 * Reading PromQL: the parse of an expression is shared with every expression of the same shape
 * (the same text but for the content of its string literals), which must never change what is
 * read from it.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parser } from '@prometheus-io/lezer-promql';
import { parsePromql, promqlShape } from '../../src/validator/promql';

/** The syntax tree as the grammar builds it, node names with their offsets (mapped by `at`). */
function treeOf(expr: string, at = (pos: number) => pos): string {
  const out: string[] = [];
  parser.parse(expr).iterate({ enter: (n) => void out.push(`${n.name}@${at(n.from)}-${at(n.to)}`) });
  return out.join(' ');
}

/** The tree of an expression's shape, at the expression's offsets. */
function shapeTreeOf(expr: string): string {
  const { shape, at } = promqlShape(expr);
  return treeOf(shape, at);
}

const TRICKY = [
  'up',
  'kube_deployment_status_replicas_available{namespace="ctis-production", deployment="api"} == 0',
  'sum by (job) (rate(http_requests_total{code=~"5..", job=\'a"b\'}[5m])) / 2',
  'rate(x{path=`/a\\b"c`}[1m])',
  'x{a="with \\" escaped quote"}',
  'x{a="unterminated}',
  "x{a='unterminated}",
  'x{a="line\nbreak"}',
  'x{a="a"} # a comment with a "quote',
  'x{a="#"}',
  'x{"quoted.name"="v", b=""}',
  '{__name__="up", a!~"b|c"}',
  'x{a="\u00e9\u{1F600}"}',
  'rate(x{a="b"})',
  'x{a="b"}[5m]',
  'sum(x{a="b"}',
  '"just a string"',
];

describe('parsePromql: shared parses', () => {
  test('an expression and its shape have the same syntax tree', () => {
    for (const expr of TRICKY) expect([expr, shapeTreeOf(expr)]).toEqual([expr, treeOf(expr)]);
  });

  test('expressions of one shape share it, and read their own label values', () => {
    const a = 'x{namespace="ctis-staging", job="api"} > 1 and y{a=~\'.*\'}';
    const b = 'x{namespace="ctis-production", job="app-server"} > 1 and y{a=~\'b|c\'}';
    expect(promqlShape(a).shape).toBe('x{namespace="", job=""} > 1 and y{a=~\'\'}');
    expect(promqlShape(b).shape).toBe(promqlShape(a).shape);
    parsePromql(a);
    expect(parsePromql(b).selectors).toEqual([
      {
        metric: 'x',
        matchers: [
          { label: 'namespace', op: '=', value: 'ctis-production' },
          { label: 'job', op: '=', value: 'app-server' },
        ],
        at: 0,
      },
      { metric: 'y', matchers: [{ label: 'a', op: '=~', value: 'b|c' }], at: 57 },
    ]);
  });

  test('label values read as Prometheus reads them: escapes in double and single quotes, none in backquotes', () => {
    const values = (expr: string) => parsePromql(expr).selectors.flatMap((s) => s.matchers.map((m) => m.value));
    expect(values('x{a="plain", b=\'it"s\', c=`back\\slash`, d="q\\"uote", e=\'tab\\tx\', f="\u00e9", g=""}')).toEqual(['plain', 'it"s', 'back\\slash', 'q"uote', 'tab\tx', '\u00e9', '']);
  });

  test('a problem names the text of its own expression', () => {
    parsePromql('rate(x{a="a"}) + sum(z{a="a"}[5m])');
    expect(parsePromql('rate(x{a="bbbb"}) + sum(z{a="bbbb"}[5m])').problems).toEqual([
      { at: 5, message: 'rate() needs a range vector such as metric[5m], got "x{a=\\"bbbb\\"}"' },
      { at: 24, message: 'range vector "z{a=\\"bbbb\\"}[5m]" is not the argument of a function over ranges (rate, increase, *_over_time)' },
    ]);
    parsePromql('sum(x{a="a"}');
    expect(parsePromql('sum(x{a="bbbb"}').problems).toEqual([{ at: 15, message: 'syntax error at offset 15 (near "the end")' }]);
  });

  test('generated expressions: the shape parses like the expression', () => {
    const content = fc.string({ unit: fc.constantFrom('a', ' ', '"', "'", '`', '\\', '\n', '#', '{', '}', '=', '\u00e9') , maxLength: 6 });
    const literal = fc.tuple(fc.constantFrom('"', "'", '`'), content, fc.boolean()).map(([q, c, closed]) => `${q}${c}${closed ? q : ''}`);
    const piece = fc.oneof(literal, fc.constantFrom('x', '{', '}', '=', ',', 'a', ' ', '(', ')', '[5m]', 'rate', ' # c\n', '=~', ' > 1'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const expr = pieces.join('');
        expect(shapeTreeOf(expr)).toBe(treeOf(expr));
      }),
      { numRuns: 500 },
    );
  });
});
