import { expect } from '@jest/globals';
import { ArgoCd, SYNC_OPTIONS } from '../../charts/argocd';
import { targetRevision } from '../../src/config/delivery';
import { COMMIT_SHA, immutableKind } from '../../src/delivery/revision';
import { ofKind } from '../support/k8s';
import { generateApplications } from './appset-sim';
import { docs, renderArgo, shippedEnvironments, withArgo } from './support';

const envs = shippedEnvironments();
const out = renderArgo(envs);

/** `group/kind` of every namespaced object rendered for the environments. */
function renderedNamespacedKinds(): string[] {
  const kinds = new Set<string>();
  for (const rel of out.files.keys()) {
    if (rel.startsWith(`${ArgoCd.FOLDER}/`)) continue;
    for (const d of docs(out.files, rel)) {
      if (d.metadata?.namespace === undefined) continue; // cluster-scoped: Namespace, admission policies
      const group = d.apiVersion.includes('/') ? d.apiVersion.split('/')[0] : '';
      kinds.add(`${group}/${d.kind}`);
    }
  }
  return [...kinds].sort();
}

describe('AppProject', () => {
  const p = out.project;

  test('is the ctis project in the argocd namespace', () => {
    expect(p).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'ctis', namespace: 'argocd' } });
  });

  test('admits only the repositories and destinations of the environments', () => {
    expect(p.spec.sourceRepos).toEqual([...new Set(envs.map((e) => e.argocd.repoURL))]);
    const expected = envs.map((e) => ({ server: e.argocd.destinationServer, namespace: e.namespace }));
    expect(p.spec.destinations).toHaveLength(expected.length);
    expect(p.spec.destinations).toEqual(expect.arrayContaining(expected));
    for (const d of p.spec.destinations) expect(d.namespace).not.toContain('*');
  });

  test('allows the Namespace and the admission policies as the only cluster-scoped kinds', () => {
    expect(p.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
    ]);
  });

  test('allows exactly the namespaced kinds the rendered output contains', () => {
    const allowed = p.spec.namespaceResourceWhitelist.map((k) => `${k.group}/${k.kind}`);
    expect(allowed).toEqual(renderedNamespacedKinds());
    expect(allowed).toEqual(
      expect.arrayContaining([
        'apps/Deployment',
        'apps/StatefulSet',
        'argoproj.io/Rollout',
        'argoproj.io/AnalysisTemplate',
        '/Service',
        '/ServiceAccount',
        '/ConfigMap',
        '/PersistentVolumeClaim',
        'autoscaling/HorizontalPodAutoscaler',
        'policy/PodDisruptionBudget',
        'networking.k8s.io/NetworkPolicy',
        'networking.k8s.io/Ingress',
        'external-secrets.io/ExternalSecret',
        'cert-manager.io/Certificate',
        'traefik.io/Middleware',
        'gateway.networking.k8s.io/Gateway',
        'gateway.networking.k8s.io/HTTPRoute',
      ]),
    );
    // Secrets come from ExternalSecrets and cert-manager, never from Git.
    expect(allowed).not.toContain('/Secret');
  });

  test('a kind the output does not contain is not admitted', () => {
    const devOnly = renderArgo([envs[0]]).project.spec.namespaceResourceWhitelist.map((k) => k.kind);
    expect(devOnly).not.toContain('Ingress'); // development uses the Gateway API edge
    expect(devOnly).toContain('HTTPRoute');
  });

  test('warns about orphaned resources, ignoring what controllers create from ours', () => {
    expect(p.spec.orphanedResources.warn).toBe(true);
    expect(p.spec.orphanedResources.ignore).toEqual(
      expect.arrayContaining([
        { group: '', kind: 'PersistentVolumeClaim', name: 'data-postgresql-*' },
        { group: '', kind: 'Secret', name: 'app-server-tls' },
        { group: '', kind: 'ConfigMap', name: 'kube-root-ca.crt' },
      ]),
    );
  });
});

describe('Applications', () => {
  test('one per environment, named ctis-<env>, in the ctis project', () => {
    expect(out.applications.map((a) => a.metadata.name)).toEqual(envs.map((e) => `ctis-${e.name}`));
    for (const a of out.applications) {
      expect(a).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' }, spec: { project: 'ctis' } });
    }
  });

  test.each(envs.map((e) => [e.name, e] as const))('%s: directory source at dist/<env>, destination and sync policy from its configuration', (name, env) => {
    const app = out.applications.find((a) => a.metadata.name === `ctis-${name}`)!;
    expect(app.spec.source).toEqual({
      repoURL: env.argocd.repoURL,
      targetRevision: targetRevision(env.argocd),
      path: `dist/${name}`,
      directory: { recurse: false },
    });
    expect(app.spec.destination).toEqual({ server: env.argocd.destinationServer, namespace: env.namespace });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'PruneLast=true', 'CreateNamespace=false', 'FailOnSharedResource=true', 'RespectIgnoreDifferences=true']);
    expect(app.spec.syncPolicy.automated).toEqual(env.argocd.automatedSync ? { prune: true, selfHeal: env.argocd.selfHeal } : undefined);
    expect(app.spec.syncPolicy.retry).toMatchObject({ limit: expect.any(Number), backoff: { duration: expect.any(String), factor: 2, maxDuration: expect.any(String) } });
    expect(app.spec.revisionHistoryLimit).toBeGreaterThan(0);
  });

  test('deleting production never cascades; the other environments clean up after themselves', () => {
    const finalizers = Object.fromEntries(out.applications.map((a) => [a.metadata.name, a.metadata.finalizers ?? []]));
    expect(finalizers).toEqual({
      'ctis-development': ['resources-finalizer.argocd.argoproj.io'],
      'ctis-staging': ['resources-finalizer.argocd.argoproj.io'],
      'ctis-production': [],
    });
  });

  test('manual sync leaves out the automated policy; self-heal follows the configuration', () => {
    const [dev, staging, prod] = envs;
    const variant = renderArgo([dev, withArgo(staging, { selfHeal: false }), withArgo(prod, { automatedSync: false })]);
    const byName = Object.fromEntries(variant.applications.map((a) => [a.metadata.name, a.spec.syncPolicy]));
    expect(byName['ctis-staging'].automated).toEqual({ prune: true, selfHeal: false });
    expect(byName['ctis-production'].automated).toBeUndefined();
    expect(byName['ctis-production'].syncOptions).toEqual([...SYNC_OPTIONS]);
  });

  test('the Services Argo Rollouts points at one colour are neither drift nor overwritten; only where Rollouts run', () => {
    const ignores = Object.fromEntries(out.applications.map((a) => [a.metadata.name, a.spec.ignoreDifferences ?? []]));
    expect(ignores['ctis-development']).toEqual([]);
    expect(ignores['ctis-staging']).toEqual([]);
    // Every Service a Rollout names, read from the rendered Rollouts, and nothing else.
    const named = ofKind(['api', 'auth-server', 'frontend'].flatMap((c) => docs(out.files, `production/${c}.yaml`)), 'Rollout').flatMap((r) => [
      r.spec.strategy.blueGreen.activeService,
      r.spec.strategy.blueGreen.previewService,
    ]);
    expect(named).toHaveLength(6);
    expect(ignores['ctis-production'].map((i) => i.name).sort()).toEqual(named.sort());
    for (const i of ignores['ctis-production']) {
      expect(i).toEqual({ group: '', kind: 'Service', name: i.name, jsonPointers: ['/spec/selector/rollouts-pod-template-hash'] });
    }
    const prod = out.applications.find((a) => a.metadata.name === 'ctis-production')!;
    expect(prod.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test('development and staging follow main; production syncs a full commit SHA, never a branch', () => {
    const revisions = Object.fromEntries(out.applications.map((a) => [a.metadata.name, a.spec.source.targetRevision]));
    expect(revisions['ctis-development']).toBe('main');
    expect(revisions['ctis-staging']).toBe('main');
    expect(revisions['ctis-production']).toMatch(COMMIT_SHA);
    expect(envs[2].argocd).toMatchObject({ delivery: 'promoted', ref: revisions['ctis-production'] });
  });

  test('no Application syncs the Argo CD folder itself', () => {
    for (const a of out.applications) expect(a.spec.source.path).not.toBe('dist/argocd');
  });
});

describe('ApplicationSet', () => {
  const set = out.applicationSet;

  test('generates from the dist/* folders on the branch, excluding dist/argocd', () => {
    expect(set).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'ctis', namespace: 'argocd' } });
    // One matrix: every environment is merged on main, production's promoted ref included.
    expect(set.spec.generators).toHaveLength(1);
    const [dirs, params] = set.spec.generators[0].matrix.generators;
    expect(dirs.git.directories).toEqual([{ path: 'dist/*' }, { path: 'dist/argocd', exclude: true }]);
    expect(dirs.git).toMatchObject({ repoURL: envs[0].argocd.repoURL, revision: 'main' });
    // The parameters are read on the branch: at the promoted ref the file would still name the previous ref.
    expect(params.git.revision).toBe('main');
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
  });

  test("what it generates for production syncs production's promoted commit, never a branch", () => {
    const production = generateApplications(set, out.repository).find((a) => a.metadata.name === 'ctis-production')!;
    expect(production.spec.source.targetRevision).toMatch(COMMIT_SHA);
    expect(production.spec.source.targetRevision).toBe(targetRevision(envs[2].argocd));
    expect(immutableKind(production.spec.source.targetRevision)).toBe('commit');
  });

  test('renders, for every environment folder, exactly the corresponding Application', () => {
    const generated = generateApplications(set, out.repository);
    expect(generated.map((a) => a.metadata.name).sort()).toEqual(out.applications.map((a) => a.metadata.name).sort());
    for (const app of out.applications) {
      expect(generated.find((g) => g.metadata.name === app.metadata.name)).toEqual(app);
    }
  });

  test('stays equal when environments use other branches, a release tag and manual sync', () => {
    const [dev, staging, prod] = envs;
    const variant = renderArgo([
      withArgo(dev, { selfHeal: false, branch: 'develop' }),
      staging,
      withArgo(prod, { ref: 'v1.8.0', automatedSync: false }),
    ]);
    // One matrix per repository and revision, each over its own folders.
    expect(variant.applicationSet.spec.generators).toHaveLength(2);
    const generated = generateApplications(variant.applicationSet, variant.repository);
    expect(generated).toHaveLength(variant.applications.length);
    for (const app of variant.applications) {
      expect(generated.find((g) => g.metadata.name === app.metadata.name)).toEqual(app);
    }
  });

  test('a folder without a parameter file generates nothing', () => {
    const repo = new Map(out.repository);
    repo.set('dist/sandbox/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const names = generateApplications(set, repo).map((a) => a.metadata.name);
    expect(names).not.toContain('ctis-sandbox');
    expect(names).toHaveLength(envs.length);
  });

  test('deleting it, or a folder, deletes each generated Application as deleting that Application does: cascading in development and staging, never in production', () => {
    // The controller deletes the Applications it no longer generates (and Kubernetes those of a
    // deleted ApplicationSet): their resources go exactly where the resources finalizer is.
    const cascades: Record<string, boolean> = {};
    for (const a of generateApplications(set, out.repository)) cascades[String(a.metadata.name)] = (a.metadata.finalizers ?? []).includes(ArgoCd.RESOURCES_FINALIZER);
    expect(cascades).toEqual({ 'ctis-development': true, 'ctis-staging': true, 'ctis-production': false });
  });
});
