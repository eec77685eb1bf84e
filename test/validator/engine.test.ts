import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseManifests } from '../../src/manifests';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { inferEnvironment, isInputError, ManifestError, UsageError, validateDirectory, validateObjects } from '../../src/validator';
import { CONFIG_DIR, configMap, DIST, distObjects, env, load, run, toYaml, workload } from './fixtures';

describe('validateDirectory on the committed output', () => {
  it.each(['development', 'staging', 'production'] as const)('dist/%s has zero error findings', (name) => {
    const r = validateDirectory(path.join(DIST, name), { configDir: CONFIG_DIR });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.summary.errors).toBe(0);
    expect(r.summary.environment).toBe(name);
    expect(r.summary.objects).toBeGreaterThan(20);
  });
});

describe('validateObjects (library use, e.g. the synth gate)', () => {
  it('validates in-memory parsed output without touching the file system', () => {
    const text = toYaml(workload('api', { image: 'api:latest' }));
    const objects = parseManifests(text, 'production/api.yaml');
    const r = validateObjects(objects, { env: env('production'), topology: CTIS_TOPOLOGY, rules: ['image-pinned'] });
    expect(r.findings).toEqual([
      expect.objectContaining({ rule: 'image-pinned', severity: 'error', file: 'production/api.yaml', resource: 'Deployment/ctis-production/api', message: 'image api:latest uses the latest tag' }),
    ]);
    expect(r.findings[0].line).toBe(text.split('\n').findIndex((l) => l.includes('image: api:latest')) + 1);
  });

  it('applies the environment namespace to objects without one', () => {
    const objs = load([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { DB_PASSWORD: 'x' } }]);
    const r = run(objs, ['secret-literal']);
    expect(r.findings.map((f) => f.resource)).toEqual(['ConfigMap/ctis-production/x']);
  });

  it('refuses an unknown rule id as bad usage', () => {
    expect(() => run([], ['nope'])).toThrow(UsageError);
  });

  it('is deterministic', () => {
    const a = run(distObjects('staging'), undefined, 'staging');
    const b = run(distObjects('staging'), undefined, 'staging');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('suppression', () => {
  const literal = (annotations: Record<string, string>) =>
    load([{ ...configMap('x', { DB_PASSWORD: 'hunter2' }), metadata: { name: 'x', namespace: 'ctis-production', annotations } }]);

  it('moves the finding to suppressed with its reason and counts it', () => {
    const r = run(literal({ 'ctis.io/suppress.secret-literal': 'test fixture, not a real password' }), ['secret-literal', 'suppression-needs-reason']);
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toEqual([expect.objectContaining({ rule: 'secret-literal', reason: 'test fixture, not a real password' })]);
    expect(r.summary.suppressed).toBe(1);
  });

  it('an empty reason suppresses nothing and is an error', () => {
    const r = run(literal({ 'ctis.io/suppress.secret-literal': '' }), ['secret-literal', 'suppression-needs-reason']);
    expect(r.findings.map((f) => f.rule).sort()).toEqual(['secret-literal', 'suppression-needs-reason']);
    expect(r.summary).toEqual(expect.objectContaining({ errors: 2, suppressed: 0 }));
  });

  it('suppresses only the named rule on the annotated object', () => {
    const objs = [...literal({ 'ctis.io/suppress.image-pinned': 'unrelated' }), ...load([configMap('y', { DB_PASSWORD: 'x' })], 'b.yaml')];
    // Sorted by file: b.yaml before test.yaml.
    expect(run(objs, ['secret-literal']).findings.map((f) => f.resource)).toEqual(['ConfigMap/ctis-production/y', 'ConfigMap/ctis-production/x']);
  });
});

describe('input errors', () => {
  it('infers the environment from the directory or its parent', () => {
    expect(inferEnvironment('dist/production')).toBe('production');
    expect(inferEnvironment('dist/staging/')).toBe('staging');
    expect(inferEnvironment('/tmp/x')).toBeUndefined();
  });

  it('types loader and usage errors as input errors', () => {
    expect(isInputError(new ManifestError('bad', 'a.yaml', 1))).toBe(true);
    expect(isInputError(new UsageError('bad'))).toBe(true);
    expect(isInputError(new Error('bug'))).toBe(false);
    expect(() => validateDirectory('/tmp/nowhere-at-all')).toThrow(new ManifestError('path does not exist', '/tmp/nowhere-at-all'));
    expect(() => validateDirectory(fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-')))).toThrow(new ManifestError('no manifests found (no .yaml, .yml or .json file)', expect.any(String) as string));
    const unnamed = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-'));
    fs.writeFileSync(path.join(unnamed, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    expect(() => validateDirectory(unnamed)).toThrow(UsageError);
    expect(() => validateDirectory('/nonexistent/production', { configDir: CONFIG_DIR })).toThrow(ManifestError);
  });
});
