import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderAll, renderAllObjects } from '../../charts/app';
import { main } from '../../src/cli/synth';
import { loadAllEnvironments } from '../../src/config/load';
import { fieldLine, KubeObject, LoadedObject, parseManifests, parseYamlDocuments, readWrittenManifests } from '../../src/manifests';
import { RenderedFiles, RenderedObjects, StackRenderer, textsOf, writeFiles } from '../../src/synth';
import { gateErrors } from '../../src/synth/gate';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';

const envs = loadAllEnvironments(CTIS_TOPOLOGY);
const fresh = renderAll(CTIS_TOPOLOGY, envs);

/** The fresh render with one file's text edited. */
function tampered(file: string, edit: (text: string) => string) {
  const files = new Map(fresh);
  const before = files.get(file)!;
  const after = edit(before);
  expect(after).not.toBe(before);
  files.set(file, after);
  return files;
}

/** Freezes a value and everything it holds. */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** A renderer whose output, once written, is `files` (its documents, parameter files included). */
function renders(files: RenderedFiles): StackRenderer {
  return () => new Map([...files].map(([rel, text]) => [rel, parseYamlDocuments(text, rel).map((d) => d.value as KubeObject)]));
}

const ALLOW_ALL_TO_APP_SERVER = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: debug-open
  namespace: ctis-production
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: app-server
  ingress:
    - {}
`;

describe('the synth gate', () => {
  test('passes what the generator renders', () => {
    expect(gateErrors(fresh, envs, CTIS_TOPOLOGY)).toEqual([]);
  });

  test('reports a privilege escalation with the file and resource', () => {
    const files = tampered('production/api.yaml', (t) => t.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'));
    const errors = gateErrors(files, envs, CTIS_TOPOLOGY);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors).toEqual(
      expect.arrayContaining([
        // production releases api blue-green: the Rollout carries the pod template.
        expect.objectContaining({ rule: 'pod-security-restricted', file: 'production/api.yaml', resource: 'Rollout/ctis-production/api' }),
      ]),
    );
  });

  test('reports a policy that opens app-server to every pod', () => {
    const files = tampered('production/network-policies.yaml', (t) => t + ALLOW_ALL_TO_APP_SERVER);
    const errors = gateErrors(files, envs, CTIS_TOPOLOGY);
    expect(errors.some((f) => f.rule === 'network-extra-connection' && /app-server/.test(f.message))).toBe(true);
  });

  test('reads the files it wrote as the validator reads them from disk, without parsing them again', () => {
    // The rendered objects, broken in ways several rules see, with a multi-line string and a multi-line key (a document js-yaml writes).
    const objects: RenderedObjects = renderAllObjects(CTIS_TOPOLOGY, envs);
    const api = objects.get('production/api.yaml')!;
    const broken = JSON.parse(JSON.stringify(api)) as KubeObject[];
    for (const o of broken) {
      const spec = (o as { spec?: { template?: { spec?: { containers?: Array<Record<string, unknown>> } } } }).spec?.template?.spec;
      for (const c of spec?.containers ?? []) {
        c.image = 'api:latest';
        c.securityContext = { ...(c.securityContext as object), allowPrivilegeEscalation: true };
      }
    }
    broken.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: 'ctis-production' }, data: { 'a.txt': 'one\ntwo\n', 'b\nc': 'x' } });
    objects.set('production/api.yaml', broken);
    // Frozen: the gate judges the very objects that were written, so nothing may change them.
    for (const docs of objects.values()) deepFreeze(docs);
    const written = writeFiles(objects);
    const texts = textsOf(written);
    expect(written.get('production/api.yaml')!.values.filter((v) => v === undefined)).toHaveLength(1);

    // File by file (the gate's and the parameter files, which are not objects): the same
    // objects, keys, locations and field lines, or the same error.
    const view = (o: LoadedObject) => ({ key: o.key, location: o.location, object: o.object, lines: [fieldLine(o, ['metadata', 'name']), fieldLine(o, ['spec', 'template', 'spec', 'containers', 0, 'image'])] });
    const outcome = (read: () => LoadedObject[]) => {
      try {
        return read().map(view);
      } catch (e) {
        return String(e);
      }
    };
    for (const [rel, file] of written) {
      const direct = outcome(() => readWrittenManifests(file.text, rel, file.values));
      expect([rel, direct]).toEqual([rel, outcome(() => parseManifests(texts.get(rel)!, rel))]);
    }
    // And the gate's findings, lines included.
    const errors = gateErrors(written, envs, CTIS_TOPOLOGY);
    expect(errors.length).toBeGreaterThan(1);
    expect(errors).toEqual(gateErrors(texts, envs, CTIS_TOPOLOGY));
  });

  test('stops the swap: errors are printed and the previous output stays byte-identical', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-gate-'));
    const dist = path.join(out, 'dist');
    const captured = { lines: [] as string[] };
    const line = { write: (t: string) => captured.lines.push(t.replace(/\n$/, '')) };
    const io = { stdout: line, stderr: line };
    try {
      expect(main(['--out', dist], io, renderAllObjects)).toBe(0);
      const before = fs.readFileSync(path.join(dist, 'production', 'api.yaml'), 'utf8');
      const broken = renders(tampered('production/api.yaml', (t) => t.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true')));
      captured.lines = [];
      expect(main(['--out', dist], io, broken)).toBe(1);
      expect(captured.lines.some((l) => /dist\/production\/api\.yaml:\d+: pod-security-restricted: Rollout\/ctis-production\/api/.test(l))).toBe(true);
      expect(captured.lines[captured.lines.length - 1]).toMatch(/nothing was written/);
      expect(fs.readFileSync(path.join(dist, 'production', 'api.yaml'), 'utf8')).toBe(before);
      expect(fs.readdirSync(out)).toEqual(['dist']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
