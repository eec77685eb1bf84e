import * as path from 'path';
import { LoadedObject, loadManifests } from '../../src/manifests';

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
    const data = waves(objects, 'StatefulSet', 'PersistentVolumeClaim');
    const apps = waves(objects, 'Deployment', 'Rollout');
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

  test('the AnalysisTemplates a Rollout runs come in an earlier wave than the Rollout; its Services in the same wave', () => {
    const rollouts = objects.filter((o) => o.object.kind === 'Rollout');
    expect(rollouts.length).toBe(env === 'production' ? 3 : 0);
    for (const r of rollouts) {
      const bg = r.object.spec.strategy.blueGreen;
      const templates = bg.prePromotionAnalysis.templates.map((t: any) => t.templateName);
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
      expect(s.object.spec.volumeClaimTemplates.length).toBeGreaterThan(0);
      expect({ set: s.key, policy: s.object.spec.persistentVolumeClaimRetentionPolicy }).toEqual({
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
