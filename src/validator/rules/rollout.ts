import type { V1Container, V1Deployment, V1Probe } from '@kubernetes/client-node';
import type { PodTemplate, ValidationContext } from '../context';
import { at, isRecord, num } from '../../manifests';
import { definePodRule, defineRule, RuleFinding } from '../rule';

function probePortKnown(container: V1Container, port: unknown): boolean {
  if (port === undefined) return true;
  const ports = container.ports ?? [];
  if (typeof port === 'number') return ports.length === 0 || ports.some((p) => p.containerPort === port);
  return ports.some((p) => p.name === port);
}

/** SPEC §2 rule 13: probes on the health endpoints. */
export const healthProbes = definePodRule({
  id: 'health-probes',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 13 (probes); setup guide §4 "Health endpoints enabled"',
  description:
    'The main container of every component has readiness, liveness and startup probes; HTTP components probe their declared health endpoints ' +
    '(readiness `/health/ready`, liveness and startup `/health/live`) on a port the container declares.',
  remediation: 'Add httpGet probes on the component\'s health paths and a declared container port (data stores: exec or tcpSocket probes).',
  check(t, ctx) {
    const c = ctx.components.get(t.component);
    if (!c) return [];
    const main = ctx.pods.mainContainer(t);
    if (!main) return [];
    const base = [...t.path, 'spec', 'containers', main.index];
    const out: RuleFinding[] = [];
    const expectPath = { readinessProbe: c.health?.ready, livenessProbe: c.health?.live, startupProbe: c.health?.live } as const;
    for (const field of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      const probe: V1Probe | undefined = main.container[field];
      if (!isRecord(probe)) {
        out.push({ message: `${t.component} has no ${field}`, path: base });
        continue;
      }
      const want = expectPath[field];
      if (want === undefined) continue;
      const get = probe.httpGet;
      if (!isRecord(get)) {
        out.push({ message: `${field} of ${t.component} is not an HTTP probe of ${want}`, path: [...base, field] });
        continue;
      }
      if (get.path !== want) out.push({ message: `${field} of ${t.component} probes ${String(get.path)}, not ${want}`, path: [...base, field, 'httpGet', 'path'] });
      if (!probePortKnown(main.container, get.port)) out.push({ message: `${field} of ${t.component} uses port ${String(get.port)}, which the container does not declare`, path: [...base, field, 'httpGet', 'port'] });
    }
    return out;
  },
});

/** Whether a count or percentage is zero (`0`, `"0"`, `"0%"`). */
export function isZero(v: unknown): boolean {
  return v === 0 || v === '0' || v === '0%';
}

/** SPEC §2 rule 13: RollingUpdate with maxUnavailable 0. */
export const rollingUpdateSafe = defineRule({
  id: 'rolling-update-safe',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 13 (RollingUpdate, maxUnavailable 0); setup guide §4 "Rolling/blue-green deployment strategy"',
  description: 'Deployments of components use `strategy.type: RollingUpdate` with `maxUnavailable: 0` (the default 25% drops capacity during a rollout).',
  remediation: 'Set spec.strategy to `{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}`.',
  scope: { kinds: ['Deployment'] },
  check(o, ctx) {
    const d = o.object as V1Deployment;
    if (!ctx.components.get(ctx.pods.of(o)?.component)) return [];
    const s = d.spec?.strategy;
    if (isRecord(s) && s.type === 'Recreate') return [{ message: 'strategy Recreate stops every pod before starting new ones', path: ['spec', 'strategy', 'type'] }];
    const mu = s?.rollingUpdate?.maxUnavailable;
    if (!isZero(mu)) {
      return [{ message: `maxUnavailable is ${mu === undefined ? 'unset (default 25%)' : String(mu)}, not 0`, path: s?.rollingUpdate ? ['spec', 'strategy', 'rollingUpdate'] : ['spec'] }];
    }
    if (isZero(s?.rollingUpdate?.maxSurge)) return [{ message: 'maxSurge and maxUnavailable are both 0: the rollout cannot progress', path: ['spec', 'strategy', 'rollingUpdate', 'maxSurge'] }];
    return [];
  },
});

/** SPEC §2 rule 13: HPA on public components and app-server outside development; no replicas under an HPA. */
export const hpaManagedReplicas = definePodRule({
  id: 'hpa-managed-replicas',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 13 (HPA, no replicas field where an HPA owns the count)',
  description:
    'In staging and production the public components and app-server are scaled by an `autoscaling/v2` HorizontalPodAutoscaler with `minReplicas` of at least 2; a workload an HPA ' +
    'scales has no `spec.replicas` (Argo CD would fight the autoscaler) (kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured and horizontalpodautoscaler-replicas, Polaris hpaMinAvailability).',
  remediation:
    "Where an HPA owns the replica count, delete spec.replicas from the workload (the HPA's minReplicas sets the floor); where a component must autoscale and has none, " +
    'add an autoscaling/v2 HorizontalPodAutoscaler targeting it; keep one autoscaling/v2 HPA per workload.',
  check(t, ctx) {
    const o = t.owner;
    const hpas = ctx.pods.autoscalersOf(o);
    const out: RuleFinding[] = [];
    if (hpas.length > 0 && at(o.object, ['spec', 'replicas']) !== undefined && at(o.object, ['spec', 'replicas']) !== null) {
      const hpa = ctx.objects.nameOf(hpas[0]);
      out.push({
        message: `spec.replicas is set although HorizontalPodAutoscaler ${hpa} owns the replica count: remove spec.replicas`,
        path: ['spec', 'replicas'],
        remediation: `Delete spec.replicas from the ${o.object.kind}; HorizontalPodAutoscaler ${hpa}'s minReplicas sets the floor (with the field, every sync resets the autoscaled count).`,
      });
    }
    if (hpas.length > 1) {
      out.push({ message: `${hpas.length} autoscalers target this workload`, path: ['metadata', 'name'], remediation: 'Keep one HorizontalPodAutoscaler per workload and delete the others.' });
    }
    for (const h of hpas) {
      if (h.object.apiVersion !== 'autoscaling/v2') {
        out.push({ message: `HorizontalPodAutoscaler ${ctx.objects.nameOf(h)} uses ${h.object.apiVersion}; use autoscaling/v2`, path: ['metadata', 'name'], remediation: 'Render the HorizontalPodAutoscaler as autoscaling/v2.' });
      }
    }
    if (ctx.env.name !== 'development') {
      for (const h of hpas) {
        const min = num(at(h.object, ['spec', 'minReplicas']));
        if (min !== undefined && min >= 2) continue;
        out.push({
          on: h,
          message: `HorizontalPodAutoscaler ${ctx.objects.nameOf(h)} may scale ${t.name} down to ${min ?? '1 (minReplicas unset)'} pod in ${ctx.env.name}: one pod is down during every rollout or node drain`,
          path: ['spec', ...(min === undefined ? [] : ['minReplicas'])],
          remediation: `Set minReplicas to at least 2 (workloads.<id>.scaling.minReplicas in config/${ctx.env.name}.yaml).`,
        });
      }
    }
    const c = ctx.components.get(t.component);
    const needs = c && (c.exposure === 'public' || c.role === 'app-server') && ctx.env.name !== 'development';
    if (needs && hpas.length === 0) {
      out.push({
        message: `${c.id} has no HorizontalPodAutoscaler in ${ctx.env.name}`,
        path: ['metadata', 'name'],
        remediation: `Add an autoscaling/v2 HorizontalPodAutoscaler targeting the ${o.object.kind} (replica bounds from config/${ctx.env.name}.yaml) and leave spec.replicas unset.`,
      });
    }
    return out;
  },
});

/** Pod templates some PodDisruptionBudget covers (computed once). */
function coveredByPdb(ctx: ValidationContext): Map<PodTemplate, import('../../manifests').LoadedObject[]> {
  return ctx.memo('pdb:covered', () => {
    const m = new Map<PodTemplate, import('../../manifests').LoadedObject[]>();
    for (const pdb of ctx.objects.ofKind('PodDisruptionBudget')) {
      if (!ctx.schema.readable(pdb, ['spec'])) continue;
      const sel = at(pdb.object, ['spec', 'selector']);
      if (!isRecord(sel)) continue;
      for (const t of ctx.pods.select(ctx.objects.namespaceOf(pdb), sel)) {
        const l = m.get(t) ?? [];
        l.push(pdb);
        m.set(t, l);
      }
    }
    return m;
  });
}

/** SPEC §2 rule 13: a PDB wherever more than one pod can run. */
export const pdbRequired = definePodRule({
  id: 'pdb-required',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 13 (PodDisruptionBudget wherever more than one replica can run)',
  description:
    'A workload that can run more than one pod (replicas or HPA maxReplicas > 1) is covered by a PodDisruptionBudget that still lets one pod be evicted, also when the workload ' +
    'runs its fewest pods (HPA minReplicas): a warning otherwise (kube-linter pdb-max-unavailable and pdb-min-available, Polaris pdbDisruptionsIsZero and pdbMinAvailableGreaterThanHPAMinReplicas).',
  remediation: 'Add a policy/v1 PodDisruptionBudget selecting the pods with `maxUnavailable: 1`.',
  check(t, ctx) {
    if (t.kind === 'Pod' || t.kind === 'Job' || t.kind === 'CronJob') return [];
    const max = ctx.pods.maxPods(t);
    if (max <= 1) return [];
    const pdbs = coveredByPdb(ctx).get(t) ?? [];
    if (pdbs.length === 0) return [{ message: `up to ${Number.isFinite(max) ? max : 'many'} pods can run but no PodDisruptionBudget selects them`, path: [...t.path, 'metadata', 'labels'] }];
    const out: RuleFinding[] = [];
    const min = ctx.pods.minPods(t);
    for (const p of pdbs) {
      const mu = at(p.object, ['spec', 'maxUnavailable']);
      const ma = at(p.object, ['spec', 'minAvailable']);
      const name = ctx.objects.nameOf(p);
      if (isZero(mu) || ma === '100%') {
        out.push({ message: `PodDisruptionBudget ${name} allows no voluntary eviction: node drains would block`, path: [...t.path, 'metadata', 'labels'], severity: 'warning' });
      } else if (typeof ma === 'number' && ma >= min) {
        out.push({
          message: `PodDisruptionBudget ${name} keeps ${ma} pods available, but the workload runs ${min} when scaled in: node drains would block then`,
          path: [...t.path, 'metadata', 'labels'],
          severity: 'warning',
          remediation: `Use maxUnavailable: 1 in PodDisruptionBudget ${name}, or a minAvailable below ${min}.`,
        });
      } else if (mu === undefined && ma === undefined) {
        out.push({ message: `PodDisruptionBudget ${name} sets neither minAvailable nor maxUnavailable`, path: [...t.path, 'metadata', 'labels'], severity: 'warning', remediation: `Set maxUnavailable: 1 in PodDisruptionBudget ${name}.` });
      }
    }
    return out;
  },
});

