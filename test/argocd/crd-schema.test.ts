import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';
import { generateApplications } from './appset-sim';
import type { CustomResourceDefinition } from '../support/k8s';
import { renderArgo, shippedEnvironments, withArgo } from './support';

/**
 * The Argo CD objects against the `openAPIV3Schema` of the upstream CRDs. The CRDs live beside
 * the repository (`../shared/crds`), not in it: without them this suite is skipped, with the
 * reason in its title.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CRDS = path.resolve(REPO_ROOT, '..', 'shared', 'crds');
const FILES = { Application: 'argoproj.io_applications.yaml', AppProject: 'argoproj.io_appprojects.yaml', ApplicationSet: 'argoproj.io_applicationsets.yaml' };
const available = Object.values(FILES).every((f) => fs.existsSync(path.join(CRDS, f)));
const suite = available ? describe : describe.skip;

/**
 * The API server prunes unknown fields silently; here they are errors, so a misspelt field
 * cannot pass. Objects that preserve unknown fields keep doing so.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    s[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closed(pv)])) : closed(v);
  }
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
  return s;
}

suite(`Argo CD objects against the CRD schemas (needs ${CRDS})`, () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Kubernetes formats ajv-formats does not know are not checked.
  for (const f of ['int32', 'int64', 'int-or-string', 'byte', 'double', 'float']) ajv.addFormat(f, true);
  const validators = {} as Record<keyof typeof FILES, ValidateFunction>;
  // Read in a hook: a skipped suite's body still runs when jest collects the tests.
  beforeAll(() => {
    for (const [kind, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
      const crd = yaml.load(fs.readFileSync(path.join(CRDS, file), 'utf8')) as CustomResourceDefinition;
      const version = crd.spec.versions.find((v) => v.name === 'v1alpha1' && v.served)!;
      validators[kind] = ajv.compile(closed(version.schema.openAPIV3Schema) as object);
    }
  });

  /** What the CRD schema finds wrong with an object (which a test may have broken on purpose). */
  function problems(obj: object): string {
    const { kind, metadata } = obj as { kind: string; metadata?: { name?: string } };
    const validate = validators[kind as keyof typeof FILES];
    if (!validate) return `no CRD for ${kind}`;
    const ok = validate(obj);
    return ok ? '' : `${kind} ${metadata?.name}: ${ajv.errorsText(validate.errors)}`;
  }

  const envs = shippedEnvironments();
  const variants = {
    shipped: renderArgo(envs),
    'manual production sync of a release tag': renderArgo([envs[0], envs[1], withArgo(envs[2], { automatedSync: false, ref: 'v1.8.0' })]),
  };

  test.each(Object.entries(variants))('AppProject, Applications and ApplicationSet are valid (%s)', (_name, out) => {
    const objects = [out.project, ...out.applications, out.applicationSet];
    expect(objects.map((o) => o.kind)).toEqual(['AppProject', 'Application', 'Application', 'Application', 'ApplicationSet']);
    expect(objects.map(problems).filter(Boolean)).toEqual([]);
  });

  test('the Applications the ApplicationSet generates are valid', () => {
    const generated = generateApplications(variants.shipped.applicationSet, variants.shipped.repository);
    expect(generated).toHaveLength(3);
    expect(generated.map(problems).filter(Boolean)).toEqual([]);
  });

  test('the check can fail: a wrong type, a misspelt field and a missing required field are caught', () => {
    const app = variants.shipped.applications[0];
    const set = variants.shipped.applicationSet;
    expect(problems({ ...app, spec: { ...app.spec, revisionHistoryLimit: 'ten' } })).toMatch(/revisionHistoryLimit/);
    expect(problems({ ...app, spec: { ...app.spec, syncPolicy: { ...app.spec.syncPolicy, automatic: {} } } })).toMatch(/additional/);
    const { destination: _d, ...noDestination } = app.spec;
    expect(problems({ ...app, spec: noDestination })).toMatch(/destination/);
    expect(problems({ ...set, spec: { ...set.spec, goTemplate: 'yes' } })).toMatch(/goTemplate/);
    const [dirs, params] = set.spec.generators[0].matrix.generators;
    const misspelt = { git: { ...params.git, pathParamPrefx: params.git.pathParamPrefix } };
    expect(problems({ ...set, spec: { ...set.spec, generators: [{ matrix: { generators: [dirs, misspelt] } }] } })).toMatch(/generators/);
    const project = variants.shipped.project;
    expect(problems({ ...project, spec: { ...project.spec, orphanedResources: { warn: 'true' } } })).toMatch(/warn/);
  });
});
