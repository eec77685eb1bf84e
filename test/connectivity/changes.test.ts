/**
 * The connectivity command on hand-changed copies of the committed production output: what a
 * change opens or closes (`--base`), pods outside the manifests, static pods, and files that hold
 * no Kubernetes object.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeConnectivity } from '../../src/netpol';
import { build, pod, policy } from '../netpol/support';
import { runConnectivity } from './golden';

const PRODUCTION = path.resolve(__dirname, '../../dist/production');

const run = runConnectivity;

/** A copy of dist/production, changed by `edit` (file name -> text). */
function productionCopy(edit: (files: Map<string, string>) => void = () => {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-production-'));
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(PRODUCTION)) {
    if (f.endsWith('.yaml')) files.set(f, fs.readFileSync(path.join(PRODUCTION, f), 'utf8'));
  }
  edit(files);
  for (const [f, text] of files) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

const base = productionCopy();

describe('connectivity --base on the production output', () => {
  it('reports no change for a policy that only names, more narrowly, pods that were already let in', () => {
    const head = productionCopy((files) => {
      files.set(
        'extra-policy.yaml',
        [
          'apiVersion: networking.k8s.io/v1',
          'kind: NetworkPolicy',
          'metadata: {name: frontend-scrape, namespace: ctis-production}',
          'spec:',
          '  podSelector: {matchLabels: {app.kubernetes.io/name: frontend}}',
          '  policyTypes: [Ingress]',
          '  ingress:',
          '    - from:',
          '        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}',
          '          podSelector: {matchLabels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/component: server}}',
          '      ports: [{port: 9464, protocol: TCP}]',
          '',
        ].join('\n'),
      );
    });
    const r = run(head, '--base', base);
    expect(r.stdout).toBe('No connectivity changes.\n');
    expect(r.code).toBe(0);
  });

  it('still reports what a policy naming a new namespace really opens', () => {
    const head = productionCopy((files) => {
      files.set(
        'extra-policy.yaml',
        [
          'apiVersion: networking.k8s.io/v1',
          'kind: NetworkPolicy',
          'metadata: {name: frontend-tools, namespace: ctis-production}',
          'spec:',
          '  podSelector: {matchLabels: {app.kubernetes.io/name: frontend}}',
          '  policyTypes: [Ingress]',
          '  ingress:',
          '    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tools}}}]',
          '      ports: [{port: 3000}]',
          '',
        ].join('\n'),
      );
    });
    const r = run(head, '--base', base);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'Connectivity changes: 1 added, 0 removed, 0 changed\n' +
        'added:   tools/{any-pod} => ctis-production/frontend[Rollout] : TCP 3000\n',
    );
  });

  it('shows that deleting default-deny lets the pods nobody declared reach the internet and other namespaces', () => {
    const head = productionCopy((files) => {
      const policies = files.get('network-policies.yaml')!;
      const docs = policies.split(/^---\n/m).filter((d) => d.trim() !== '' && !/^ {2}name: default-deny$/m.test(d));
      expect(docs.length).toBe(policies.split(/^---\n/m).filter((d) => d.trim() !== '').length - 1);
      files.set('network-policies.yaml', docs.map((d) => `---\n${d}`).join(''));
    });
    const r = run(head, '--base', base);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'Connectivity changes: 4 added, 0 removed, 0 changed',
        'added:   0.0.0.0-255.255.255.255 => ctis-production/{any-other-pod} : All Connections',
        'added:   ctis-production/{any-other-pod} => 0.0.0.0-255.255.255.255 : All Connections',
        'added:   ctis-production/{any-other-pod} => {other-namespace} : All Connections',
        'added:   {other-namespace} => ctis-production/{any-other-pod} : All Connections',
        '',
      ].join('\n'),
    );
  });

  it('reports nothing between a directory and its copy', () => {
    const r = run(productionCopy(), '--base', base);
    expect(r.stdout).toBe('No connectivity changes.\n');
    expect(r.code).toBe(0);
  });
});

describe('connectivity input', () => {
  it('skips a file that holds no Kubernetes object with a warning on stderr, and reports the rest', () => {
    const dir = productionCopy();
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "ctis", "private": true}\n');
    fs.writeFileSync(path.join(dir, 'list.json'), '[1, 2]\n');
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - api.yaml\n');
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(run(base).stdout);
    expect(r.stderr).toContain(`connectivity: warning: ${path.join(dir, 'package.json')}:1: document has no apiVersion; skipped\n`);
    expect(r.stderr).toContain(`connectivity: warning: ${path.join(dir, 'list.json')}:1: document is a sequence, not a mapping (a Kubernetes object); skipped\n`);
    expect(r.stderr).toContain(`connectivity: warning: ${path.join(dir, 'kustomization.yaml')}:1: document is a Kustomize Kustomization (kustomize.config.k8s.io/v1beta1), not a Kubernetes object; skipped\n`);
  });

  it('still stops on YAML that does not parse (exit 2, file:line)', () => {
    const dir = productionCopy((files) => files.set('broken.yaml', 'a: [\n'));
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^connectivity: ${path.join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML`));
  });

  it('names static pods (owned by their Node) by their own name and kind', () => {
    const mirror = (name: string, node: string) => {
      const p = pod('kube-system', name, { component: 'etcd', tier: 'control-plane' });
      return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: `uid-${node}`, controller: true }] } };
    };
    const replica = (name: string) => {
      const p = pod('kube-system', name, { app: 'dns' });
      return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'dns-5d9', uid: 'uid-rs', controller: true }] } };
    };
    const index = build([
      mirror('etcd-node-a', 'node-a'),
      mirror('etcd-node-b', 'node-a'),
      replica('dns-5d9-x1'),
      replica('dns-5d9-x2'),
      policy('kube-system', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ]);
    expect(index.workloads.map((w) => w.id)).toEqual(['kube-system/dns-5d9[ReplicaSet]', 'kube-system/etcd-node-a[Pod]', 'kube-system/etcd-node-b[Pod]']);
    expect(analyzeConnectivity(index).nodes.some((n) => n.id.includes('[Node]'))).toBe(false);
  });
});
