/**
 * Reading on a worker thread gives what reading on one thread gives: the same objects, lines,
 * field lines, documents that are not objects, errors, and so the same validation report, on a
 * broken copy of dist/production and on a broken synthetic stack.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderAll } from '../../charts/app';
import { main as validate } from '../../src/cli/validate';
import { loadEnvironment } from '../../src/config/load';
import { fieldLine, listManifestFiles, LoadedObject, loadManifests, ManifestError, NotAnObject } from '../../src/manifests';
import { readInParallel, worthAWorker, PARALLEL_MIN_BYTES } from '../../src/manifests/parallel';
import { ManifestFile, readDocuments } from '../../src/manifests/read';
import { decodeReading, encodeDocuments, encodeError, isJsonExact } from '../../src/manifests/transfer';
import { parseWorkerScript } from '../../src/manifests/worker-script';
import { writeAtomically } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { syntheticEnvironment, syntheticTopology } from '../../src/topology/synthetic';
import type { Topology } from '../../src/topology/model';
import type { EnvironmentConfig } from '../../src/config/schema';
import { validateObjects } from '../../src/validator';
import { capture } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');

function copyDir(from: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-'));
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

function edit(file: string, change: (text: string) => string): void {
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  fs.writeFileSync(file, after);
}

function filesOf(dir: string): ManifestFile[] {
  return listManifestFiles(dir).map((rel) => ({ rel, abs: path.join(dir, rel), shown: path.join(dir, rel) }));
}

/** Everything a reader can see of the loaded objects, field lines of a few paths included. */
function seen(objects: readonly LoadedObject[]) {
  const paths = [['metadata', 'name'], ['spec', 'template', 'spec', 'containers', 0, 'image'], ['spec', 'ingress', 0], ['data'], ['spec', 'groups', 0, 'rules', 3, 'expr']];
  return objects.map((o) => ({ object: o.object, location: o.location, key: o.key, fields: paths.map((p) => fieldLine(o, p)) }));
}

function load(dir: string, worker: boolean) {
  const documents: NotAnObject[] = [];
  const objects = loadManifests(dir, { worker, onNotAnObject: (d) => documents.push(d) });
  return { objects, documents };
}

/** Loads on one thread and with the worker, checks both read the same, and returns both reports. */
function bothWays(dir: string, env: EnvironmentConfig, topology: Topology) {
  const one = load(dir, false);
  const two = load(dir, true);
  expect(seen(two.objects)).toEqual(seen(one.objects));
  expect(two.documents).toEqual(one.documents);
  const report = (r: typeof one) => validateObjects(r.objects, { env, topology, documents: r.documents, root: dir, graph: true });
  return { one: report(one), two: report(two) };
}

function readOrError(f: ManifestFile): unknown {
  try {
    return readDocuments(f, 1e7);
  } catch (e) {
    return e;
  }
}

function errorOf(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

beforeAll(() => {
  // The worker's bundle is built by the launcher; without it every test here would read on one thread.
  expect(parseWorkerScript()).toMatch(/parse-worker\.js$/);
});

describe('what crosses from the worker', () => {
  it.each([
    ['plain data', { a: [1, 'x', true, null, { b: 2.5 }] }, true],
    ['a non-finite number', { a: Number.NaN }, false],
    ['infinity', [Number.POSITIVE_INFINITY], false],
    ['negative zero', { a: -0 }, false],
    ['a node reached twice', (() => { const shared = { x: 1 }; return { a: shared, b: shared }; })(), false],
    ['a sparse array', [1, , 3], false], // eslint-disable-line no-sparse-arrays
  ])('%s: JSON carries it exactly: %s', (_name, value, exact) => {
    expect(isJsonExact(value)).toBe(exact);
  });

  it('keeps values JSON would change, and the errors that stop a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-'));
    const file = path.join(dir, 'odd.yaml');
    fs.writeFileSync(file, 'a: .nan\nb: -0.0\nbase: &b {x: 1}\nc: *b\nd:\n  <<: *b\n  y: 2\n---\n__proto__: {polluted: true}\nkind: X\n');
    const f = { abs: file, rel: 'odd.yaml', shown: file };
    const docs = readDocuments(f, 1e6);
    const back = decodeReading(structuredClone(encodeDocuments(0, docs)))!;
    expect(back).toEqual(docs);
    const first = back[0].value as { a: number; b: number; c: object; base: object };
    expect(Object.is(first.b, -0)).toBe(true);
    expect(first.c).toBe(first.base);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(back[1].value as object)).toEqual(['__proto__', 'kind']);
    const err = new ManifestError('invalid YAML: bad', file, 7);
    expect(() => decodeReading(structuredClone(encodeError(3, err)))).toThrow(err);
    expect(decodeReading(encodeError(3, new TypeError('a defect')))).toBeUndefined();
  });
});

describe('a broken copy of dist/production', () => {
  const dir = copyDir(path.join(ROOT, 'dist', 'production'));
  edit(path.join(dir, 'api.yaml'), (t) => t.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true').replace(/runAsNonRoot: true/, 'runAsNonRoot: .nan'));
  edit(path.join(dir, 'network-policies.yaml'), (t) => t.split(/^---$/m).filter((_d, i) => i !== 2).join('---'));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [api.yaml]\n');
  fs.writeFileSync(path.join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: a\n  namespace: ctis-production\ndata:\n  copy:\n    <<: *m\n  same: *m\n');
  const env = loadEnvironment('production', CTIS_TOPOLOGY);

  it('gives the same objects, documents and report with the worker', () => {
    const { one, two } = bothWays(dir, env, CTIS_TOPOLOGY);
    expect(one.findings.length).toBeGreaterThan(3);
    expect(one.findings.some((f) => f.rule.startsWith('network-'))).toBe(true);
    expect(two).toEqual(one);
  });

  it('has the worker read every file when asked to, the same as here', () => {
    const files = filesOf(dir);
    const { readings, byWorker } = readInParallel(files, { maxBytes: 1e7, callerReads: false });
    expect(byWorker).toBe(files.length);
    expect(readings).toEqual(files.map((f) => readDocuments(f, 1e7)));
  });
});

describe('a worker that fails', () => {
  const dir = path.join(ROOT, 'dist', 'production');
  const files = filesOf(dir);
  const expected = files.map((f) => readDocuments(f, 1e7));
  const script = (code: string): string => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-')), 'worker.js');
    fs.writeFileSync(file, code);
    return file;
  };

  it('leaves every file to the calling thread when it does not start', () => {
    const { readings, byWorker } = readInParallel(files, { maxBytes: 1e7, script: script("throw new Error('cannot load');\n"), stallMs: 300, callerReads: false });
    expect(byWorker).toBe(0);
    expect(readings).toEqual(expected);
  });

  it('has the calling thread read what it claimed when it stops posting, without hanging', () => {
    // Claims the first file, then spins forever without posting it.
    const hang = script("const { workerData } = require('node:worker_threads');\nAtomics.add(new Int32Array(workerData.state), 0, 1);\nfor (;;);\n");
    const started = Date.now();
    const { readings, byWorker } = readInParallel(files, { maxBytes: 1e7, script: hang, stallMs: 300, callerReads: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(byWorker).toBe(0);
    expect(readings).toEqual(expected);
  });
});

describe('a broken synthetic stack over the size that starts a worker', () => {
  const topology = syntheticTopology({ components: 200 });
  const env = syntheticEnvironment(loadEnvironment('staging', CTIS_TOPOLOGY), topology);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-'));
  writeAtomically(path.join(out, 'stack'), renderAll(topology, [env]));
  const dir = path.join(out, 'stack', env.name);
  edit(path.join(dir, 'svc-0007.yaml'), (t) => t.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'));
  edit(path.join(dir, 'network-policies.yaml'), (t) => t.split(/^---$/m).filter((_d, i) => i !== 40).join('---'));
  const files = filesOf(dir);
  const bytes = files.reduce((n, f) => n + fs.statSync(f.abs).size, 0);

  it('is large enough that a command reads it on two threads unless the machine is overloaded', () => {
    expect(bytes).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const idle = os.availableParallelism() > 1 && os.loadavg()[0] < os.availableParallelism() + 1;
    expect(worthAWorker(files.map((f) => fs.statSync(f.abs).size))).toBe(idle);
    expect(worthAWorker(files.slice(0, 20).map((f) => fs.statSync(f.abs).size))).toBe(false);
  });

  it('gives the same report with the worker, sharing the files or reading them all', () => {
    const { one, two } = bothWays(dir, env, topology);
    expect(one.findings.length).toBeGreaterThan(1);
    expect(two).toEqual(one);
    const { readings, byWorker } = readInParallel(files, { maxBytes: 1e7, callerReads: false });
    expect(byWorker).toBe(files.length);
    expect(readings).toEqual(files.map((f) => readDocuments(f, 1e7)));
  });

  it.each([
    ['YAML that does not parse', 'svc-0150.yaml', (t: string) => t.replace(/^ {2}name: (.*)$/m, '  name: [$1')],
    ['a document that is not an object', 'svc-0151.yaml', (t: string) => `${t}---\n- just\n- a list\n`],
    ['a binary file', 'svc-0152.yaml', (t: string) => `${t}\u0000`],
  ])('stops at the first file in order on %s, as one line and exit 2', (_what, name, change) => {
    const broken = copyDir(dir);
    edit(path.join(broken, name), change);
    // A second, later problem: the first in file order is the one reported.
    edit(path.join(broken, 'svc-0190.yaml'), (t) => t.replace(/^kind: (.*)$/m, 'kind: [$1'));
    for (const collect of [undefined, () => undefined]) {
      const expected = errorOf(() => loadManifests(broken, { worker: false, onNotAnObject: collect }));
      const withWorker = errorOf(() => loadManifests(broken, { worker: true, onNotAnObject: collect }));
      expect([withWorker.message, withWorker.file, withWorker.line]).toEqual([expected.message, expected.file, expected.line]);
    }
    expect(errorOf(() => loadManifests(broken, { worker: true })).file).toBe(path.join(broken, name));
    const files = filesOf(broken);
    const plain = (r: unknown) => (r instanceof ManifestError ? r.describe() : r);
    const { readings, byWorker } = readInParallel(files, { maxBytes: 1e7, callerReads: false });
    expect(byWorker).toBe(files.length);
    expect(readings.map(plain)).toEqual(files.map((f) => plain(readOrError(f))));
    const expected = errorOf(() => loadManifests(broken, { worker: false, onNotAnObject: () => undefined }));
    const c = capture();
    expect(validate([broken, '--env', 'staging'], c.io)).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err).toEqual([`validate: ${expected.describe()}`]);
  });
});
