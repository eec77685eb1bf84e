/**
 * The auth-server Data Protection key claim (SPEC §2 rule 10): mounted where
 * `AuthServer__DataProtection__KeyPath` points, ReadWriteMany whenever auth-server can run
 * more than one pod, protected from GitOps pruning, and mounted read-only in read-only mode.
 */
import { parseEnvironment } from '../../src/config/load';
import type { EnvironmentConfig } from '../../src/config/schema';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { Model, PodSpecModel } from '../support/k8s';
import {
  byKind,
  ENVIRONMENTS,
  get,
  mainContainer,
  maxPodsRendered,
  renderConfig,
  RenderedEnv,
  selects,
  settingsOf,
  value,
  workload,
  shippedStack,
} from './helpers';

const stack = shippedStack();
const config = stack.config;

interface KeyStore {
  readonly keyPath: string;
  readonly readOnlySetting: string;
  readonly mount: PodSpecModel['containers'][number]['volumeMounts'][number];
  readonly volume: PodSpecModel['volumes'][number];
  readonly claim: Model<'PersistentVolumeClaim'>;
}

/** Follows KeyPath to the mount, the pod volume and the claim behind it. */
function keyStore(e: RenderedEnv): KeyStore {
  const s = settingsOf(e, 'auth-server');
  const keyPath = value(s, 'AuthServer__DataProtection__KeyPath');
  const { spec, container } = mainContainer(e, 'auth-server');
  const mounts = (container.volumeMounts ?? []).filter(
    (m) => keyPath === m.mountPath || keyPath.startsWith(`${m.mountPath.replace(/\/$/, '')}/`),
  );
  expect(mounts.length).toBe(1);
  const mount = mounts[0];
  const volume = (spec.volumes ?? []).find((v) => v.name === mount.name);
  expect(volume?.persistentVolumeClaim).toBeDefined();
  const claim = get(e, 'PersistentVolumeClaim', volume!.persistentVolumeClaim.claimName);
  return { keyPath, readOnlySetting: value(s, 'AuthServer__DataProtection__ReadOnly'), mount, volume: volume!, claim };
}

/** Validates a modified configuration the way the loader does, so the test uses only accepted input. */
function accepted(c: EnvironmentConfig): EnvironmentConfig {
  return parseEnvironment(JSON.parse(JSON.stringify(c)), `${c.name}.yaml`, c.name, CTIS_TOPOLOGY);
}

/** Pods of auth-server that can run at once: during a blue-green release both colours run, each at full size. */
function concurrentAuthServerPods(e: RenderedEnv): number {
  const owner = workload(e, 'auth-server');
  const colours = owner.kind === 'Rollout' && owner.spec.strategy?.blueGreen ? 2 : 1;
  return maxPodsRendered(e, owner) * colours;
}

function expectAccessModeFollowsPods(e: RenderedEnv, expectShared: boolean): void {
  const { claim } = keyStore(e);
  const pods = concurrentAuthServerPods(e);
  expect(pods > 1).toBe(expectShared);
  if (expectShared) {
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(claim.spec.storageClassName).toBe(e.config.storage.readWriteManyClass);
  } else {
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.spec.storageClassName).toBe(e.config.storage.readWriteOnceClass);
  }
  expect(String(claim.spec.resources.requests.storage)).toBe(e.config.storage.dataProtectionSize);
}

describe.each(ENVIRONMENTS)('%s: Data Protection keys', (name) => {
  test('KeyPath points into a mounted PersistentVolumeClaim', () => {
    const ks = keyStore(stack.env(name));
    expect(ks.keyPath).toMatch(/^\//);
    expect(ks.claim.apiVersion).toBe('v1');
  });

  test('the claim is ReadWriteMany exactly when auth-server can run more than one pod', () => {
    expectAccessModeFollowsPods(stack.env(name), name !== 'development');
  });

  test('the claim is protected from Argo CD prune and delete', () => {
    const { claim } = keyStore(stack.env(name));
    const options = String(claim.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '')
      .split(',')
      .map((o) => o.trim());
    expect(options).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
  });

  test('read-write mode: the mount is writable and the setting says false', () => {
    const ks = keyStore(stack.env(name));
    expect(stack.env(name).config.features.dataProtectionReadOnly).toBe(false);
    expect(ks.readOnlySetting).toBe('false');
    expect(ks.mount.readOnly ?? false).toBe(false);
  });
});

describe('Data Protection keys with modified configuration', () => {
  test('development with two auth-server replicas (and durable Hangfire) gets a ReadWriteMany claim and a PDB', () => {
    const c = config('development');
    c.workloads['auth-server'].scaling = { replicas: 2 };
    c.features.hangfireStorage = 'PostgreSql';
    const e = renderConfig(accepted(c));
    expect(get(e, 'Deployment', 'auth-server').spec.replicas).toBe(2);
    expectAccessModeFollowsPods(e, true);
    const pdbs = byKind(e, 'PodDisruptionBudget').filter((p) =>
      selects(p.spec.selector?.matchLabels, get(e, 'Deployment', 'auth-server').spec.template.metadata.labels),
    );
    expect(pdbs.length).toBe(1);
  });

  test('development with an auth-server HPA that can reach 3 pods gets a ReadWriteMany claim', () => {
    const c = config('development');
    c.workloads['auth-server'].scaling = { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 70 };
    c.features.hangfireStorage = 'PostgreSql';
    const e = renderConfig(accepted(c));
    expect('replicas' in get(e, 'Deployment', 'auth-server').spec).toBe(false);
    expectAccessModeFollowsPods(e, true);
  });

  test('development with an auth-server HPA capped at 1 pod keeps a ReadWriteOnce claim', () => {
    const c = config('development');
    c.workloads['auth-server'].scaling = { minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 70 };
    const e = renderConfig(accepted(c));
    expectAccessModeFollowsPods(e, false);
  });

  test('development with a single-replica blue-green auth-server gets a ReadWriteMany claim: both colours run during a release', () => {
    const c = config('development');
    c.workloads['auth-server'].strategy = { type: 'blue-green', promotion: 'automatic', scaleDownDelaySeconds: 30, prePromotionAnalysis: false };
    c.features.hangfireStorage = 'PostgreSql';
    const e = renderConfig(accepted(c));
    expect(workload(e, 'auth-server').kind).toBe('Rollout');
    expect(workload(e, 'auth-server').spec.replicas).toBe(1);
    expect(concurrentAuthServerPods(e)).toBe(2);
    expectAccessModeFollowsPods(e, true);
  });

  test('configuration refuses a single-replica blue-green auth-server with in-memory Hangfire (two pods run during a release)', () => {
    const c = config('development');
    c.workloads['auth-server'].strategy = { type: 'blue-green', promotion: 'automatic', scaleDownDelaySeconds: 30, prePromotionAnalysis: false };
    expect(c.features.hangfireStorage).toBe('InMemory');
    expect(() => accepted(c)).toThrow(/field features\.hangfireStorage: must be PostgreSql when auth-server or app-server can run more than one pod/);
  });

  test('configuration refuses two auth-server pods with in-memory Hangfire', () => {
    const c = config('development');
    c.workloads['auth-server'].scaling = { replicas: 2 };
    c.features.hangfireStorage = 'InMemory';
    expect(() => accepted(c)).toThrow(/features\.hangfireStorage/);
  });

  test.each(ENVIRONMENTS)('%s in read-only mode mounts the keys read-only and says so', (name) => {
    const c = config(name);
    c.features.dataProtectionReadOnly = true;
    const e = renderConfig(accepted(c));
    const ks = keyStore(e);
    expect(ks.readOnlySetting).toBe('true');
    expect(ks.mount.readOnly).toBe(true);
    // The claim itself is still the shared/single one the pod count demands.
    expectAccessModeFollowsPods(e, name !== 'development');
  });
});
