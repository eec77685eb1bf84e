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
  const spec = isKind(x, 'CronJob') ? x.spec?.jobTemplate?.spec?.template?.spec : isKind(x, 'Deployment') || isKind(x, 'StatefulSet') || isKind(x, 'Rollout') ? x.spec?.template?.spec : undefined;
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
    // Standalone claims are in the wave of their first consumer (see below), not with the data stores.
    const data = waves(objects, 'StatefulSet');
    const apps = waves(objects, 'Deployment', 'Rollout');
    const edge = waves(objects, 'Ingress', 'Gateway', 'HTTPRoute', 'Middleware');
    expect(namespace).toHaveLength(1);
    expect(bindings.length).toBeGreaterThan(0);
    if (env !== 'production') expect(data.length).toBeGreaterThan(0); // production's data stores are managed
    expect(apps.length).toBeGreaterThan(0);
    expect(edge.length).toBeGreaterThan(0);
    expect(Math.max(...namespace)).toBeLessThan(Math.min(...bindings, ...policies));
    expect(Math.max(...bindings, ...policies)).toBeLessThan(Math.min(...data, ...apps));
    expect(Math.max(...data)).toBeLessThan(Math.min(...apps));
    expect(Math.max(...apps)).toBeLessThan(Math.min(...edge));
  });

  test('the AnalysisTemplates a Rollout runs come in an earlier wave than the Rollout; its Services in the same wave', () => {
    const rollouts = objects.filter((o) => o.object.kind === 'Rollout');
    expect(rollouts.length).toBe(env === 'production' ? 3 : 0);
    for (const r of rollouts) {
      const bg = asKind(r.object, 'Rollout').spec.strategy.blueGreen;
      const templates = bg.prePromotionAnalysis.templates.map((t) => t.templateName);
      expect(templates.length).toBeGreaterThan(0);
      for (const name of templates) {
        const t = objects.find((o) => o.object.kind === 'AnalysisTemplate' && o.object.metadata?.name === name);
        expect({ rollout: r.key, template: name, before: t !== undefined && wave(t) < wave(r) }).toEqual({ rollout: r.key, template: name, before: true });
      }
      for (const svc of [bg.activeService, bg.previewService]) {
        const s = objects.find((o) => o.object.kind === 'Service' && o.object.metadata?.name === svc)!;
        expect({ service: svc, wave: wave(s) }).toEqual({ service: svc, wave: wave(r) });
      }
    }
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

  test('every standalone claim is in the wave of its first consumer (never earlier: WaitForFirstConsumer)', () => {
    const claims = objects.filter((o) => o.object.kind === 'PersistentVolumeClaim');
    expect(claims.map((c) => c.object.metadata?.name)).toContain('auth-server-data-protection');
    for (const c of claims) {
      const consumers = objects.filter((o) => claimsOf(o).includes(String(c.object.metadata?.name)));
      expect(consumers.length).toBeGreaterThan(0);
      expect({ claim: c.key, wave: wave(c) }).toEqual({ claim: c.key, wave: Math.min(...consumers.map(wave)) });
    }
  });

  test('no sync, prune or Application deletion can remove the Namespace or a claim', () => {
    const protectedObjects = [
      ...objects.filter((o) => ['Namespace', 'PersistentVolumeClaim'].includes(String(o.object.kind))).map((o) => ({ key: o.key, metadata: o.object.metadata })),
      ...objects
        .filter((o) => o.object.kind === 'StatefulSet')
        .flatMap((o) => asKind(o.object, 'StatefulSet').spec.volumeClaimTemplates.map((t) => ({ key: `${o.key} claim template ${t.metadata.name}`, metadata: t.metadata }))),
    ];
    expect(protectedObjects.filter((p) => p.key.startsWith('Namespace/'))).toHaveLength(1);
    for (const p of protectedObjects) {
      const options = String(p.metadata?.annotations?.[SYNC_OPTIONS] ?? '').split(',').map((x) => x.trim());
      expect({ object: p.key, options }).toEqual({ object: p.key, options: expect.arrayContaining(['Prune=false', 'Delete=false']) });
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
