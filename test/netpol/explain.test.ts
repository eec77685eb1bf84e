import { parseManifests } from '../../src/manifests';
import { buildPolicyIndex, ConnectionSet } from '../../src/netpol';

const MANIFESTS = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api}}
spec: {containers: [{name: c, image: i:1, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: i:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: a}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
      ports: [{port: http}]
    - from:
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
        - namespaceSelector: {}
      ports: [{port: 8080}, {port: 9090}]
  egress:
    - {}
`;

describe('explainSide', () => {
  const objects = parseManifests(MANIFESTS, 'm.yaml');
  const index = buildPolicyIndex(objects);
  const api = index.workload('a/api[Pod]')!.pods[0];
  const web = index.workload('a/web[Pod]')!.pods[0];

  it('names each rule and peer that admits the connection, with its line', () => {
    const e = index.explainSide('ingress', api, web, ConnectionSet.tcp(8080));
    expect(e.isolated).toBe(true);
    expect(e.policies.map((p) => p.name)).toEqual(['api']);
    expect(e.allowed.toString()).toBe('TCP 8080,9090');
    expect(e.admissions.map((a) => ({ text: a.text, line: a.location?.line, file: a.location?.file, path: a.path.join('.') }))).toEqual([
      { text: 'ingress[0].from[0] (podSelector {app=web}; ports TCP 8080)', line: 19, file: 'm.yaml', path: 'spec.ingress.0.from.0' },
      { text: 'ingress[1].from[1] (namespaceSelector {}; ports TCP 8080)', line: 23, file: 'm.yaml', path: 'spec.ingress.1.from.1' },
    ]);
  });

  it('reads ipBlock peers as written, and only what was asked about', () => {
    const e = index.explainSide('ingress', api, index.external('10.2.0.0/16'), ConnectionSet.tcp(9090));
    expect(e.admissions.map((a) => [a.text, a.location?.line, a.conns.toString()])).toEqual([['ingress[1].from[0] (ipBlock 10.0.0.0/8 except 10.1.0.0/16; ports TCP 9090)', 22, 'TCP 9090']]);
    expect(index.explainSide('ingress', api, index.external('10.1.2.3'), ConnectionSet.tcp(9090)).admissions).toEqual([]);
  });

  it('names a rule without peers, and says when no policy isolates a side', () => {
    expect(index.explainSide('egress', api, web).admissions.map((a) => [a.text, a.location?.line])).toEqual([['egress[0] (no to: every destination; every port)', 26]]);
    const open = index.explainSide('ingress', web, api);
    expect(open).toMatchObject({ isolated: false, policies: [], admissions: [] });
    expect(open.allowed.isAll()).toBe(true);
  });
});
