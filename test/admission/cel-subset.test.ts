/**
 * The policies use only CEL that Kubernetes evaluates, with bounded cost: every expression parses,
 * calls only standard functions and the Kubernetes strings library, reads only the variables a
 * ValidatingAdmissionPolicy has, and nests comprehensions at most two deep.
 */
import { expect } from '@jest/globals';
import { parse } from '@bufbuild/cel';
import { SECRET_NAME_PATTERN } from '../../src/admission';
import { isSecretName } from '../../src/validator/rules/secrets';
import { evaluate, KUBERNETES_STRING_FUNCTIONS, Policy, toCel } from './harness';

/** A parsed CEL expression. */
type Expr = ReturnType<typeof parse>['expr'];
import { everyRendering } from './support';

/** Operators and standard functions (cel-spec), as the parser names them. */
const STANDARD = [
  '_&&_', '_||_', '!_', '-_', '_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_+_', '_-_', '_*_', '_/_', '_%_', '_?_:_', '_[_]', '@in',
  // the loop condition the all() macro expands to
  '@not_strictly_false',
  'size', 'matches', 'startsWith', 'endsWith', 'contains', 'string', 'int',
];
const ALLOWED_FUNCTIONS = new Set([...STANDARD, ...KUBERNETES_STRING_FUNCTIONS]);
const ROOTS = new Set(['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer']);

interface Walk {
  functions: Set<string>;
  roots: Set<string>;
  depth: number;
}

/** Roots whose values come with the request: loops over them grow with the object. */
const REQUEST_ROOTS = new Set(['object', 'oldObject', 'request', 'params', 'namespaceObject']);

/**
 * Whether the size of an expression's value depends on the request: it reads a request root, a
 * variable that does, or a loop variable ranging over such a value. Lists and maps built from literals
 * (a topology's callers, the admin paths) have a fixed size set when the policy is rendered.
 */
function fromRequest(e: Expr | undefined, loopVars: ReadonlyMap<string, boolean>, constants: ReadonlySet<string>): boolean {
  // Every sub-expression the parser produces is set (the protobuf types call them optional).
  const k = e!.exprKind;
  switch (k.case) {
    case 'identExpr':
      return loopVars.has(k.value.name) ? loopVars.get(k.value.name)! : REQUEST_ROOTS.has(k.value.name);
    case 'selectExpr': {
      const op = k.value.operand!.exprKind;
      if (op.case === 'identExpr' && op.value.name === 'variables' && !loopVars.has('variables')) return !constants.has(k.value.field);
      return fromRequest(k.value.operand, loopVars, constants);
    }
    case 'callExpr':
      // An entry of a fixed map or list is as bounded as the map, whatever the key.
      if (k.value.function === '_[_]') return fromRequest(k.value.args[0], loopVars, constants);
      return [...(k.value.target ? [k.value.target] : []), ...k.value.args].some((a) => fromRequest(a, loopVars, constants));
    case 'listExpr':
      return k.value.elements.some((el) => fromRequest(el, loopVars, constants));
    case 'structExpr':
      return k.value.entries.some((en) => (en.keyKind.case === 'mapKey' && fromRequest(en.keyKind.value, loopVars, constants)) || fromRequest(en.value, loopVars, constants));
    case 'comprehensionExpr':
      return fromRequest(k.value.iterRange, loopVars, constants) || fromRequest(k.value.accuInit, loopVars, constants);
    default:
      return false;
  }
}

function walk(e: Expr | undefined, loopVars: ReadonlyMap<string, boolean>, depth: number, out: Walk, constants: ReadonlySet<string>): void {
  const k = e!.exprKind;
  const go = (x: Expr | undefined) => walk(x, loopVars, depth, out, constants);
  switch (k.case) {
    case 'identExpr':
      if (!loopVars.has(k.value.name)) out.roots.add(k.value.name);
      return;
    case 'selectExpr':
      return go(k.value.operand);
    case 'callExpr':
      out.functions.add(k.value.function);
      if (k.value.target) go(k.value.target);
      for (const a of k.value.args) go(a);
      return;
    case 'listExpr':
      for (const el of k.value.elements) go(el);
      return;
    case 'structExpr':
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') go(en.keyKind.value);
        go(en.value);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      // Only a loop over a value from the request multiplies the cost by the object's size.
      const growing = fromRequest(c.iterRange, loopVars, constants);
      const inner = new Map(loopVars).set(c.iterVar, growing).set(c.accuVar, true);
      const next = growing ? depth + 1 : depth;
      out.depth = Math.max(out.depth, next);
      go(c.iterRange);
      go(c.accuInit);
      for (const part of [c.loopCondition, c.loopStep, c.result]) walk(part, inner, next, out, constants);
      return;
    }
    default:
      return;
  }
}

function analyse(expression: string, constants: ReadonlySet<string> = new Set()): Walk {
  const out: Walk = { functions: new Set(), roots: new Set(), depth: 0 };
  walk(parse(expression).expr, new Map(), 0, out, constants);
  return out;
}

/** Variables of a policy whose values do not depend on the request (literals, and variables built from them). */
function constantVariables(policy: Policy): Set<string> {
  const constants = new Set<string>();
  for (const v of policy.spec.variables ?? []) if (!fromRequest(parse(v.expression).expr, new Map(), constants)) constants.add(v.name);
  return constants;
}

/** Every CEL expression of a policy, with where it sits. */
function expressions(policy: Policy): Array<[string, string]> {
  const s = policy.spec;
  return [
    ...(s.matchConditions ?? []).map((c): [string, string] => [`matchConditions.${c.name}`, c.expression]),
    ...(s.variables ?? []).map((v): [string, string] => [`variables.${v.name}`, v.expression]),
    ...s.validations.flatMap((v, i): Array<[string, string]> => [[`validations[${i}].expression`, v.expression], [`validations[${i}].messageExpression`, v.messageExpression]]),
  ];
}

describe('CEL that Kubernetes supports, with bounded cost', () => {
  const policies = everyRendering().flatMap((r) => r.policies.map((p) => p.policy));

  test('every expression parses, uses only standard and Kubernetes string functions, and nests at most two comprehensions over object lists', () => {
    let n = 0;
    for (const p of policies) {
      const constants = constantVariables(p);
      for (const [where, expression] of expressions(p)) {
        const a = analyse(expression, constants);
        const at = `${p.metadata.name} ${where}`;
        expect({ at, unknownFunctions: [...a.functions].filter((f) => !ALLOWED_FUNCTIONS.has(f)) }).toEqual({ at, unknownFunctions: [] });
        expect({ at, unknownRoots: [...a.roots].filter((r) => !ROOTS.has(r)) }).toEqual({ at, unknownRoots: [] });
        expect({ at, depth: a.depth <= 2 }).toEqual({ at, depth: true });
        expect(expression).not.toMatch(/\?\.|\.orValue\(|cel\.bind|optional\./);
        n++;
      }
    }
    expect(n).toBeGreaterThan(500);
  });

  test('variables refer only to variables declared before them; messages are single lines', () => {
    for (const p of policies) {
      const declared: string[] = [];
      for (const v of p.spec.variables ?? []) {
        for (const [, used] of v.expression.matchAll(/variables\.([A-Za-z_]\w*)/g)) expect({ variable: v.name, uses: used, declared: declared.includes(used) }).toEqual({ variable: v.name, uses: used, declared: true });
        declared.push(v.name);
      }
      for (const [, expression] of expressions(p)) for (const [, used] of expression.matchAll(/variables\.([A-Za-z_]\w*)/g)) expect(declared).toContain(used);
      for (const v of p.spec.validations) expect(v.message).not.toMatch(/[\r\n]/);
    }
  });

  test('the analysis can fail: a nested third comprehension and an unsupported function are caught', () => {
    expect(analyse('object.all(x, x.b.all(y, y.c.all(z, z)))').depth).toBe(3);
    expect(analyse("object.all(x, x.b.all(y, ['/a', '/b'].exists(z, y == z)))").depth).toBe(2);
    expect(analyse("object.all(x, x.b.all(y, variables.m[y].exists(z, z.all(k, k == y))))", new Set(['m'])).depth).toBe(2);
    expect(analyse("object.all(x, x.b.all(y, variables.m[y].exists(z, z)))", new Set()).depth).toBe(3);
    expect([...analyse("'%s'.format(['a'])").functions].filter((f) => !ALLOWED_FUNCTIONS.has(f))).toEqual(['format']);
    expect(evaluate("'%s'.format(['a'])", {})).toEqual({ error: expect.any(String) });
  });
});

describe('secret-like variable names', () => {
  // Names the admission pattern and the validator classify alike.
  const names: Array<[string, boolean]> = [
    ['DB_PASSWORD', true], ['POSTGRES_PASSWORD', true], ['REDIS_PASSWORD', true], ['MyPassword', true], ['Smtp__Password', true],
    ['ClientSecret', true], ['Oidc__ClientSecret', true], ['ACCESS_TOKEN', true], ['GITHUB_TOKEN', true], ['InternalTokens__ApiKey', true],
    ['API_KEY', true], ['apiKey', true], ['SIGNING_KEY', true], ['Jwt__SigningKey', true], ['AWS_SECRET_ACCESS_KEY', true],
    ['ConnectionStrings__Default', true], ['REDIS_CONNECTION_STRING', true], ['Credentials', true], ['PASSPHRASE', true],
    ['PASSWORD_FILE', false], ['SECRET_NAME', false], ['TOKEN_TTL', false], ['InternalTokens__Issuer', false], ['InternalTokens__Audience', false],
    ['AuthServer__DataProtection__KeyPath', false], ['KEY', false], ['MONKEY', false], ['ASPNETCORE_ENVIRONMENT', false], ['REDISCLI_AUTH', false],
    ['Tokens', false], ['PGDATA', false], ['POSTGRES_USER', false], ['Cors__AllowedOrigins__0', false], ['Hangfire__Storage', false],
  ];
  test.each(names)('%s: %s (and the validator agrees)', (name, secret) => {
    expect(evaluate(`n.matches('${SECRET_NAME_PATTERN.replace(/\\/g, '\\\\')}')`, { n: name })).toBe(secret);
    expect(isSecretName(name)).toBe(secret);
  });
  // The admission pattern matches secret words at the end of a name without word boundaries (RE2
  // has no case-aware word splitting): stricter than the validator, never more lenient.
  test.each(['PGPASSWD', 'NOTOKEN'])('%s: secret-like at admission, not to the validator', (name) => {
    expect(evaluate(`n.matches('${SECRET_NAME_PATTERN.replace(/\\/g, '\\\\')}')`, { n: name })).toBe(true);
    expect(isSecretName(name)).toBe(false);
  });
});

describe('the evaluator implements the CEL the policies rely on as Kubernetes does', () => {
  const object = toCel({ spec: { ports: [{ port: 5432, name: 'pg' }], labels: { a: 'b' }, empty: [] }, metadata: { name: 'x' } });
  test.each<[string, unknown]>([
    ['has(object.spec.ports) && !has(object.spec.type)', true],
    ['object.spec.ports.all(p, p.port > 0) && object.spec.ports.exists(p, p.name == "pg")', true],
    ['object.spec.ports.exists_one(p, p.port == 5432)', true],
    ["object.spec.ports.map(p, p.name).join(', ')", 'pg'],
    ['size(object.spec.ports.filter(p, p.port == 1)) == 0', true],
    ['object.spec.ports[0].port == 5432', true],
    ["'a' in object.spec.labels && object.spec.labels['a'] == 'b'", true],
    ["'/Admin'.lowerAscii().startsWith('/admin') && 'x:1'.endsWith(':1') && 'abc'.contains('b')", true],
    // matches() is an RE2 search, not a full match, as in Kubernetes (cel-go).
    ["'xabcx'.matches('abc') && !'abc'.matches('^b')", true],
    ["' a, b '.split(',').map(s, s.trim())", ['a', 'b']],
    ['{"k": [1]} == {"k": [1]} && object.spec.empty == []', true],
    ['object.spec.type', { error: expect.stringMatching(/type/) }],
  ])('%s', (expression, expected) => {
    const v = evaluate(expression, { object });
    const plain = (x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : x && typeof x === 'object' && Symbol.iterator in x && typeof x !== 'string' ? [...(x as Iterable<unknown>)].map(plain) : x);
    expect(plain(v)).toEqual(expected);
  });
});
