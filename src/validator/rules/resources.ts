import { at, isRecord, list, LoadedObject, str, text } from '../../manifests';
import type { ValidationContext } from '../context';
import { parseQuantity } from '../k8s/quantity';
import { definePodRule, RuleFinding } from '../rule';

/**
 * What the autoscalers of a workload scale on CPU utilisation: `all` (a `Resource` cpu metric, an
 * `autoscaling/v2` HPA without metrics, whose default is CPU, or `autoscaling/v1`'s
 * `targetCPUUtilizationPercentage`), or the containers a `ContainerResource` cpu metric names;
 * with the HPA that does it.
 */
function cpuScaling(ctx: ValidationContext, owner: LoadedObject): { all?: LoadedObject; containers: Map<string, LoadedObject> } {
  const out: { all?: LoadedObject; containers: Map<string, LoadedObject> } = { containers: new Map() };
  for (const h of ctx.pods.autoscalersOf(owner)) {
    if (h.object.apiVersion === 'autoscaling/v1') {
      out.all ??= h;
      continue;
    }
    const metrics = list(at(h.object, ['spec', 'metrics']));
    if (metrics.length === 0) out.all ??= h;
    for (const m of metrics) {
      if (!isRecord(m)) continue;
      if (m.type === 'Resource' && at(m, ['resource', 'name']) === 'cpu') out.all ??= h;
      const container = str(at(m, ['containerResource', 'container']));
      if (m.type === 'ContainerResource' && at(m, ['containerResource', 'name']) === 'cpu' && container && !out.containers.has(container)) out.containers.set(container, h);
    }
  }
  return out;
}

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** Generic: every container requests CPU and memory and has a memory limit. */
export const containerResources = definePodRule({
  id: 'container-resources',
  severity: 'error',
  runbookItem: 'Generic checks: schedulable, bounded pods (kube-score container-resources, kube-linter unset-cpu-requirements and unset-memory-requirements, Polaris efficiency)',
  description:
    'Every container and init container requests CPU and memory and has a memory limit: the scheduler places pods by their requests, and a container without a memory limit can take ' +
    "the node's memory from its neighbours. No request exceeds its limit (the API server refuses such a pod). Wherever a HorizontalPodAutoscaler scales on CPU utilisation " +
    '(a `Resource` or `ContainerResource` cpu metric, or the default of an HPA without metrics), the containers it measures request CPU: utilisation is a share of the request, undefined without one. ' +
    'CPU limits are not required (they throttle a busy .NET server long before the node is short of CPU).',
  remediation: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container (for the stack's components: workloads.<id>.resources in config/<env>.yaml).",
  check(t, ctx) {
    const out: RuleFinding[] = [];
    const scaling = cpuScaling(ctx, t.owner);
    for (const { field, index, container: c } of ctx.pods.containers(t)) {
      const base = [...t.path, 'spec', field, index];
      const name = text(c.name);
      const resources = at(c, ['resources']);
      const requests = at(resources, ['requests']);
      const limits = at(resources, ['limits']);
      const where = isRecord(resources) ? [...base, 'resources'] : base;
      const missing: string[] = [];
      if (at(requests, ['memory']) === undefined) missing.push('memory request');
      if (at(limits, ['memory']) === undefined) missing.push('memory limit');
      const hpa = scaling.all ?? scaling.containers.get(name);
      if (at(requests, ['cpu']) === undefined) {
        if (hpa) {
          out.push({
            message: `container ${name} has no CPU request, but HorizontalPodAutoscaler ${ctx.objects.nameOf(hpa)} scales on CPU utilisation, a share of the request: it cannot compute it`,
            path: where,
            remediation: `Set resources.requests.cpu on container ${name}, or scale HorizontalPodAutoscaler ${ctx.objects.nameOf(hpa)} on another metric.`,
          });
        } else {
          missing.unshift('CPU request');
        }
      }
      if (missing.length > 0) out.push({ message: `container ${name} has no ${missing.join(', no ')}`, path: where });
      for (const r of RESOURCES) {
        const req = parseQuantity(at(requests, [r]));
        const lim = parseQuantity(at(limits, [r]));
        if (req !== undefined && lim !== undefined && req > lim) {
          out.push({ message: `container ${name} requests more ${r} (${text(at(requests, [r]))}) than its limit (${text(at(limits, [r]))}): the API server refuses the pod`, path: [...base, 'resources', 'requests', r] });
        }
      }
    }
    return out;
  },
});
