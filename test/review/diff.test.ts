import { diffSets, diffValues, formatMarkdown, formatText, fromRenderedFiles, hasChanges, resourceKey } from '../../src/review';
import { toYaml } from '../../src/synth';
import { editFile, freshRender } from './support';
import { ofKind } from '../support/k8s';

describe('field differences', () => {
  test('list items are matched by name, so a change has the item in its path', () => {
    const a = { spec: { containers: [{ name: 'api', image: 'r/api:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } };
    const b = { spec: { containers: [{ name: 'api', image: 'r/api:2', env: [{ name: 'C', value: '3' }, { name: 'A', value: '1' }] }] } };
    expect(diffValues(a, b)).toEqual([
      { path: 'spec.containers[name=api].image', kind: 'changed', old: 'r/api:1', new: 'r/api:2' },
      { path: 'spec.containers[name=api].env[name=B]', kind: 'removed', old: { name: 'B', value: '2' } },
      { path: 'spec.containers[name=api].env[name=C]', kind: 'added', new: { name: 'C', value: '3' } },
    ]);
  });

  test('keys that are not identifiers are quoted; added and removed keys carry their value', () => {
    const a = { metadata: { labels: { 'app.kubernetes.io/name': 'api', tier: 'web' } } };
    const b = { metadata: { labels: { 'app.kubernetes.io/name': 'api-v2' }, annotations: { note: 'x' } } };
    expect(diffValues(a, b)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', kind: 'changed', old: 'api', new: 'api-v2' },
      { path: 'metadata.labels.tier', kind: 'removed', old: 'web' },
      { path: 'metadata.annotations', kind: 'added', new: { note: 'x' } },
    ]);
  });

  test('lists without names are compared by index; lists of scalars as a whole', () => {
    const a = { rules: [{ host: 'a', port: 1 }], args: ['--x', '1'] };
    const b = { rules: [{ host: 'a', port: 2 }, { host: 'b', port: 3 }], args: ['--x', '2'] };
    expect(diffValues(a, b)).toEqual([
      { path: 'rules[0].port', kind: 'changed', old: 1, new: 2 },
      { path: 'rules[1]', kind: 'added', new: { host: 'b', port: 3 } },
      { path: 'args', kind: 'changed', old: ['--x', '1'], new: ['--x', '2'] },
    ]);
  });

  test('a string and a number are different values; key order is no difference', () => {
    expect(diffValues({ port: '8080' }, { port: 8080 })).toEqual([{ path: 'port', kind: 'changed', old: '8080', new: 8080 }]);
    expect(diffValues({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});

describe('resource differences between two renders', () => {
  const base = freshRender();
  /** The api image as production renders it (pinned by digest). */
  const API_IMAGE = 'registry.betts.example/ctis/api:1.8.2@sha256:d569bb2b90b24c21129fd544acf79fe7bee3ac81b8c05bbae4d03f49f67c0379';
  let head = editFile(base, 'production/api.yaml', (docs) => {
    // production releases api blue-green: a new image is a change of the Rollout's template.
    const rollout = ofKind(docs, 'Rollout')[0];
    rollout.spec.template.spec.containers[0].image = 'registry.betts.example/ctis/api:1.8.3';
    return docs.filter((d) => !(d.kind === 'Service' && d.metadata.name === 'api')); // the api Service is gone
  });
  const extra = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'feature-flags', namespace: 'ctis-production' }, data: { beta: 'true' } };
  head = new Map([...head, ['production/extra.yaml', toYaml([extra])]]);
  const report = diffSets({ label: 'dist/', set: fromRenderedFiles(base) }, { label: 'edited', set: fromRenderedFiles(head) });

  test('reports the added, the removed and the changed resource with exact paths and values', () => {
    const production = report.environments.find((e) => e.env === 'production')!;
    expect(production.added.map((d) => [d.key, d.file])).toEqual([['v1 ConfigMap ctis-production/feature-flags', 'production/extra.yaml']]);
    expect(production.added[0].object).toEqual(extra);
    expect(production.removed.map((d) => [d.key, d.file])).toEqual([['v1 Service ctis-production/api', 'production/api.yaml']]);
    expect(production.changed).toEqual([
      {
        key: 'argoproj.io/v1alpha1 Rollout ctis-production/api',
        file: 'production/api.yaml',
        changes: [
          {
            path: 'spec.template.spec.containers[name=api].image',
            kind: 'changed',
            old: API_IMAGE,
            new: 'registry.betts.example/ctis/api:1.8.3',
          },
        ],
      },
    ]);
    for (const e of report.environments.filter((x) => x.env !== 'production')) {
      expect([e.env, e.added.length + e.removed.length + e.changed.length]).toEqual([e.env, 0]);
    }
  });

  test('every environment and the Argo CD folder are compared, in order', () => {
    expect(report.environments.map((e) => e.env)).toEqual(['development', 'staging', 'production', 'argocd']);
  });

  test('file names and document order are no difference', () => {
    const moved = new Map(base);
    const api = moved.get('production/api.yaml')!;
    moved.delete('production/api.yaml');
    moved.set('production/renamed.yaml', api.split(/(?=^---$)/m).reverse().join(''));
    const r = diffSets({ label: 'a', set: fromRenderedFiles(base) }, { label: 'b', set: fromRenderedFiles(moved) });
    expect(hasChanges(r)).toBe(false);
  });

  test('--env limits the comparison to one folder', () => {
    const r = diffSets({ label: 'a', set: fromRenderedFiles(base) }, { label: 'b', set: fromRenderedFiles(head) }, { env: 'staging' });
    expect(r.environments.map((e) => e.env)).toEqual(['staging']);
    expect(hasChanges(r)).toBe(false);
  });

  test('text: one line per resource, field paths with old and new values', () => {
    const text = formatText(report);
    expect(text).toContain('Changes from dist/ to edited: 1 added, 1 removed, 1 changed');
    expect(text).toContain('production: 1 added, 1 removed, 1 changed');
    expect(text).toContain('  + v1 ConfigMap ctis-production/feature-flags  (production/extra.yaml)');
    expect(text).toContain('  - v1 Service ctis-production/api  (production/api.yaml)');
    expect(text).toContain(
      [
        '  ~ argoproj.io/v1alpha1 Rollout ctis-production/api  (production/api.yaml)',
        '      spec.template.spec.containers[name=api].image',
        `        - ${API_IMAGE}`,
        '        + registry.betts.example/ctis/api:1.8.3',
      ].join('\n'),
    );
    expect(text).toContain('staging: no changes');
  });

  test('markdown: a summary table, then the resources with diff blocks', () => {
    const md = formatMarkdown(report);
    expect(md).toContain('| environment | added | removed | changed |');
    expect(md).toContain('| production | 1 | 1 | 1 |');
    expect(md).toContain('| staging | 0 | 0 | 0 |');
    expect(md).toContain('| **total** | **1** | **1** | **1** |');
    expect(md).toContain('- `v1 Service ctis-production/api` in `production/api.yaml`');
    expect(md).toContain(
      [
        '```diff',
        '@@ spec.template.spec.containers[name=api].image @@',
        `- ${API_IMAGE}`,
        '+ registry.betts.example/ctis/api:1.8.3',
        '```',
      ].join('\n'),
    );
    expect(md).toMatch(/<details><summary>`v1 ConfigMap ctis-production\/feature-flags`/);
  });

  test('switching a component between strategies: the Deployment goes, the Rollout, its preview Service and analysis come, the HPA retargets', () => {
    const rolling = editFile(base, 'production/api.yaml', (docs) => {
      const rollout = ofKind(docs, 'Rollout')[0];
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: rollout.metadata,
        spec: { selector: rollout.spec.selector, template: rollout.spec.template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
      };
      const hpa = ofKind(docs, 'HorizontalPodAutoscaler')[0];
      hpa.spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' };
      return [...docs.filter((d) => d.kind !== 'Rollout' && d.kind !== 'AnalysisTemplate' && d.metadata.name !== 'api-preview'), deployment];
    });
    const r = diffSets({ label: 'rolling', set: fromRenderedFiles(rolling) }, { label: 'blue-green', set: fromRenderedFiles(base) }, { env: 'production' });
    const production = r.environments[0];
    expect(production.removed).toEqual([]);
    expect(production.added.map((d) => d.key).sort()).toEqual([
      'argoproj.io/v1alpha1 AnalysisTemplate ctis-production/api-preview-health',
      'v1 Service ctis-production/api-preview',
    ]);
    // The Deployment and the Rollout of the same name are one change: kind and strategy, and no pod template change.
    const show = (x: { path: string; old?: unknown; new?: unknown }) => `${x.path}: ${JSON.stringify(x.old)} -> ${JSON.stringify(x.new)}`;
    expect(production.changed.map((c) => [c.key, c.changes.map(show)])).toEqual([
      [
        'apps/v1 Deployment ctis-production/api -> argoproj.io/v1alpha1 Rollout ctis-production/api',
        [
          'apiVersion: "apps/v1" -> "argoproj.io/v1alpha1"',
          'kind: "Deployment" -> "Rollout"',
          'spec.strategy.type: "RollingUpdate" -> undefined',
          'spec.strategy.rollingUpdate: {"maxSurge":1,"maxUnavailable":0} -> undefined',
          expect.stringMatching(/^spec\.strategy\.blueGreen: undefined -> \{"activeService":"api",.*"previewService":"api-preview"/),
          'spec.progressDeadlineAbort: undefined -> true',
          'spec.progressDeadlineSeconds: undefined -> 600',
          'spec.revisionHistoryLimit: undefined -> 5',
        ],
      ],
      [
        'autoscaling/v2 HorizontalPodAutoscaler ctis-production/api',
        ['spec.scaleTargetRef.apiVersion: "apps/v1" -> "argoproj.io/v1alpha1"', 'spec.scaleTargetRef.kind: "Deployment" -> "Rollout"'],
      ],
    ]);
    expect(formatText(r)).toContain('  ~ apps/v1 Deployment ctis-production/api -> argoproj.io/v1alpha1 Rollout ctis-production/api  (production/api.yaml)');
  });

  test('a Deployment and a Rollout of different names stay a removal and an addition', () => {
    const renamed = editFile(base, 'production/api.yaml', (docs) => {
      docs.find((d) => d.kind === 'Rollout')!.metadata.name = 'api-v2';
      return docs;
    });
    const r = diffSets({ label: 'a', set: fromRenderedFiles(base) }, { label: 'b', set: fromRenderedFiles(renamed) }, { env: 'production' });
    expect(r.environments[0].removed.map((d) => d.key)).toEqual(['argoproj.io/v1alpha1 Rollout ctis-production/api']);
    expect(r.environments[0].added.map((d) => d.key)).toEqual(['argoproj.io/v1alpha1 Rollout ctis-production/api-v2']);
  });

  test('equal renders: no changes, and reports that say so', () => {
    const same = diffSets({ label: 'dist/', set: fromRenderedFiles(base) }, { label: 'fresh render', set: fromRenderedFiles(base) });
    expect(hasChanges(same)).toBe(false);
    expect(formatText(same)).toBe('No differences: fresh render matches dist/.\n');
    expect(formatMarkdown(same)).toContain('No differences');
  });
});

describe('resource keys', () => {
  test('apiVersion kind namespace/name, or name alone without a namespace', () => {
    expect(resourceKey({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'ns' } })).toBe('apps/v1 Deployment ns/api');
    expect(resourceKey({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } })).toBe('v1 Namespace ns');
    expect(resourceKey({ repoURL: 'x' })).toBeUndefined();
  });

  test('the same resource twice is kept twice', () => {
    const doc = toYaml([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' } }]);
    const set = fromRenderedFiles(new Map([['production/a.yaml', doc + doc]]));
    expect([...set.get('production')!.keys()]).toEqual(['v1 ConfigMap n/a', 'v1 ConfigMap n/a (copy 2)']);
  });
});
