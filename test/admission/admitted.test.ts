/**
 * The admission policies admit everything the project renders (else Argo CD could not sync) and
 * what the controllers derive from it or change at run time, evaluated with a CEL implementation.
 */
import { expect } from '@jest/globals';
import { given, isKind, Model, ofKind, unset } from '../support/k8s';
import { ENVIRONMENTS, renderManifests, shippedEnv } from '../support/render';
import { admit, AdmissionRequest, BoundPolicy, boundPolicies } from './harness';
import { blueGreenRolloutOf, copy, cronJobOf, everyRendering, jobOf, pick, podOf, rendered, replicaSetOf, replicationControllerOf } from './support';

const ROLLOUTS_CONTROLLER = 'system:serviceaccount:argo-rollouts:argo-rollouts';
const DEPLOYMENT_CONTROLLER = 'system:serviceaccount:kube-system:deployment-controller';
const REPLICASET_CONTROLLER = 'system:serviceaccount:kube-system:replicaset-controller';
const REPLICATION_CONTROLLER = 'system:serviceaccount:kube-system:replication-controller';

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
  ReplicationController: 'workloads',
  Job: 'workloads',
  Rollout: 'workloads',
  CronJob: 'cronjobs',
  Pod: 'pods',
};

function expectAdmitted(policies: BoundPolicy[], req: AdmissionRequest, judgedBy?: string): void {
  const v = admit(policies, req);
  const what = `${req.operation} ${req.object.kind}/${req.object.metadata?.name ?? ''}`;
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
    const workloads = r.manifests.filter((m): m is Model<'Deployment'> | Model<'Rollout'> | Model<'StatefulSet'> => isKind(m, 'Deployment') || isKind(m, 'Rollout') || isKind(m, 'StatefulSet'));
    expect(workloads.length).toBeGreaterThan(3);
    for (const w of workloads) {
      if (isKind(w, 'StatefulSet')) {
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(w, w.spec.template), username: 'system:serviceaccount:kube-system:statefulset-controller' }, 'pods');
        continue;
      }
      if (isKind(w, 'Deployment')) {
        const rs = replicaSetOf(w);
        expectAdmitted(r.policies, { operation: 'CREATE', object: rs, username: DEPLOYMENT_CONTROLLER }, 'workloads');
        expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(rs, rs.spec.template), username: REPLICASET_CONTROLLER }, 'pods');
      }
      // The rendered Rollout (blue-green components), else a blue-green Rollout of the Deployment's
      // template: its ReplicaSet and pods, and the preview Service.
      const rollout = isKind(w, 'Rollout') ? w : blueGreenRolloutOf(w);
      if (isKind(w, 'Deployment')) expectAdmitted(r.policies, { operation: 'CREATE', object: rollout }, 'workloads');
      const rolloutRs = replicaSetOf(rollout, 'rollouts-pod-template-hash');
      expectAdmitted(r.policies, { operation: 'CREATE', object: rolloutRs, username: ROLLOUTS_CONTROLLER }, 'workloads');
      expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(rolloutRs, rolloutRs.spec.template), username: REPLICASET_CONTROLLER }, 'pods');
      const svc = pick(r, 'Service', w.metadata.name);
      if (isKind(w, 'Deployment')) {
        const preview = copy(svc);
        preview.metadata.name = `${svc.metadata.name}-preview`;
        expectAdmitted(r.policies, { operation: 'CREATE', object: preview }, 'services');
      }
      // The Rollouts controller points the active and the preview Service at a ReplicaSet.
      const services = isKind(w, 'Rollout') ? [svc, pick(r, 'Service', rollout.spec.strategy.blueGreen.previewService)] : [svc];
      for (const service of services) {
        const switched = copy(service);
        switched.spec.selector['rollouts-pod-template-hash'] = '6d4cf56db6';
        switched.metadata.annotations = { ...switched.metadata.annotations, 'argo-rollouts.argoproj.io/managed-by-rollouts': w.metadata.name };
        expectAdmitted(r.policies, { operation: 'UPDATE', object: switched, oldObject: service, username: ROLLOUTS_CONTROLLER }, 'services');
      }
      // A Rollout that references the Deployment instead of carrying a template is not judged (the Deployment is).
      const ref = { ...rollout, spec: { replicas: 2, selector: rollout.spec.selector, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.metadata.name }, strategy: rollout.spec.strategy } };
      expectAdmitted(r.policies, { operation: 'CREATE', object: ref }, '');
      // A nightly CronJob running the same template, and the Job and Pod it creates.
      const cron = cronJobOf(w, `${w.metadata.name}-nightly`);
      expectAdmitted(r.policies, { operation: 'CREATE', object: cron }, 'cronjobs');
      const job = jobOf(cron);
      expectAdmitted(r.policies, { operation: 'CREATE', object: job, username: 'system:serviceaccount:kube-system:cronjob-controller' }, 'workloads');
      expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(job, job.spec.template), username: 'system:serviceaccount:kube-system:job-controller' }, 'pods');
    }
    // Production releases blue-green: its Rollouts were rendered, not made up from Deployments.
    if (r.env.name === 'production') expect(workloads.filter((w) => isKind(w, 'Rollout')).map((w) => w.metadata.name).sort()).toEqual(['api', 'auth-server', 'frontend']);
  });
});

describe('run-time changes by the HPA, Deployment and Rollouts controllers are never refused', () => {
  const r = rendered('production');
  /** A workload created before the policies, with a template they would refuse. */
  function grandfathered(kind: 'Deployment' | 'Rollout', name: string): Model<'Deployment'> | Model<'Rollout'> {
    const d = pick(r, kind, name) as Model<'Deployment'> | Model<'Rollout'>;
    d.spec.template.spec.containers[0].image = `registry.betts.example/ctis/${name}:1.8.1`;
    d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    return d;
  }

  /** app-server rolls (a Deployment), api is released blue-green (a Rollout). */
  const CASES = [
    ['Deployment', 'app-server', DEPLOYMENT_CONTROLLER, 'pod-template-hash'],
    ['Rollout', 'api', ROLLOUTS_CONTROLLER, 'rollouts-pod-template-hash'],
  ] as const;

  test.each(CASES)('the grandfathered template of a %s itself would be refused on creation', (kind, name) => {
    const v = admit(r.policies, { operation: 'CREATE', object: grandfathered(kind, name) });
    expect(v.refused).toBe(true);
    expect(v.denials.map((d) => d.message)).toEqual([expect.stringMatching(/allowPrivilegeEscalation/), expect.stringMatching(/pinned by sha256 digest/)]);
  });

  test.each(CASES)('scaling a %s (replicas), annotating its template and scaling its old ReplicaSet pass', (kind, name, controller, hashLabel) => {
    const old = grandfathered(kind, name);
    const scaled = copy(old);
    scaled.spec.replicas = 7;
    expectAdmitted(r.policies, { operation: 'UPDATE', object: scaled, oldObject: old, username: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler' }, '');
    const restarted = copy(old);
    restarted.spec.template.metadata.annotations = { ...restarted.spec.template.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': '2026-11-29T02:00:00Z' };
    expectAdmitted(r.policies, { operation: 'UPDATE', object: restarted, oldObject: old }, '');
    const rs = replicaSetOf(old, hashLabel);
    const scaledDown = copy(rs);
    scaledDown.spec.replicas = 0;
    scaledDown.metadata.annotations['rollout.argoproj.io/desired-replicas'] = '0';
    expectAdmitted(r.policies, { operation: 'UPDATE', object: scaledDown, oldObject: rs, username: controller }, '');
  });

  test('pausing, promoting and aborting a Rollout (status and spec.paused) pass', () => {
    const old = grandfathered('Rollout', 'api') as Model<'Rollout'>;
    const paused = copy(old);
    paused.spec.paused = true;
    expectAdmitted(r.policies, { operation: 'UPDATE', object: paused, oldObject: old, username: ROLLOUTS_CONTROLLER }, '');
    const aborted = copy(old);
    Object.assign(aborted, { status: { abort: true, pauseConditions: null } });
    expectAdmitted(r.policies, { operation: 'UPDATE', object: aborted, oldObject: old, username: ROLLOUTS_CONTROLLER }, '');
  });

  test('a Rollout that referenced a Deployment and now carries its own template is judged by that template', () => {
    const rendered = pick(r, 'Rollout', 'api');
    const referencing = copy(rendered);
    unset(referencing.spec, 'template');
    referencing.spec.workloadRef = given({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
    expectAdmitted(r.policies, { operation: 'UPDATE', object: rendered, oldObject: referencing }, 'workloads');
    const v = admit(r.policies, { operation: 'UPDATE', object: grandfathered('Rollout', 'api'), oldObject: referencing });
    expect(v.denials.map((d) => d.message)).toEqual([expect.stringMatching(/allowPrivilegeEscalation/), expect.stringMatching(/pinned by sha256 digest/)]);
  });

  test('relabelling a pod (Argo Rollouts ephemeral metadata) passes; changing its image is judged', () => {
    const rs = replicaSetOf(pick(r, 'Rollout', 'api'), 'rollouts-pod-template-hash');
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

describe('a ReplicationController made by hand is judged by its template', () => {
  test.each(ENVIRONMENTS)('%s: one running a rendered template is admitted, and so are its pods', (name) => {
    const r = rendered(name);
    for (const w of [...ofKind(r.manifests, 'Deployment'), ...ofKind(r.manifests, 'StatefulSet')]) {
      const rc = replicationControllerOf(w);
      expectAdmitted(r.policies, { operation: 'CREATE', object: rc }, 'workloads');
      expectAdmitted(r.policies, { operation: 'CREATE', object: podOf(rc, rc.spec.template), username: REPLICATION_CONTROLLER }, 'pods');
    }
  });

  const r = rendered('production');
  /** An RC created before the policies, with a template they would refuse. */
  function grandfathered(): Model<'ReplicationController'> {
    const rc = replicationControllerOf(pick(r, 'Deployment', 'app-server'));
    rc.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    return rc;
  }

  test('its template is refused on creation and on a change of the pod spec', () => {
    const denied = (req: AdmissionRequest) => admit(r.policies, req).denials.map((d) => `${d.policy}: ${d.message}`);
    const expected = [expect.stringMatching(/^ctis-production-workloads: app-server: containers without allowPrivilegeEscalation: false: app-server /)];
    expect(denied({ operation: 'CREATE', object: grandfathered() })).toEqual(expected);
    const fine = replicationControllerOf(pick(r, 'Deployment', 'app-server'));
    expect(denied({ operation: 'UPDATE', object: grandfathered(), oldObject: fine })).toEqual(expected);
  });

  test('scaling it and annotating its template pass, even with a template the policies would refuse', () => {
    const old = grandfathered();
    const scaled = copy(old);
    scaled.spec.replicas = 4;
    expectAdmitted(r.policies, { operation: 'UPDATE', object: scaled, oldObject: old }, '');
    const annotated = copy(old);
    annotated.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-11-29T02:00:00Z' };
    expectAdmitted(r.policies, { operation: 'UPDATE', object: annotated, oldObject: old }, '');
  });

  test('one without a template (optional in the schema) is not judged by the template policy', () => {
    const rc = replicationControllerOf(pick(r, 'Deployment', 'app-server'));
    unset(rc.spec, 'template');
    expectAdmitted(r.policies, { operation: 'CREATE', object: rc }, '');
  });
});

describe('a blue-green component with a preview host (staging, Traefik behind the admin allow-list)', () => {
  const env = structuredClone(shippedEnv('staging'));
  env.workloads.api.strategy = { type: 'blue-green', promotion: 'manual', scaleDownDelaySeconds: 30, prePromotionAnalysis: { count: 3, interval: '10s' }, previewHost: 'preview-api.staging.ctis.betts.example' };
  const manifests = renderManifests(env).map(({ __file: _file, ...m }) => m);
  const policies = boundPolicies(manifests);
  /** A deep copy of the rendered preview Ingress. */
  const previewIngress = () => copy(ofKind(manifests, 'Ingress').find((m) => m.metadata.name === 'api-preview')!);

  test('the Rollout, its AnalysisTemplate, the preview Service and the preview routes are admitted', () => {
    const names = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name);
    expect(names('Rollout')).toEqual(['api']);
    expect(names('Ingress')).toEqual(expect.arrayContaining(['api-preview', 'api-preview-http-redirect']));
    for (const object of manifests) expectAdmitted(policies, { operation: 'CREATE', object }, JUDGED[object.kind] ?? (object.kind === 'Middleware' && object.metadata.name === 'admin-allow-list' ? 'admin-allow-list' : ''));
  });

  test('a preview route without the allow-list is denied', () => {
    const open = previewIngress();
    const key = 'traefik.ingress.kubernetes.io/router.middlewares';
    open.metadata.annotations[key] = open.metadata.annotations[key].split(',').filter((m) => !m.includes('admin-allow-list')).join(',');
    const v = admit(policies, { operation: 'CREATE', object: open });
    expect(v.denials.map((d) => d.message)).toEqual([
      'api-preview at preview-api.staging.ctis.betts.example: Ingress api-preview routes a preview Service other than at its preview host (api-preview: preview-api.staging.ctis.betts.example) behind the admin-allow-list Middleware (SPEC §2 rule 1, SPEC §2 rule 12; validator rule preview-not-public)',
    ]);
  });

  test('the preview Service at another host, or as the default backend, is denied', () => {
    const other = previewIngress();
    other.spec.rules[0].host = 'api.staging.ctis.betts.example';
    expect(admit(policies, { operation: 'CREATE', object: other }).denials.map((d) => d.message)).toEqual([expect.stringMatching(/^api-preview at api\.staging\.ctis\.betts\.example: /)]);
    const dflt = previewIngress();
    dflt.spec.defaultBackend = given({ service: { name: 'api-preview', port: { number: 8080 } } });
    expect(admit(policies, { operation: 'CREATE', object: dflt }).denials.map((d) => d.message)).toEqual([expect.stringMatching(/^api-preview: Ingress api-preview routes to it, but only the public components/)]);
  });

  test('without a preview host the preview Service is no backend at all', () => {
    const r = rendered('staging');
    const preview = previewIngress();
    expect(admit(r.policies, { operation: 'CREATE', object: preview }).denials.map((d) => d.message)).toEqual([
      expect.stringMatching(/^api-preview: Ingress api-preview routes to it, but only the public components auth-server, api, frontend are routed/),
    ]);
  });
});
