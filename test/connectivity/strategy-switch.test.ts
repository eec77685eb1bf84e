import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderEnvironment } from '../../charts/app';
import { main } from '../../src/cli/connectivity';
import { diffConnectivity } from '../../src/connectivity';
import type { EnvironmentConfig } from '../../src/config/schema';
import { parseManifests } from '../../src/manifests';
import { analyzeConnectivity, ConnectionSet } from '../../src/netpol';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { shippedEnv } from '../support/render';

/**
 * The connectivity report across a switch between rolling and blue-green releases: the component's
 * pods move from a Deployment to a Rollout of the same name, and the report compares them as one,
 * so the only change is the path the pre-promotion analysis opens.
 */
const production = shippedEnv('production');
const rolling: EnvironmentConfig = {
  ...production,
  workloads: Object.fromEntries(Object.entries(production.workloads).map(([id, w]) => [id, { ...w, strategy: { type: 'rolling' as const } }])),
};

function report(env: EnvironmentConfig) {
  const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
  return analyzeConnectivity(objects, { ingressController: { namespace: env.edge.controller.namespace, labels: env.edge.controller.podLabels } });
}

const CONTROLLER = 'argo-rollouts/{app.kubernetes.io/name=argo-rollouts}';

test('rolling -> blue-green: the Deployments become Rollouts of the same pods; only the analysis paths open', () => {
  const diff = diffConnectivity(report(rolling).connections, report(production).connections);
  expect(diff.replaced).toEqual(
    ['api', 'auth-server', 'frontend'].map((id) => ({ before: `ctis-production/${id}[Deployment]`, after: `ctis-production/${id}[Rollout]` })),
  );
  expect(diff.changes.map((c) => `${c.change} ${c.src} => ${c.dst} : ${String(c.after)}`)).toEqual([
    `added ${CONTROLLER} => ctis-production/api[Rollout] : ${ConnectionSet.tcp(8080).toString()}`,
    `added ${CONTROLLER} => ctis-production/auth-server[Rollout] : ${ConnectionSet.tcp(8080).toString()}`,
    `added ${CONTROLLER} => ctis-production/frontend[Rollout] : ${ConnectionSet.tcp(3000).toString()}`,
  ]);
});

test('blue-green -> rolling closes exactly those paths; a kind change alone is no change', () => {
  const back = diffConnectivity(report(production).connections, report(rolling).connections);
  expect(back.replaced.map((r) => r.after)).toEqual(['ctis-production/api[Deployment]', 'ctis-production/auth-server[Deployment]', 'ctis-production/frontend[Deployment]']);
  expect(back.changes.map((c) => `${c.change} ${c.src} => ${c.dst}`)).toEqual([
    `removed ${CONTROLLER} => ctis-production/api[Deployment]`,
    `removed ${CONTROLLER} => ctis-production/auth-server[Deployment]`,
    `removed ${CONTROLLER} => ctis-production/frontend[Deployment]`,
  ]);
  const same = report(production).connections;
  expect(diffConnectivity(same, same)).toMatchObject({ changes: [], replaced: [] });
});

test('a Deployment that stays beside a new Rollout of the same name is not merged with it', () => {
  const deployment = { src: 'ns/api[Deployment]', dst: 'ns/db[StatefulSet]', conns: ConnectionSet.tcp(5432), srcKind: 'workload' as const, dstKind: 'workload' as const };
  const rollout = { ...deployment, src: 'ns/api[Rollout]' };
  const diff = diffConnectivity([deployment], [deployment, rollout]);
  expect(diff.replaced).toEqual([]);
  expect(diff.changes.map((c) => `${c.change} ${c.src}`)).toEqual(['added ns/api[Rollout]']);
});

test('the command says which workloads it compared as one, on stderr', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-switch-'));
  try {
    for (const [name, env] of [['rolling', rolling], ['production', production]] as const) {
      for (const [file, text] of renderEnvironment(CTIS_TOPOLOGY, env)) {
        const out = path.join(dir, name, path.basename(file));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, text);
      }
    }
    let stdout = '';
    let stderr = '';
    const code = main([path.join(dir, 'production'), '--base', path.join(dir, 'rolling')], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('Connectivity changes: 3 added, 0 removed, 0 changed');
    expect(stderr).toMatch(/note: ctis-production\/api\[Deployment\] of .*rolling is ctis-production\/api\[Rollout\] in .*production \(the same pods, released by another kind of workload\): compared as one/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
