import * as fs from 'fs';
import * as path from 'path';
import { diffSets, formatText, fromDirectory, fromRenderedFiles, fromRenderedObjects, hasChanges } from '../../src/review';
import { loadAllEnvironments } from '../../src/config/load';
import { renderAllObjects } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { editFile, freshRender, runDiff, writeDist } from './support';
import { ofKind } from '../support/k8s';

/**
 * Drift check: the committed `dist/` must be exactly what the sources render, or Argo CD
 * deploys something nobody reviewed. CI runs `npm test`, so a stale or hand-edited `dist/`
 * fails the build with the list of resources that differ. Fix: `npm run synth` and commit.
 */
const DIST = path.resolve(__dirname, '..', '..', 'dist');

test('committed dist/ is what the sources render', () => {
  const report = diffSets({ label: 'committed dist/', set: fromDirectory(DIST) }, { label: 'a fresh render', set: fromRenderedFiles(freshRender()) });
  if (hasChanges(report)) {
    throw new Error(`dist/ is stale: run \`npm run synth\` and commit the result.\n\n${formatText(report)}`);
  }
});

test('committed dist/ is byte for byte what synth writes', () => {
  const files = freshRender();
  const stale = [...files].filter(([rel, text]) => {
    const file = path.join(DIST, rel);
    return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
  });
  expect(stale.map(([rel]) => `dist/${rel} differs from what \`npm run synth\` writes`)).toEqual([]);
});

test('the rendered objects index as the files synth writes, read back', () => {
  // npm run diff compares against the objects, without writing and parsing them.
  const rendered = renderAllObjects(CTIS_TOPOLOGY, loadAllEnvironments(CTIS_TOPOLOGY));
  const fromObjects = fromRenderedObjects(rendered);
  expect(fromObjects).toStrictEqual(fromRenderedFiles(freshRender()));
  expect([...fromObjects.values()].reduce((n, m) => n + m.size, 0)).toBeGreaterThan(100);
});

describe('the drift check itself', () => {
  test('passes on a fresh render', () => {
    const dist = writeDist(freshRender());
    expect(runDiff('--dist', dist, '--working-tree')).toMatchObject({ code: 0, err: '' });
  });

  test('fails on a hand-edited file, naming the resource and the field', () => {
    const edited = editFile(freshRender(), 'staging/app-server.yaml', (docs) => {
      ofKind(docs, 'Deployment')[0].spec.template.spec.containers[0].resources.limits.memory = '4Gi';
      return docs;
    });
    const dist = writeDist(edited);
    const r = runDiff('--dist', dist, '--working-tree');
    expect(r.code).toBe(1);
    expect(r.out).toContain('staging: 0 added, 0 removed, 1 changed');
    expect(r.out).toContain('~ apps/v1 Deployment ctis-staging/app-server  (staging/app-server.yaml)');
    expect(r.out).toContain(
      ['spec.template.spec.containers[name=app-server].resources.limits.memory', '        - 4Gi', '        + 1Gi'].join('\n'),
    );
  });

  test('fails on a deleted or an extra file', () => {
    const files = new Map(freshRender());
    files.delete('production/frontend.yaml');
    files.set('production/debug.yaml', '---\napiVersion: v1\nkind: Pod\nmetadata: {name: debug, namespace: ctis-production}\n');
    const r = runDiff('--dist', writeDist(files), '--env', 'production', '--working-tree');
    expect(r.code).toBe(1);
    // What a fresh synth would bring back, and what it would drop.
    expect(r.out).toMatch(/^ {2}\+ argoproj\.io\/v1alpha1 Rollout ctis-production\/frontend {2}\(production\/frontend\.yaml\)$/m);
    expect(r.out).toMatch(/^ {2}- v1 Pod ctis-production\/debug {2}\(production\/debug\.yaml\)$/m);
  });
});
