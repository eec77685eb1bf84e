import * as fs from 'fs';
import * as path from 'path';
import { isClusterScoped, parseManifests } from '../../src/manifests';
import { convertCrds, CRD_FILES, formatCrdModels } from '../../src/validator/schema/crd-convert';
import { CRD_SCOPES } from '../../src/validator/schema/crd-schemas';
import { checkSchema, isKnownKind, kindStatus } from '../../src/validator/schema/check';

/**
 * The CRD schemas the validator checks are generated from the upstream CRDs beside the repository
 * (`../shared/crds`) and committed. Without that folder the in-step check is skipped.
 */
const CRDS = path.resolve(__dirname, '..', '..', '..', 'shared', 'crds');
const withUpstream = fs.existsSync(CRDS) ? test : test.skip;
const COMMITTED = path.resolve(__dirname, '..', '..', 'src', 'validator', 'schema', 'crd-models.json');

function issuesOf(yamlText: string) {
  const [o] = parseManifests(yamlText, 'x.yaml');
  const status = kindStatus(o.object.kind ?? '', o.object.apiVersion ?? '');
  if (!status.known) throw new Error(`${o.object.kind} ${o.object.apiVersion} is not known`);
  return checkSchema(o.object, status.schema).map((i) => `${i.structural ? 'structural' : 'unknown'}: ${i.message}`);
}

describe('generated CRD schemas', () => {
  withUpstream('crd-models.json is what the generator makes of the upstream CRDs (regenerate: see generate-crds.ts)', () => {
    const files = new Map(CRD_FILES.map((f) => [f, fs.readFileSync(path.join(CRDS, f), 'utf8')]));
    expect(fs.readFileSync(COMMITTED, 'utf8')).toBe(formatCrdModels(convertCrds(files)));
  });

  test('cover the kinds the project emits or will emit', () => {
    for (const kind of [
      'ExternalSecret', 'Certificate', 'Gateway', 'HTTPRoute', 'Middleware', 'TLSOption', 'Application', 'AppProject', 'ApplicationSet',
      'Rollout', 'AnalysisTemplate', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule',
    ]) {
      expect({ kind, known: isKnownKind(kind) }).toEqual({ kind, known: true });
    }
  });

  test('agree with the reading layer about which kinds are cluster-scoped', () => {
    const disagree = Object.entries(CRD_SCOPES).filter(([kind, scope]) => isClusterScoped(kind) !== (scope === 'Cluster'));
    expect(disagree).toEqual([]);
    expect(CRD_SCOPES.ClusterSecretStore).toBe('Cluster');
  });

  test('serve the versions the CRDs serve', () => {
    expect(kindStatus('Rollout', 'argoproj.io/v1alpha1').known).toBe(true);
    expect(kindStatus('HTTPRoute', 'gateway.networking.k8s.io/v1beta1').known).toBe(true);
    expect(kindStatus('ServiceMonitor', 'monitoring.coreos.com/v1alpha1')).toEqual({ known: false, reason: 'unserved', served: ['monitoring.coreos.com/v1'] });
  });

  test('check a Rollout pod template as deeply as the CRD describes it', () => {
    const rollout = (container: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api, namespace: ctis-production}
spec:
  selector: {matchLabels: {app: api}}
  strategy: {blueGreen: {activeService: api, previewService: api-preview}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - ${container}
`;
    expect(issuesOf(rollout('{name: api, image: "api:1.0", ports: [{containerPort: 8080}]}'))).toEqual([]);
    expect(issuesOf(rollout('{name: api, image: "api:1.0", imagePullPolicey: Always}'))).toEqual([
      'unknown: unknown field spec.template.spec.containers[0].imagePullPolicey',
    ]);
    expect(issuesOf(rollout('{name: api, image: "api:1.0", ports: [{containerPort: "8080"}]}'))).toEqual([
      'structural: spec.template.spec.containers[0].ports[0].containerPort must be an integer, not a string ("8080")',
    ]);
  });

  test('check enums, required fields and maps of the monitoring kinds', () => {
    const monitor = (endpoint: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, namespace: ctis-production}
spec:
  selector: {matchLabels: {app: api}}
  endpoints:
    - ${endpoint}
`;
    expect(issuesOf(monitor('{port: metrics, interval: 30s, scheme: https}'))).toEqual([]);
    expect(issuesOf(monitor('{port: metrics, scheme: ftp}'))[0]).toMatch(/^structural: spec\.endpoints\[0\]\.scheme must be one of .*"https".*, not a string \("ftp"\)$/);
    expect(issuesOf('apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n    - {rules: []}\n')).toEqual([
      'structural: spec.groups[0].name is required',
    ]);
  });

  test('do not check status, which the API server ignores on create', () => {
    expect(issuesOf('apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: p}\nspec: {}\nstatus: {anything: [1, 2]}\n')).toEqual([]);
  });
});
