import fc from 'fast-check';
import * as yaml from 'js-yaml';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  fieldLine,
  LoadedObject,
  loadManifests,
  ManifestError,
  namespaceLabels,
  parseManifests,
} from '../../src/manifests';

function tmpDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}

function expectError(fn: () => unknown, match: RegExp, line?: number, file?: RegExp): ManifestError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    const err = e as ManifestError;
    expect(err.message).toMatch(match);
    if (line !== undefined) expect(err.line).toBe(line);
    if (file) expect(err.file).toMatch(file);
    return err;
  }
  throw new Error('expected a ManifestError');
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: api:1.0
        ports:
        - name: http
          containerPort: 8080
      - name: sidecar
        image: side:1.0
`;

describe('parseManifests', () => {
  it('reads multi-document YAML with document start lines and keys', () => {
    const text = `# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: prod
---
---
# only a comment
---
${deployment}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  namespace: ignored
`;
    const objs = parseManifests(text, 'all.yaml');
    expect(objs.map((o) => o.key)).toEqual(['Namespace//prod', 'Deployment/prod/api', 'ClusterRole//reader']);
    expect(objs.map((o) => o.location)).toEqual([
      { file: 'all.yaml', line: 2 },
      { file: 'all.yaml', line: 10 },
      { file: 'all.yaml', line: 30 },
    ]);
  });

  it('uses Kind//name when the namespace is missing', () => {
    const [o] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'c.yaml');
    expect(o.key).toBe('ConfigMap//c');
  });

  it('keeps timestamps and YAML 1.1 booleans as strings and supports merge keys', () => {
    const [o] = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: c, annotations: {d: 2024-01-01}}\ndata:\n  <<: {a: "1"}\n  b: yes\n',
      'c.yaml',
    );
    expect(o.object.metadata?.annotations?.d).toBe('2024-01-01');
    expect(o.object.data).toEqual({ a: '1', b: 'yes' });
  });

  it('handles a document that starts on the marker line and `...` ends', () => {
    const text = '--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n...\n%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n';
    const objs = parseManifests(text, 'x.yaml');
    expect(objs.map((o) => [o.key, o.location.line])).toEqual([
      ['ConfigMap//a', 1],
      ['ConfigMap//b', 5],
    ]);
  });

  it('flattens List kinds with item lines, inferring kind of typed-list items', () => {
    const text = `apiVersion: v1
kind: PodList
items:
- metadata:
    name: p1
    namespace: ns
  spec: {}
# comment
- apiVersion: v1
  kind: Pod
  metadata:
    name: p2
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: ns}
  - apiVersion: v1
    kind: List
    items:
    - {apiVersion: v1, kind: ConfigMap, metadata: {name: nested}}
`;
    const objs = parseManifests(text, 'l.yaml');
    expect(objs.map((o) => [o.key, o.location.line])).toEqual([
      ['Pod/ns/p1', 4],
      ['Pod//p2', 9],
      ['Service/ns/s', 17],
      ['ConfigMap//nested', 23],
    ]);
    expect(objs[0].object.apiVersion).toBe('v1');
    expect(fieldLine(objs[0], ['metadata', 'namespace'])).toBe(6);
    expect(fieldLine(objs[1], ['metadata', 'name'])).toBe(12);
  });

  it.each([
    ['duplicate keys', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n', /duplicated mapping key/, 5],
    ['broken YAML', 'apiVersion: v1\nkind: ConfigMap\ndata: [a,\n', /invalid YAML/, 4],
    ['a scalar document', 'apiVersion: v1\nkind: ConfigMap\n---\njust text\n', /not a mapping/, 4],
    ['a sequence document', '- a\n- b\n', /not a mapping/, 1],
    ['no apiVersion', '---\n\nkind: ConfigMap\n', /no apiVersion/, 3],
    ['no kind', 'apiVersion: v1\nmetadata: {}\n', /no kind/, 1],
    ['a List item that is not an object', 'apiVersion: v1\nkind: List\nitems:\n- 3\n', /item 0 of List/, 4],
  ])('rejects %s with the line', (_what, text, match, line) => {
    expectError(() => parseManifests(text, 'bad.yaml'), match, line, /^bad\.yaml$/);
  });

  it('reports errors in later documents with the file line', () => {
    const text = `${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n`;
    expectError(() => parseManifests(text, 'f.yaml'), /duplicated/, 25);
  });

  it('formats errors as file:line: message', () => {
    const err = expectError(() => parseManifests('a: [\n', 'f.yaml'), /invalid YAML/);
    expect(err.describe()).toMatch(/^f\.yaml:\d+: invalid YAML: /);
  });
});

describe('fieldLine', () => {
  const [dep] = parseManifests(`# header\n${deployment}`, 'd.yaml');

  it('finds nested mapping and sequence fields', () => {
    expect(dep.location.line).toBe(2);
    expect(fieldLine(dep, ['kind'])).toBe(3);
    expect(fieldLine(dep, ['metadata', 'namespace'])).toBe(6);
    expect(fieldLine(dep, ['spec', 'template', 'metadata', 'labels', 'app'])).toBe(11);
    expect(fieldLine(dep, ['spec', 'template', 'spec', 'containers', 0])).toBe(14);
    expect(fieldLine(dep, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(15);
    expect(fieldLine(dep, ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'])).toBe(18);
    expect(fieldLine(dep, ['spec', 'template', 'spec', 'containers', 1, 'image'])).toBe(20);
  });

  it('falls back to the deepest found ancestor, then to the document line', () => {
    expect(fieldLine(dep, ['spec', 'template', 'spec', 'containers', 5])).toBe(13);
    expect(fieldLine(dep, ['spec', 'nothing'])).toBe(7);
    expect(fieldLine(dep, ['nothing'])).toBe(2);
  });

  it('does not confuse keys of nested mappings or later siblings', () => {
    const [o] = parseManifests(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    name: label\n  name: real\nspec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: "1"\n    image: i\n',
      'p.yaml',
    );
    expect(fieldLine(o, ['metadata', 'name'])).toBe(6);
    expect(fieldLine(o, ['spec', 'containers', 0, 'image'])).toBe(13);
    expect(fieldLine(o, ['spec', 'containers', 0, 'env', 0, 'value'])).toBe(12);
  });

  it('finds keys in JSON documents', () => {
    const [o] = parseManifests(
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {\n    "name": "p"\n  },\n  "spec": {\n    "containers": []\n  }\n}\n',
      'p.json',
    );
    expect(fieldLine(o, ['spec', 'containers'])).toBe(8);
  });

  it('returns the location line for objects it did not load', () => {
    const fake: LoadedObject = {
      object: { apiVersion: 'v1', kind: 'Pod' },
      location: { file: 'x', line: 7 },
      key: 'Pod//x',
    };
    expect(fieldLine(fake, ['spec'])).toBe(7);
  });
});

describe('loadManifests', () => {
  it('reads .yaml, .yml and .json files recursively in sorted order, relative posix paths', () => {
    const dir = tmpDir({
      'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'a/z.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n',
      'a/y.json': '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "y"}\n}\n',
      'readme.md': 'not a manifest',
      'empty.yaml': '',
    });
    const objs = loadManifests(dir);
    expect(objs.map((o) => `${o.location.file}:${o.location.line}:${o.key}`)).toEqual([
      'a/y.json:1:ConfigMap//y',
      'a/z.yml:1:ConfigMap//z',
      'b.yaml:1:ConfigMap//b',
    ]);
  });

  it('accepts a single file', () => {
    const dir = tmpDir({ 'one.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' });
    expect(loadManifests(path.join(dir, 'one.yaml'))[0].location.file).toBe('one.yaml');
  });

  it('reports errors with the file joined to the directory and the line', () => {
    const dir = tmpDir({ 'sub/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n' });
    const err = expectError(() => loadManifests(dir), /duplicated mapping key/, 5);
    expect(err.file).toBe(path.join(dir, 'sub', 'bad.yaml'));
  });

  it('rejects binary files', () => {
    const nul = tmpDir({ 'x.yaml': Buffer.from('apiVersion: v1\nkind: \u0000\n') });
    expectError(() => loadManifests(nul), /binary file/, 2);
    const bad = tmpDir({ 'x.yaml': Buffer.concat([Buffer.from('a: 1\nb: 2\nc: '), Buffer.from([0xff, 0xfe, 0x41])]) });
    expectError(() => loadManifests(bad), /not valid UTF-8/, 3);
  });

  it('rejects files over the size limit', () => {
    const dir = tmpDir({ 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' });
    expectError(() => loadManifests(dir, { maxFileBytes: 10 }), /over the limit of 10 bytes/);
  });

  it('rejects unreadable paths and directories without manifests', () => {
    expectError(() => loadManifests('/nonexistent/path/for/test'), /no such file/, undefined, /nonexistent/);
    expectError(() => loadManifests(tmpDir({ 'notes.txt': 'x' })), /no manifests found/);
    expectError(() => loadManifests(tmpDir({ 'x.yaml': '---\n# nothing\n' })), /no manifests found/);
  });

  it('hands documents that are not Kubernetes objects to onNotAnObject and reads the rest', () => {
    const dir = tmpDir({
      'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nreplicas: 3\n---\n- x\n',
      'kustomization.yaml': 'resources:\n  - a.yaml\n',
      'list.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n  - oops\n',
      'values.json': '[1, 2]\n',
    });
    expectError(() => loadManifests(dir), /document has no apiVersion/, 5, /a\.yaml$/);
    const seen: { file: string; line: number; reason: string }[] = [];
    const objects = loadManifests(dir, { onNotAnObject: (d) => seen.push({ file: d.file, line: d.line, reason: d.reason }) });
    expect(objects.map((o) => o.key)).toEqual(['ConfigMap//a', 'ConfigMap//b']);
    expect(seen).toEqual([
      { file: 'a.yaml', line: 5, reason: 'document has no apiVersion' },
      { file: 'a.yaml', line: 7, reason: 'document is a sequence, not a mapping (a Kubernetes object)' },
      { file: 'kustomization.yaml', line: 1, reason: 'document has no apiVersion' },
      { file: 'list.yaml', line: 5, reason: 'item 1 of List is a string, not a mapping (a Kubernetes object)' },
      { file: 'values.json', line: 1, reason: 'document is a sequence, not a mapping (a Kubernetes object)' },
    ]);
    // A directory of such documents only is not an error then: there is something to report.
    expect(loadManifests(tmpDir({ 'kustomization.yaml': 'resources: []\n' }), { onNotAnObject: () => {} })).toEqual([]);
  });

  it('survives symbolic link cycles', () => {
    const dir = tmpDir({ 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' });
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    expect(loadManifests(dir)).toHaveLength(1);
  });
});

describe('namespaceLabels', () => {
  it('adds the implied kubernetes.io/metadata.name label', () => {
    expect(namespaceLabels({ metadata: { name: 'prod', labels: { team: 'a' } } })).toEqual({
      team: 'a',
      'kubernetes.io/metadata.name': 'prod',
    });
  });
});

describe('fieldLine (property)', () => {
  // Random nested documents dumped by js-yaml in block style: every key path must resolve to a
  // line that holds that key.
  const key = fc.constantFrom('name', 'image', 'ports', 'spec', 'labels', 'app', 'value', 'items', 'x-y', 'a.b/c');
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      fc.array(tie('node'), { maxLength: 3 }),
    ),
  })).node;

  function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(v)) return v.flatMap((x, i) => [[...prefix, i], ...paths(x, [...prefix, i])]);
    if (v && typeof v === 'object') {
      return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]);
    }
    return [];
  }

  it('finds the line of every key', () => {
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 4 }), (body) => {
        const doc = { apiVersion: 'v1', kind: 'ConfigMap', ...body };
        const text = yaml.dump(doc, { noCompatMode: true });
        const [o] = parseManifests(text, 'p.yaml');
        const lines = text.split('\n');
        for (const p of paths(body)) {
          const last = p[p.length - 1];
          const line = fieldLine(o, p);
          expect(line).toBeGreaterThanOrEqual(1);
          if (typeof last === 'string') {
            expect(lines[line - 1]).toContain(`${last}:`);
          } else {
            expect(lines[line - 1]).toMatch(/^\s*(- )+|^\s*-$/);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
