import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { given, KindName, Manifest, Model, ofKind, PodTemplateModel } from '../support/k8s';
import { ENVIRONMENTS, PROFILES, renderManifests, shippedEnv, withProfile } from '../support/render';
import { BoundPolicy, boundPolicies } from './harness';

/** What a controller creates pods from: a workload with a pod template. */
export type TemplateOwner = Model<'Deployment'> | Model<'StatefulSet'> | Model<'Rollout'>;

export type Profile = EnvironmentConfig['edge']['profile'];

export interface Rendered {
  readonly env: EnvironmentConfig;
  readonly profile: Profile;
  readonly manifests: Manifest[];
  readonly policies: BoundPolicy[];
}

const cache = new Map<string, Rendered>();

/** One environment rendered under an edge profile (its own by default), with its bound policies. */
export function rendered(name: EnvironmentName, profile?: Profile): Rendered {
  const env0 = shippedEnv(name);
  const p = profile ?? env0.edge.profile;
  const key = `${name}/${p}`;
  let r = cache.get(key);
  if (!r) {
    const env = withProfile(env0, p);
    const manifests: Manifest[] = renderManifests(env).map(({ __file, ...m }) => m);
    r = { env, profile: p, manifests, policies: boundPolicies(manifests) };
    cache.set(key, r);
  }
  return r;
}

/** Every environment under every edge profile. */
export function everyRendering(): Rendered[] {
  return ENVIRONMENTS.flatMap((e) => PROFILES.map((p) => rendered(e, p)));
}

export const copy = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

/** A rendered object by kind and name (a deep copy, mutate freely). */
export function pick<K extends KindName>(r: Rendered, kind: K, name: string): Model<K> {
  const o = ofKind(r.manifests, kind).find((m) => m.metadata.name === name);
  if (!o) throw new Error(`${r.env.name}/${r.profile} renders no ${kind} ${name}`);
  return copy(o);
}

/** The rendered workload of an application component: its Deployment, or its Rollout where it is released blue-green. */
export function workloadOf(r: Rendered, name: string): Model<'Deployment'> | Model<'Rollout'> {
  const o = [...ofKind(r.manifests, 'Deployment'), ...ofKind(r.manifests, 'Rollout')].find((m) => m.metadata.name === name);
  if (!o) throw new Error(`${r.env.name}/${r.profile} renders no Deployment or Rollout ${name}`);
  return copy(o);
}

/** The ReplicaSet the Deployment controller creates for a Deployment (or Argo Rollouts for a Rollout). */
export function replicaSetOf(workload: Model<'Deployment'> | Model<'Rollout'>, hashLabel = 'pod-template-hash'): Model<'ReplicaSet'> {
  const template = copy(workload.spec.template);
  template.metadata.labels = { ...template.metadata.labels, [hashLabel]: '6d4cf56db6' };
  return given<Model<'ReplicaSet'>>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${workload.metadata.name}-6d4cf56db6`,
      namespace: workload.metadata.namespace,
      labels: template.metadata.labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [{ apiVersion: workload.apiVersion, kind: workload.kind, name: workload.metadata.name, uid: 'b1b9f7a2-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 2, selector: { matchLabels: { ...workload.spec.selector.matchLabels, [hashLabel]: '6d4cf56db6' } }, template },
  });
}

/**
 * The Pod a controller creates from a template, with the fields the API server defaults before
 * validating admission sees it.
 */
export function podOf(owner: Manifest, template: PodTemplateModel): Model<'Pod'> {
  const spec = copy(template.spec);
  for (const c of spec.containers) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= 'IfNotPresent';
  }
  return given<Model<'Pod'>>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.metadata.name}-x7k2p`,
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: 'b1b9f7a2-0000-4000-8000-000000000002', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...spec,
      restartPolicy: spec.restartPolicy ?? 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      serviceAccount: spec.serviceAccountName,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  });
}

/**
 * A ReplicationController created by hand from a workload's pod template (an equality-based
 * selector on the template's labels), as `kubectl apply` of an old manifest would send it.
 */
export function replicationControllerOf(workload: TemplateOwner, name = `${workload.metadata.name}-legacy`): Model<'ReplicationController'> {
  const template = copy(workload.spec.template);
  return given<Model<'ReplicationController'>>({
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: workload.metadata.namespace, labels: copy(workload.metadata.labels) },
    spec: { replicas: 1, selector: { ...workload.spec.selector.matchLabels }, template },
  });
}

/** An Argo Rollouts blue-green Rollout running a Deployment's pod template. */
export function blueGreenRolloutOf(deployment: Model<'Deployment'>): Model<'Rollout'> {
  return given<Model<'Rollout'>>({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: copy(deployment.metadata),
    spec: {
      ...(deployment.spec.replicas !== undefined ? { replicas: deployment.spec.replicas } : {}),
      revisionHistoryLimit: 5,
      selector: copy(deployment.spec.selector),
      template: copy(deployment.spec.template),
      strategy: { blueGreen: { activeService: deployment.metadata.name, previewService: `${deployment.metadata.name}-preview`, autoPromotionEnabled: false } },
    },
  });
}

/** A CronJob running a workload's pod template once a night. */
export function cronJobOf(workload: TemplateOwner, name: string): Model<'CronJob'> {
  const template = copy(workload.spec.template);
  template.spec.restartPolicy = 'OnFailure';
  return given<Model<'CronJob'>>({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: workload.metadata.namespace, labels: copy(workload.metadata.labels) },
    spec: { schedule: '15 2 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 2, template } } },
  });
}

/** The Job the CronJob controller creates. */
export function jobOf(cronJob: Model<'CronJob'>): Model<'Job'> {
  return given<Model<'Job'>>({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cronJob.metadata.name}-29011455`,
      namespace: cronJob.metadata.namespace,
      labels: copy(cronJob.metadata.labels),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: 'b1b9f7a2-0000-4000-8000-000000000003', controller: true, blockOwnerDeletion: true }],
    },
    spec: copy(cronJob.spec.jobTemplate.spec),
  });
}
