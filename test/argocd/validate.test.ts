import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../src/manifests';
import { gateErrors, isArgoCdObjectFile } from '../../src/synth/gate';
import { toYaml } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { argoCdRuleIds, validateArgoCd } from '../../src/validator';
import { generateApplications } from './appset-sim';
import { renderArgo, shippedEnvironments } from './support';

/**
 * The Argo CD output is judged by the validator's Argo CD rules, once per environment: in the
 * synth gate before anything is written, and here on the committed `dist/argocd` and on what
 * the ApplicationSet generates.
 */
const DIST = path.resolve(__dirname, '..', '..', 'dist');
const envs = shippedEnvironments();

function committedArgoObjects() {
  const dir = path.join(DIST, 'argocd');
  return fs
    .readdirSync(dir)
    .filter((f) => isArgoCdObjectFile(`argocd/${f}`) && f.endsWith('.yaml'))
    .flatMap((f) => parseManifests(fs.readFileSync(path.join(dir, f), 'utf8'), `argocd/${f}`));
}

test('the Argo CD rules are the delivery rules plus the generic schema and suppression checks', () => {
  expect(argoCdRuleIds()).toEqual(expect.arrayContaining(['argocd-immutable-revision', 'argocd-sync-window', 'schema-valid', 'suppression-needs-reason']));
});

test('the committed dist/argocd passes them for every environment', () => {
  const objects = committedArgoObjects();
  expect(objects.map((o) => o.object.kind).sort()).toEqual(['AppProject', 'Application', 'Application', 'Application', 'ApplicationSet']);
  const report = validateArgoCd(objects, { envs, topology: CTIS_TOPOLOGY });
  expect(report.findings).toEqual([]);
  expect(report.summary).toMatchObject({ errors: 0, objects: 5, environment: 'development, staging, production' });
});

test('so do the Applications the ApplicationSet generates', () => {
  const out = renderArgo(envs);
  const generated = generateApplications(out.applicationSet, out.repository);
  const objects = parseManifests(toYaml(generated), 'generated.yaml');
  expect(validateArgoCd(objects, { envs, topology: CTIS_TOPOLOGY }).findings).toEqual([]);
  // The check can fail: the same Applications with production on main.
  const onMain = generated.map((a) => (a.metadata.name === 'ctis-production' ? { ...a, spec: { ...a.spec, source: { ...a.spec.source, targetRevision: 'main' } } } : a));
  const findings = validateArgoCd(parseManifests(toYaml(onMain), 'generated.yaml'), { envs, topology: CTIS_TOPOLOGY }).findings;
  expect(findings.map((f) => [f.rule, f.resource])).toEqual([['argocd-immutable-revision', 'Application/argocd/ctis-production']]);
});

test('the synth gate refuses an Argo CD output whose production Application follows main, or whose project lost its window', () => {
  const files = new Map(renderArgo(envs).files);
  expect(gateErrors(files, envs, CTIS_TOPOLOGY)).toEqual([]);
  const ref = envs[2].argocd.delivery === 'promoted' ? envs[2].argocd.ref : '';
  files.set('argocd/applications.yaml', files.get('argocd/applications.yaml')!.replace(`targetRevision: ${ref}`, 'targetRevision: main'));
  files.set('argocd/project.yaml', files.get('argocd/project.yaml')!.replace(/\n {2}syncWindows:\n[\s\S]*$/, '\n'));
  const errors = gateErrors(files, envs, CTIS_TOPOLOGY);
  expect(errors.map((f) => [f.rule, f.file, f.resource])).toEqual([
    ['argocd-immutable-revision', 'argocd/applications.yaml', 'Application/argocd/ctis-production'],
    ['argocd-sync-window', 'argocd/project.yaml', 'AppProject/argocd/ctis'],
  ]);
});
