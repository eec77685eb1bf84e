import { expect } from '@jest/globals';
import * as path from 'path';
import { LoadedObject, loadManifests } from '../../src/manifests';
import { asKind, isKind } from '../support/k8s';

/**
 * Sync order and data safety, read from the committed `dist/<env>` that Argo CD syncs (the
 * drift check keeps it equal to what the sources render).
 */
const DIST = path.resolve(__dirname, '..', '..', 'dist');
const WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

function wave(o: LoadedObject): number {
  const w = o.object.metadata?.annotations?.[WAVE];
  return w === undefined ? 0 : Number(w);
}

/** Claims the pods of a workload mount. */
function claimsOf(o: LoadedObject): string[] {
  const x = o.object;
  const spec = isKind(x, 'CronJob') ? x.spec?.jobTemplate?.spec?.template?.spec : isKind(x, 'Deployment') || isKind(x, 'StatefulSet') ? x.spec?.template?.spec : undefined;
  return (spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => Boolean(n));
}

function waves(objects: LoadedObject[], ...kinds: string[]): number[] {
  return objects.filter((o) => kinds.includes(String(o.object.kind))).map(wave);
}

describe.each(['development', 'staging', 'production'])('dist/%s', (env) => {
  const objects = loadManifests(path.join(DIST, env));

  test('every sync wave is an integer', () => {
    for (const o of objects) expect(Number.isInteger(wave(o))).toBe(true);
  });

  test('namespace, then secret bindings and policies, then data stores, then apps, then the edge', () => {
    const namespace = waves(objects, 'Namespace');
    const bindings = waves(objects, 'ExternalSecret', 'Certificate');
    const policies = waves(objects, 'NetworkPolicy');
    // Claims mounted only by scheduled tasks sync with them, after the edge (see the next test).
    const taskClaims = new Set(objects.filter((o) => o.object.kind === 'CronJob').flatMap(claimsOf));
    const data = waves(objects.filter((o) => !taskClaims.has(String(o.object.metadata?.name))), 'StatefulSet', 'PersistentVolumeClaim');
    const apps = waves(objects, 'Deployment');
    const edge = waves(objects, 'Ingress', 'Gateway', 'HTTPRoute', 'Middleware');
    expect(namespace).toHaveLength(1);
    expect(bindings.length).toBeGreaterThan(0);
    expect(data.length).toBeGreaterThan(0); // the Data Protection claim, at least
    expect(apps.length).toBeGreaterThan(0);
    expect(edge.length).toBeGreaterThan(0);
    expect(Math.max(...namespace)).toBeLessThan(Math.min(...bindings, ...policies));
    expect(Math.max(...bindings, ...policies)).toBeLessThan(Math.min(...data));
    expect(Math.max(...data)).toBeLessThan(Math.min(...apps));
    expect(Math.max(...apps)).toBeLessThan(Math.min(...edge));
  });

  test('scheduled tasks and the claims only they mount come last, in one wave: such a claim stays Pending until the first run and must hold up no other wave', () => {
    const jobs = objects.filter((o) => o.object.kind === 'CronJob');
    if (env === 'production') expect(jobs).toEqual([]); // managed PostgreSQL: the provider backs it up
    else expect(jobs.length).toBe(2);
    const last = Math.max(...objects.map(wave));
    for (const j of jobs) {
      expect([j.key, wave(j)]).toEqual([j.key, last]);
      for (const claim of claimsOf(j)) {
        const pvc = objects.find((o) => o.object.kind === 'PersistentVolumeClaim' && o.object.metadata?.name === claim)!;
        expect([claim, wave(pvc)]).toEqual([claim, wave(j)]);
      }
    }
  });

  test('claims that hold data can never be pruned or deleted by a sync', () => {
    const claims = objects.filter((o) => o.object.kind === 'PersistentVolumeClaim');
    expect(claims.map((c) => c.object.metadata?.name)).toContain('auth-server-data-protection');
    for (const c of claims) {
      const options = String(c.object.metadata?.annotations?.[SYNC_OPTIONS] ?? '').split(',');
      expect({ claim: c.key, options }).toEqual({ claim: c.key, options: expect.arrayContaining(['Prune=false', 'Delete=false']) });
    }
  });

  test('StatefulSet claims outlive the set: retained when it is deleted or scaled down', () => {
    for (const s of objects.filter((o) => o.object.kind === 'StatefulSet')) {
      const spec = asKind(s.object, 'StatefulSet').spec;
      expect(spec.volumeClaimTemplates.length).toBeGreaterThan(0);
      expect({ set: s.key, policy: spec.persistentVolumeClaimRetentionPolicy }).toEqual({
        set: s.key,
        policy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      });
    }
  });
});

test('in-cluster data stores are covered where they run', () => {
  const names = loadManifests(path.join(DIST, 'staging')).filter((o) => o.object.kind === 'StatefulSet').map((o) => o.object.metadata?.name);
  expect(names.sort()).toEqual(['postgresql', 'redis']);
});
