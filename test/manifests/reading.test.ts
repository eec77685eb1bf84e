import {
  controllerOf,
  effectiveNamespace,
  ingressBackends,
  isClusterScoped,
  listManifestFiles,
  parseManifests,
  podTemplateOf,
  routeBackends,
  workloadRefOf,
} from '../../src/manifests';
import { analyzeConnectivity } from '../../src/netpol';
import { validateObjects } from '../../src/validator';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { env } from '../validator/fixtures';

const podSpec = { containers: [{ name: 'app', image: 'app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: podSpec });

describe('pod templates', () => {
  test.each([
    ['apps/v1', 'Deployment', { template: template('d') }, ['spec', 'template'], 'd'],
    ['v1', 'ReplicationController', { template: template('rc') }, ['spec', 'template'], 'rc'],
    ['batch/v1', 'CronJob', { jobTemplate: { spec: { template: template('cj') } } }, ['spec', 'jobTemplate', 'spec', 'template'], 'cj'],
    ['argoproj.io/v1alpha1', 'Rollout', { template: template('ro') }, ['spec', 'template'], 'ro'],
  ])('%s %s keeps its template at the documented path', (apiVersion, kind, spec, where, app) => {
    const t = podTemplateOf({ apiVersion, kind, spec });
    expect(t?.path).toEqual(where);
    expect(t?.metadata.labels).toEqual({ app });
    expect(t?.spec).toEqual(podSpec);
  });

  test('a bare Pod is its own template; a kind of another API group is no workload', () => {
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: podSpec })?.path).toEqual([]);
    expect(podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template: template('x') } })).toBeUndefined();
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'ConfigMap' })).toBeUndefined();
  });

  test('a Rollout may name the Deployment whose template it runs', () => {
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' } } };
    expect(podTemplateOf(rollout)).toBeUndefined();
    expect(workloadRefOf(rollout)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
    expect(workloadRefOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { workloadRef: { kind: 'Deployment', name: 'x' } } })).toBeUndefined();
  });

  test('the controller of a Pod is the owner reference marked controller, else the first', () => {
    const owners = [{ kind: 'ReplicaSet', name: 'a' }, { kind: 'Job', name: 'b', controller: true }];
    expect(controllerOf({ metadata: { ownerReferences: owners } })).toEqual({ kind: 'Job', name: 'b' });
    expect(controllerOf({ metadata: { ownerReferences: [owners[0]] } })).toEqual({ kind: 'ReplicaSet', name: 'a' });
    expect(controllerOf({ metadata: {} })).toBeUndefined();
  });
});

describe('route backends', () => {
  test('an Ingress names its Services in either form', () => {
    const current = { spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, rules: [{ host: 'a.example', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }] } };
    expect(ingressBackends(current).map(({ service, port, servicePath, hosts, urlPath }) => ({ service, port, servicePath, hosts, urlPath }))).toEqual([
      { service: 'web', port: 80, servicePath: ['spec', 'defaultBackend', 'service'], hosts: [], urlPath: '/' },
      { service: 'api', port: 'http', servicePath: ['spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service'], hosts: ['a.example'], urlPath: '/api' },
    ]);
    const old = { spec: { backend: { serviceName: 'web', servicePort: 80 }, rules: [{ http: { paths: [{ backend: { serviceName: 'api', servicePort: 'http' } }] } }] } };
    expect(ingressBackends(old).map(({ service, port, path }) => ({ service, port, path }))).toEqual([
      { service: 'web', port: 80, path: ['spec', 'backend'] },
      { service: 'api', port: 'http', path: ['spec', 'rules', 0, 'http', 'paths', 0, 'backend'] },
    ]);
  });

  test('an HTTPRoute names Services in backendRefs, possibly in another namespace; other kinds are not Services', () => {
    const route = {
      kind: 'HTTPRoute',
      spec: { rules: [{ backendRefs: [{ name: 'api', port: 8080 }, { name: 'shared', namespace: 'other' }, { name: 'bucket', group: 'example.com', kind: 'Bucket' }] }] },
    };
    expect(routeBackends(route).map(({ service, namespace, port }) => ({ service, namespace, port }))).toEqual([
      { service: 'api', namespace: undefined, port: 8080 },
      { service: 'shared', namespace: 'other', port: undefined },
    ]);
  });
});

describe('namespaces and scope', () => {
  test('cluster-scoped kinds have no namespace; an empty namespace is the default', () => {
    expect(isClusterScoped('ClusterIssuer')).toBe(true);
    expect(effectiveNamespace({ kind: 'Namespace', metadata: { namespace: 'x' } }, 'd')).toBe('');
    expect(effectiveNamespace({ kind: 'ConfigMap', metadata: { namespace: '' } }, 'd')).toBe('d');
    expect(effectiveNamespace({ kind: 'ConfigMap', metadata: { namespace: 'x' } }, 'd')).toBe('x');
  });
});

describe('the directory walker', () => {
  test('reads hidden files and folders like kubectl and Argo CD, in sorted order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-walk-'));
    for (const f of ['b.yaml', '.hidden.yaml', '.folder/c.yml', 'a/d.json', 'notes.txt']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    }
    expect(listManifestFiles(dir)).toEqual(['.folder/c.yml', '.hidden.yaml', 'a/d.json', 'b.yaml']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** Workloads the readers used to disagree about: each is a node of the connectivity report and checked by the validator. */
const MORE_WORKLOADS = `
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: shop}
spec:
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: app, image: "legacy:1.0", ports: [{containerPort: 8080}]}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: app, image: "api:1.0", ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: "web:1.0", ports: [{containerPort: 3000}]}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: legacy}}}]}]
`;

test('ReplicationControllers and Rollouts are nodes of the connectivity report', () => {
  const report = analyzeConnectivity(parseManifests(MORE_WORKLOADS, 'w.yaml'));
  expect(report.nodes.filter((n) => n.kind === 'workload').map((n) => n.id)).toEqual([
    'shop/api[Rollout]',
    'shop/legacy[ReplicationController]',
    'shop/web[Deployment]',
    'shop/web[Rollout]',
  ]);
  const into = (dst: string) => report.connections.filter((c) => c.dst === dst && c.srcKind === 'workload').map((c) => `${c.src} ${c.conns.toString()}`);
  expect(into('shop/api[Rollout]')).toEqual(['shop/legacy[ReplicationController] All Connections']);
  // The Rollout runs the Deployment's template: its pods listen on 3000 like the Deployment's.
  expect(into('shop/web[Rollout]')).toContain('shop/api[Rollout] All Connections');
  expect(report.warnings).toEqual([]);
});

test('the validator checks the pods of a Rollout like those of a Deployment', () => {
  const objects = parseManifests(MORE_WORKLOADS, 'w.yaml');
  const findings = validateObjects(objects, { env: env('production'), topology: CTIS_TOPOLOGY, rules: ['pod-security-restricted'] }).findings;
  const resources = new Set(findings.map((f) => f.resource));
  expect(resources).toEqual(new Set(['Rollout/shop/api', 'ReplicationController/shop/legacy', 'Deployment/shop/web']));
});
