import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as yaml from 'js-yaml';
import { CustomResourceDefinition, ofKind } from '../support/k8s';
import { ENVIRONMENTS, Manifest, renderManifests, shippedEnv, withProfile, PROFILES } from '../support/render';

/**
 * Cross-checks rendered core objects against the published Kubernetes OpenAPI definitions
 * and our CRDs. The definitions live beside the repository (`../shared`), not in it: without
 * them this suite is skipped, with the reason in its title.
 */
const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
const SCHEMAS = path.join(SHARED, 'schemas', 'kubernetes');
const CRDS = path.join(SHARED, 'crds');
const available = fs.existsSync(SCHEMAS) && fs.existsSync(CRDS);
const suite = available ? describe : describe.skip;

const GROUP_PREFIX: Record<string, string> = {
  v1: 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'autoscaling/v2': 'io.k8s.api.autoscaling.v2',
  'policy/v1': 'io.k8s.api.policy.v1',
  'networking.k8s.io/v1': 'io.k8s.api.networking.v1',
  'admissionregistration.k8s.io/v1': 'io.k8s.api.admissionregistration.v1',
};

/** apiVersions a Kubernetes release does not serve yet: admission policies at v1 need 1.30. */
const NOT_YET_SERVED: Record<string, string[]> = { 'v1.28.0': ['admissionregistration.k8s.io/v1'] };

/** Every manifest of every environment under every edge profile. */
function allManifests(): ReturnType<typeof renderManifests> {
  const out: ReturnType<typeof renderManifests> = [];
  for (const env of ENVIRONMENTS) for (const p of PROFILES) out.push(...renderManifests(withProfile(shippedEnv(env), p)));
  return out;
}

/** CRD patterns are Go regular expressions: a leading `(?i)` (also after `^`) is the case-insensitive flag. */
function goRegExp(pattern: string, flags: string): RegExp {
  const m = /^(\^?)\(\?i\)/.exec(pattern);
  return new RegExp(m ? m[1] + pattern.slice(m[0].length) : pattern, m ? `${flags}i` : flags);
}
goRegExp.code = 'goRegExp';

function strictCopy(schema: unknown): unknown {
  // The published definitions allow unknown fields; forbid them so a typo cannot pass (the API
  // server would drop it silently). Subtrees a CRD keeps unknown fields of stay open.
  if (Array.isArray(schema)) return schema.map(strictCopy);
  if (!schema || typeof schema !== 'object') return schema;
  const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strictCopy(pv)])) : strictCopy(v)]));
  const open = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s.properties && s.additionalProperties === undefined && !open) s.additionalProperties = false;
  return s;
}

suite(`rendered objects against Kubernetes OpenAPI definitions and CRDs (needs ${SHARED})`, () => {
  const manifests: Manifest[] = allManifests().map(({ __file, ...m }) => m);

  test.each(['v1.28.0', 'v1.31.0', 'v1.34.0'])('core kinds are valid for Kubernetes %s', (version) => {
    const defs = (JSON.parse(fs.readFileSync(path.join(SCHEMAS, version, '_definitions.json'), 'utf8')) as { definitions: Record<string, unknown> }).definitions;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    // Quantities and IntOrString are strings or numbers in JSON.
    defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { type: ['string', 'number'] };
    defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { type: ['string', 'integer'] };
    ajv.addSchema({ $id: 'k8s', definitions: strictCopy(defs) });
    let checked = 0;
    const kinds = new Set<string>();
    for (const m of manifests) {
      const prefix = GROUP_PREFIX[m.apiVersion];
      if (!prefix) continue;
      if (NOT_YET_SERVED[version]?.includes(m.apiVersion)) {
        // The published definitions of that release lack the kind: the documented minimum holds.
        expect(defs[`${prefix}.${m.kind}`]).toBeUndefined();
        continue;
      }
      kinds.add(`${m.apiVersion} ${m.kind}`);
      const validate = ajv.getSchema(`k8s#/definitions/${prefix}.${m.kind}`);
      expect(validate).toBeDefined();
      const ok = validate!(m);
      if (!ok) throw new Error(`${m.kind}/${m.metadata.name}: ${ajv.errorsText(validate!.errors)}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    if (!NOT_YET_SERVED[version]) {
      expect([...kinds]).toEqual(expect.arrayContaining(['admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding']));
    }
    // The check can fail: a misspelt field and a wrong type are caught.
    const deployment = ofKind(manifests, 'Deployment')[0];
    const check = ajv.getSchema('k8s#/definitions/io.k8s.api.apps.v1.Deployment')!;
    expect(check({ ...deployment, spec: { ...deployment.spec, replicaz: 2 } })).toBe(false);
    expect(check({ ...deployment, spec: { ...deployment.spec, revisionHistoryLimit: 'five' } })).toBe(false);
  });

  test('custom resources are valid for the served version of their CRD', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
    const schemas = new Map<string, object>();
    for (const file of fs.readdirSync(CRDS).filter((f) => f.endsWith('.yaml'))) {
      const crd = yaml.load(fs.readFileSync(path.join(CRDS, file), 'utf8')) as CustomResourceDefinition;
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        // Argo Rollouts objects are typed by hand (src/constructs/rollout.ts): check them strictly.
        const schema = crd.spec.group === 'argoproj.io' && ['Rollout', 'AnalysisTemplate'].includes(crd.spec.names.kind) ? (strictCopy(v.schema.openAPIV3Schema) as object) : v.schema.openAPIV3Schema;
        schemas.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, schema);
      }
    }
    // Compile only the versions the output uses: the large CRDs take seconds each.
    const validators = new Map<string, ReturnType<Ajv['compile']>>();
    const validatorFor = (key: string) => {
      if (!validators.has(key) && schemas.has(key)) validators.set(key, ajv.compile(schemas.get(key)!));
      return validators.get(key);
    };
    const kinds = new Set<string>();
    for (const m of manifests) {
      if (GROUP_PREFIX[m.apiVersion]) continue;
      const key = `${m.apiVersion} ${m.kind}`;
      const validate = validatorFor(key);
      if (!validate) throw new Error(`no served CRD version for ${key}`);
      if (!validate(m)) throw new Error(`${key} ${m.metadata.name}: ${ajv.errorsText(validate.errors)}`);
      kinds.add(key);
    }
    // The check can fail: a misspelt Rollout field and a wrong type are caught.
    const rollout = ofKind(manifests, 'Rollout')[0];
    const checkRollout = validatorFor('argoproj.io/v1alpha1 Rollout')!;
    const blueGreen = rollout.spec.strategy.blueGreen;
    expect(checkRollout(rollout)).toBe(true);
    expect(checkRollout({ ...rollout, spec: { ...rollout.spec, strategy: { blueGreen: { ...blueGreen, scaleDownDelaySecond: 30 } } } })).toBe(false);
    expect(checkRollout({ ...rollout, spec: { ...rollout.spec, strategy: { blueGreen: { ...blueGreen, autoPromotionEnabled: 'no' } } } })).toBe(false);
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'argoproj.io/v1alpha1 AnalysisTemplate',
        'argoproj.io/v1alpha1 Rollout',
        'cert-manager.io/v1 Certificate',
        'external-secrets.io/v1 ExternalSecret',
        'gateway.networking.k8s.io/v1 Gateway',
        'gateway.networking.k8s.io/v1 HTTPRoute',
        'monitoring.coreos.com/v1 PodMonitor',
        'monitoring.coreos.com/v1 PrometheusRule',
        'traefik.io/v1alpha1 Middleware',
        'traefik.io/v1alpha1 TLSOption',
      ]),
    );
  });
});
