/**
 * Each weakness a platform team would look for, injected into a copy of the committed
 * `dist/production` and validated as a user would (`npm run validate -- <copy> --env production
 * --format json`): exit 1 and an error that names the object at fault. The clean output gives no
 * finding at all in every environment.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { main } from '../../src/cli/validate';
import type { Finding } from '../../src/validator';
import { asKind, KindName, Manifest, Model } from '../support/k8s';
import { parseJsonReport } from '../support/reports';
import { CONFIG_DIR, DIST } from './fixtures';

type Docs = Array<Manifest & { __file: string }>;

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** A copy of dist/production with its objects changed by `edit` and extra files written beside them. */
function productionCopy(edit: (docs: Docs) => void, extra: Record<string, string> = {}): string {
  const from = path.join(DIST, 'production');
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'weakness-')), 'production');
  fs.cpSync(from, dir, { recursive: true });
  const docs: Docs = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const d of yaml.loadAll(fs.readFileSync(path.join(dir, file), 'utf8'))) if (d) docs.push({ ...(d as Manifest), __file: file });
  }
  edit(docs);
  const byFile = new Map<string, string>();
  for (const { __file, ...d } of docs) byFile.set(__file, `${byFile.get(__file) ?? ''}---\n${yaml.dump(d, { lineWidth: -1, noRefs: true })}`);
  for (const [file, text] of byFile) fs.writeFileSync(path.join(dir, file), text);
  for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function get<K extends KindName>(docs: Docs, kind: K, name: string): Model<K> {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`no ${kind} ${name}`);
  return asKind(d, kind);
}

/** The production workload of a component (a Rollout where it is released blue-green, else a Deployment). */
function workload(docs: Docs, name: string): Model<'Deployment'> | Model<'Rollout'> {
  const d = docs.find((x) => (x.kind === 'Rollout' || x.kind === 'Deployment') && x.metadata?.name === name);
  if (!d) throw new Error(`no workload ${name}`);
  return d.kind === 'Rollout' ? asKind(d, 'Rollout') : asKind(d, 'Deployment');
}

const kindOf = (docs: Docs, name: string) => workload(docs, name).kind;

interface Weakness {
  readonly name: string;
  readonly edit: (docs: Docs) => void;
  readonly extra?: Record<string, string>;
  /** The rule, the resource it names (or the file of a document that is not an object) and the message. */
  readonly expect: (docs: Docs) => { rule: string; resource: string; message: RegExp };
}

const WEAKNESSES: Weakness[] = [
  {
    name: 'a workload without resources, which its HPA scales on CPU',
    edit: (d) => {
      for (const c of workload(d, 'api').spec.template.spec.containers) delete (c as { resources?: unknown }).resources;
    },
    expect: (d) => ({ rule: 'container-resources', resource: `${kindOf(d, 'api')}/ctis-production/api`, message: /^container api has no CPU request, but HorizontalPodAutoscaler api scales on CPU utilisation/ }),
  },
  {
    name: 'readOnlyRootFilesystem: false',
    edit: (d) => void (workload(d, 'frontend').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
    expect: (d) => ({ rule: 'read-only-root-filesystem', resource: `${kindOf(d, 'frontend')}/ctis-production/frontend`, message: /^container frontend sets readOnlyRootFilesystem: false/ }),
  },
  {
    name: 'automountServiceAccountToken: true',
    edit: (d) => void (get(d, 'Deployment', 'app-server').spec.template.spec.automountServiceAccountToken = true),
    expect: () => ({ rule: 'service-account-token', resource: 'Deployment/ctis-production/app-server', message: /^app-server mounts the service-account token/ }),
  },
  {
    name: 'a pod on the default ServiceAccount',
    edit: (d) => void (workload(d, 'auth-server').spec.template.spec.serviceAccountName = 'default'),
    expect: (d) => ({ rule: 'dedicated-service-account', resource: `${kindOf(d, 'auth-server')}/ctis-production/auth-server`, message: /runs its pods as the namespace's default ServiceAccount/ }),
  },
  {
    name: 'a NodePort Service on a public component',
    edit: (d) => void (get(d, 'Service', 'frontend').spec.type = 'NodePort'),
    expect: () => ({ rule: 'service-type', resource: 'Service/ctis-production/frontend', message: /^Service frontend \(public component frontend\) has type NodePort/ }),
  },
  {
    name: 'a LoadBalancer Service on a public component',
    edit: (d) => void (get(d, 'Service', 'api').spec.type = 'LoadBalancer'),
    expect: () => ({ rule: 'service-type', resource: 'Service/ctis-production/api', message: /^Service api \(public component api\) has type LoadBalancer/ }),
  },
  {
    name: 'externalIPs on a Service',
    edit: (d) => void (get(d, 'Service', 'auth-server').spec.externalIPs = ['203.0.113.7']),
    expect: () => ({ rule: 'service-type', resource: 'Service/ctis-production/auth-server', message: /has externalIPs 203\.0\.113\.7/ }),
  },
  {
    name: 'an image pinned by tag only, where production requires digests',
    edit: (d) => {
      const c = get(d, 'Deployment', 'app-server').spec.template.spec.containers[0];
      c.image = c.image.replace(/@sha256:[a-f0-9]+$/, '');
    },
    expect: () => ({ rule: 'image-pinned', resource: 'Deployment/ctis-production/app-server', message: /is pinned by tag only: production requires a sha256 digest/ }),
  },
  {
    name: 'a privileged container in a workload of a removed apiVersion',
    edit: (d) => {
      const w = get(d, 'Deployment', 'app-server');
      w.apiVersion = 'extensions/v1beta1';
      w.spec.template.spec.containers[0].securityContext.privileged = true;
    },
    expect: () => ({ rule: 'pod-security-restricted', resource: 'Deployment/ctis-production/app-server', message: /^container app-server is privileged$/ }),
  },
  {
    name: 'a privileged container in a workload with a schema error',
    edit: (d) => {
      const w = workload(d, 'api');
      (w.spec as { replicas?: unknown }).replicas = 'three';
      w.spec.template.spec.containers[0].securityContext.privileged = true;
    },
    expect: (d) => ({ rule: 'pod-security-restricted', resource: `${kindOf(d, 'api')}/ctis-production/api`, message: /^container api is privileged$/ }),
  },
  {
    name: 'a kustomization.yaml among the manifests',
    edit: () => {},
    extra: { 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - api.yaml\n' },
    expect: () => ({ rule: 'kubernetes-object', resource: 'file kustomization.yaml', message: /^document is a Kustomize Kustomization \(kustomize\.config\.k8s\.io\/v1beta1\), not a Kubernetes object: / }),
  },
  {
    name: 'a values file among the manifests',
    edit: () => {},
    extra: { 'values.yaml': 'replicaCount: 2\nimage:\n  tag: 1.8.2\n' },
    expect: () => ({ rule: 'kubernetes-object', resource: 'file values.yaml', message: /^document has no apiVersion: this document is not a Kubernetes object, and Argo CD cannot sync it$/ }),
  },
  {
    name: 'a JSON array among the manifests',
    edit: () => {},
    extra: { 'list.json': '[{"apiVersion": "v1", "kind": "ConfigMap"}]\n' },
    expect: () => ({ rule: 'kubernetes-object', resource: 'file list.json', message: /^document is a sequence, not a mapping/ }),
  },
  {
    name: 'a NetworkPolicy peer that admits every namespace',
    edit: (d) => {
      const p = get(d, 'NetworkPolicy', 'app-server');
      p.spec.ingress[0].from = [{ namespaceSelector: {} }] as typeof p.spec.ingress[0]['from'];
    },
    expect: () => ({ rule: 'network-extra-connection', resource: 'NetworkPolicy/ctis-production/app-server', message: /^NetworkPolicy app-server admits connections the topology does not declare through ingress\[0\]\.from\[0\] \(namespaceSelector \{\}; / }),
  },
  {
    name: 'a declared edge the policies no longer admit',
    edit: (d) => {
      const p = get(d, 'NetworkPolicy', 'app-server');
      p.spec.egress = p.spec.egress.filter((r) => !JSON.stringify(r.to).includes('"auth-server"'));
    },
    expect: () => ({ rule: 'network-missing-edge', resource: 'NetworkPolicy/ctis-production/app-server', message: /^missing edge app-server -> auth-server \(TCP 8080, .*\): NetworkPolicy app-server \(egress of app-server\) does not admit it$/ }),
  },
];

describe('each weakness injected into a copy of dist/production gives exit 1 and an error naming the object', () => {
  test.each(WEAKNESSES.map((w) => [w.name, w] as const))('%s', (_name, w) => {
    let docs: Docs = [];
    const dir = productionCopy((d) => {
      w.edit(d);
      docs = d;
    }, w.extra);
    const r = cli([dir, '--env', 'production', '--config', CONFIG_DIR, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const want = w.expect(docs);
    const named = (f: Finding) => f.resource || `file ${f.file}`;
    const errors = parseJsonReport(r.stdout).findings.filter((f) => f.severity === 'error' && f.rule === want.rule);
    const found = errors.some((f) => named(f) === want.resource && want.message.test(f.message));
    expect({ found, errors: errors.map((f) => `${named(f)}: ${f.message}`) }).toEqual({ found: true, errors: expect.any(Array) as unknown });
  });
});

describe('the committed output', () => {
  test.each(['development', 'staging', 'production', 'argocd'])('dist/%s gives no finding at all', (name) => {
    const r = cli([path.join(DIST, name), '--config', CONFIG_DIR, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = parseJsonReport(r.stdout);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0, suppressed: 0, folded: 0 });
  });
});
