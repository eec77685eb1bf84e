import fc from 'fast-check';
import type { LoadedObject } from '../../src/manifests';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { validateObjects } from '../../src/validator';
import { distObjects, env } from './fixtures';
import type { EnvironmentName } from '../../src/config/schema';

/** Every path (to a mapping entry or list item) inside a value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...prefix, i]); paths(x, [...prefix, i], out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([...prefix, k]); paths(x, [...prefix, k], out); }
  return out;
}

const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70000 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null)), { maxKeys: 2 }),
  fc.constantFrom('*', '0.0.0.0/0', 'latest', 'ALL', 'true', 'TCP', 'http', '-1', 'Exists', 'In'),
);

type Op = { kind: 'delete' | 'set' | 'duplicate'; obj: number; path: number; value: unknown };
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('delete', 'set', 'duplicate'),
  obj: fc.nat(),
  path: fc.nat(),
  value: junk,
});

function apply(objects: LoadedObject[], ops: Op[]): LoadedObject[] {
  const out = [...objects];
  for (const o of ops) {
    const target = out[o.obj % out.length];
    if (o.kind === 'duplicate') {
      out.push({ ...target, object: structuredClone(target.object) });
      continue;
    }
    const ps = paths(target.object);
    if (ps.length === 0) continue;
    const p = ps[o.path % ps.length];
    if (p.length === 1 && (p[0] === 'kind' || p[0] === 'apiVersion')) continue; // the loader guarantees both
    type Node = Record<string | number, unknown>;
    let parent = target.object as Node;
    for (const k of p.slice(0, -1)) parent = parent[k] as Node;
    const last = p[p.length - 1];
    if (o.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      parent[last] = structuredClone(o.value);
    }
  }
  return out;
}

describe('validateObjects never throws on perturbed real manifests', () => {
  it.each(['production', 'staging', 'development'] as EnvironmentName[])('%s', (name) => {
    const e = env(name);
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => {
        const objects = apply(distObjects(name), ops);
        const report = validateObjects(objects, { env: e, topology: CTIS_TOPOLOGY, graph: true });
        // Findings are always located; a rule that failed would be a validator bug.
        for (const f of report.findings) {
          expect(typeof f.file).toBe('string');
          expect(f.line).toBeGreaterThanOrEqual(1);
        }
        const failed = report.findings.filter((f) => f.rule === 'rule-failed');
        if (failed.length > 0) throw new Error(`rule failed: ${failed.map((f) => `${f.resource}: ${f.message}`).join('; ')}`);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), ...(process.env.PROPERTY_RUNS ? {} : { seed: 4242 }) },
    );
  });
});
