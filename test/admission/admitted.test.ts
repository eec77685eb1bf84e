/**
 * The admission policies admit everything the project renders (else Argo CD could not sync) and
 * what the controllers derive from it or change at run time, evaluated with a CEL implementation.
 */
import { ENVIRONMENTS } from '../support/render';
import { isKind, Model } from '../support/k8s';
import { admit, AdmissionRequest, BoundPolicy } from './harness';
import { blueGreenRolloutOf, copy, cronJobOf, everyRendering, jobOf, pick, podOf, rendered, replicaSetOf } from './support';

const ROLLOUTS_CONTROLLER = 'system:serviceaccount:argo-rollouts:argo-rollouts';
const DEPLOYMENT_CONTROLLER = 'system:serviceaccount:kube-system:deployment-controller';
const REPLICASET_CONTROLLER = 'system:serviceaccount:kube-system:replicaset-controller';

/** Kinds the policies judge, with the policy (suffix) that judges them. */
const JUDGED: Record<string, string> = {
  Namespace: 'namespace',
  Service: 'services',
  Ingress: 'ingresses',
  HTTPRoute: 'httproutes',
  NetworkPolicy: 'network-policies',
  Deployment: 'workloads',
  StatefulSet: 'workloads',
  ReplicaSet: 'workloads',
  Job: 'workloads',
  Rollout: 'workloads',
  CronJob: 'cronjobs',
  Pod: 'pods',
};

function expectAdmitted(policies: BoundPolicy[], req: AdmissionRequest, judgedBy?: string): void {
  const v = admit(policies, req);
  const what = `${req.operation} ${req.object.kind}/${req.object.metadata?.name}`;
  expect({ what, denials: v.denials }).toEqual({ what, denials: [] });
  if (judgedBy !== undefined) expect({ what, judgedBy: v.judgedBy }).toEqual({ what, judgedBy: judgedBy === '' ? [] : [expect.stringMatching(new RegExp(`-${judgedBy}$`))] });
}

describe('every environment holds its policies and bindings, bound to its namespace', () => {
  test.each(ENVIRONMENTS)('%s', (name) => {
    const r = rendered(name);
    const concerns = ['namespace', 'pods', 'workloads', 'cronjobs', 'services', 'ingresses', 'httproutes', 'other-routes', 'network-policies', ...(name === 'staging' ? ['admin-allow-list'] : [])];
    expect(r.policies.map((p) => p.policy.metadata.name).sort()).toEqual(concerns.map((c) => `ctis-${name}-${c}`).sort());
    for (const { policy, bindings } of r.policies) {
      expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(policy.metadata.namespace).toBeUndefined();
      expect(policy.spec.failurePolicy).toBe('Fail');
      expect(policy.spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': r.env.namespace } });
      expect(bindings).toHaveLength(1);
      expect(bindings[0].spec).toEqual({
        policyName: policy.metadata.name,
        validationActions: r.env.admission.validationActions,
        matchResources: { matchPolicy: 'Equivalent', namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.env.namespace } } },
      });
    }
    expect(r.env.admission.validationActions).toEqual(name === 'development' ? ['Warn', 'Audit'] : ['Deny']);
  });
});

describe('every rendered object is admitted, in every environment and edge profile', () => {
  test.each(everyRendering().map((r) => [`${r.env.name} (${r.profile})`, r] as const))('%s', (_label, r) => {
    let judged = 0;
    for (const object of r.manifests) {
      const judgedBy = JUDGED[object.kind] ?? (object.kind === 'Middleware' && object.metadata.name === 'admin-allow-list' ? 'admin-allow-list' : '');
      expectAdmitted(r.policies, { operation: 'CREATE', object }, judgedBy);
      if (judgedBy) judged++;
      // Argo CD re-applies an unchanged object: not judged at all.
      expectAdmitted(r.policies, { operation: 'UPDATE', object, oldObject: object }, '');
    }
    expect(judged).toBeGreaterThan(15);
  });
});

describe('what controllers create from the rendered objects is admitted', () => {
  test.each(everyRendering().map((r) => [`${r.env.name} (${r.profile})`, r] as const))('%s: ReplicaSets, Pods, Rollouts, Jobs', (_label, r) => {
    const workloads = r.manifests.filter((m): m is Model<'Deployment'> | Model<'StatefulSet'> => isKind(m, 'Deployment') || isKind(m, 'StatefulSet'));
    expect(workloads.length).toBeGreaterThan(3);
    for (const w of workloads) {
      if (w.kind === 'Deployment') {
        const rs = replicaSetOf(w);
        expectAdmitted(r.policies, { operation: 'CREATE', object: rs, username: DEPLOYMENT_CONTROLLER }, 'workloads');
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(rs, rs.spec.template), username: REPLICASET_CONTROLLER }, 'pods');
        // A blue-green Rollout of the same template, its ReplicaSet and pods, and the preview Service.
        const rollout = blueGreenRolloutOf(w);
        expectAdmitted(r.policies, { operation: 'CREATE', object: rollout }, 'workloads');
        const rolloutRs = replicaSetOf(rollout, 'rollouts-pod-template-hash');
        expectAdmitted(r.policies, { operation: 'CREATE', object: rolloutRs, username: ROLLOUTS_CONTROLLER }, 'workloads');
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(rolloutRs, rolloutRs.spec.template), username: REPLICASET_CONTROLLER }, 'pods');
        const svc = pick(r, 'Service', w.metadata.name);
        const preview = copy(svc);
        preview.metadata.name = `${svc.metadata.name}-preview`;
        expectAdmitted(r.policies, { operation: 'CREATE', object: preview }, 'services');
        // The Rollouts controller points the active Service at the new ReplicaSet.
        const switched = copy(svc);
        switched.spec.selector['rollouts-pod-template-hash'] = '6d4cf56db6';
        switched.metadata.annotations = { ...switched.metadata.annotations, 'argo-rollouts.argoproj.io/managed-by-rollouts': w.metadata.name };
        expectAdmitted(r.policies, { operation: 'UPDATE', object: switched, oldObject: svc, username: ROLLOUTS_CONTROLLER }, 'services');
        // A Rollout that references the Deployment instead of carrying a template is not judged (the Deployment is).
        const ref = { ...rollout, spec: { replicas: 2, selector: rollout.spec.selector, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.metadata.name }, strategy: rollout.spec.strategy } };
        expectAdmitted(r.policies, { operation: 'CREATE', object: ref }, '');
        // A nightly CronJob running the same template, and the Job and Pod it creates.
        const cron = cronJobOf(w, `${w.metadata.name}-nightly`);
        expectAdmitted(r.policies, { operation: 'CREATE', object: cron }, 'cronjobs');
        const job = jobOf(cron);
        expectAdmitted(r.policies, { operation: 'CREATE', object: job, username: 'system:serviceaccount:kube-system:cronjob-controller' }, 'workloads');
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(job, job.spec.template), username: 'system:serviceaccount:kube-system:job-controller' }, 'pods');
      } else {
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(w, w.spec.template), username: 'system:serviceaccount:kube-system:statefulset-controller' }, 'pods');
      }
    }
  });
});

describe('run-time changes by the HPA, Deployment and Rollouts controllers are never refused', () => {
  const r = rendered('production');
  /** A Deployment created before the policies, with a template they would refuse. */
  function grandfathered() {
    const d = pick(r, 'Deployment', 'api');
    d.spec.template.spec.containers[0].image = 'registry.betts.example/ctis/api:1.8.1';
    d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    return d;
  }

  test('the grandfathered template itself would be refused on creation', () => {
    const v = admit(r.policies, { operation: 'CREATE', object: grandfathered() });
    expect(v.refused).toBe(true);
    expect(v.denials.map((d) => d.message)).toEqual([expect.stringMatching(/allowPrivilegeEscalation/), expect.stringMatching(/pinned by sha256 digest/)]);
  });

  test('scaling it (replicas), annotating its template and scaling its old ReplicaSet pass', () => {
    const old = grandfathered();
    const scaled = copy(old);
    scaled.spec.replicas = 7;
    expectAdmitted(r.policies, { operation: 'UPDATE', object: scaled, oldObject: old, username: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler' }, '');
    const restarted = copy(old);
    restarted.spec.template.metadata.annotations = { ...restarted.spec.template.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': '2026-11-29T02:00:00Z' };
    expectAdmitted(r.policies, { operation: 'UPDATE', object: restarted, oldObject: old }, '');
    const rs = replicaSetOf(old);
    const scaledDown = copy(rs);
    scaledDown.spec.replicas = 0;
    scaledDown.metadata.annotations['rollout.argoproj.io/desired-replicas'] = '0';
    expectAdmitted(r.policies, { operation: 'UPDATE', object: scaledDown, oldObject: rs, username: DEPLOYMENT_CONTROLLER }, '');
  });

  test('relabelling a pod (Argo Rollouts ephemeral metadata) passes; changing its image is judged', () => {
    const rs = replicaSetOf(pick(r, 'Deployment', 'api'), 'rollouts-pod-template-hash');
    const pod = podOf(rs, rs.spec.template);
    const relabelled = copy(pod);
    relabelled.metadata.labels.role = 'active';
    expectAdmitted(r.policies, { operation: 'UPDATE', object: relabelled, oldObject: pod, username: ROLLOUTS_CONTROLLER }, '');
    const retagged = copy(pod);
    retagged.spec.containers[0].image = 'registry.betts.example/ctis/api:1.8.3';
    const v = admit(r.policies, { operation: 'UPDATE', object: retagged, oldObject: pod });
    expect(v.denials.map((d) => d.message)).toEqual([expect.stringMatching(/^api: images must be pinned by sha256 digest in production: api \(registry\.betts\.example\/ctis\/api:1\.8\.3\)/)]);
  });
});
