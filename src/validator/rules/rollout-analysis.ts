import type { V1Service } from '@kubernetes/client-node';
import { at, isRecord, list, LoadedObject, rolloutBlueGreen, str } from '../../manifests';
import type { PodTemplate, ValidationContext } from '../context';
import { rolloutTemplate } from '../k8s/rollouts';
import { defineRule, RuleFinding } from '../rule';

/** The host names that reach a Service from its namespace. */
function serviceHosts(name: string, ns: string): string[] {
  return [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
}

/** The readiness probe of the main container, with the container's ports. */
function readiness(ctx: ValidationContext, t: PodTemplate): { path?: string; port?: number } | undefined {
  const main = ctx.pods.mainContainer(t);
  const probe = main?.container.readinessProbe;
  const get = probe?.httpGet;
  if (!main || !isRecord(get)) return undefined;
  const ports = list(main.container.ports).filter(isRecord);
  const port = typeof get.port === 'number' ? get.port : ports.find((p) => p.name === get.port)?.containerPort;
  return { path: str(get.path), port: typeof port === 'number' ? port : undefined };
}

/** The container port a Service port forwards to, for the pods of a template. */
function containerPortOf(svc: V1Service, servicePort: number, t: PodTemplate): number | undefined {
  const p = list(svc.spec?.ports).find((x) => isRecord(x) && x.port === servicePort);
  if (!isRecord(p)) return undefined;
  const target = p.targetPort ?? p.port;
  if (typeof target === 'number') return target;
  for (const c of list(t.spec.containers)) {
    const hit = list(isRecord(c) ? c.ports : undefined).find((cp) => isRecord(cp) && cp.name === target);
    if (isRecord(hit) && typeof hit.containerPort === 'number') return hit.containerPort;
  }
  return undefined;
}

/** What is wrong with one web metric of the analysis of a Rollout, if anything. */
function webMetricProblem(ctx: ValidationContext, rollout: LoadedObject, t: PodTemplate, url: string): string | undefined {
  const bg = rolloutBlueGreen(rollout.object)!;
  const ns = ctx.objects.namespaceOf(rollout);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.includes('{{') ? undefined : `its URL ${url} does not parse`;
  }
  const preview = bg.previewService;
  if (!preview || !serviceHosts(preview, ns).includes(u.hostname)) {
    const active = bg.activeService && serviceHosts(bg.activeService, ns).includes(u.hostname);
    return `it requests ${u.hostname}, not the preview Service ${preview ?? '(none)'}${active ? ': the active Service reaches the old colour' : ''}`;
  }
  const ready = readiness(ctx, t);
  const component = ctx.components.get(t.component);
  const wantPath = component?.health?.ready ?? ready?.path;
  if (wantPath && u.pathname !== wantPath) return `it requests ${u.pathname}, not the readiness endpoint ${wantPath}`;
  const svc = ctx.objects.get('Service', ns, preview);
  if (!svc || ctx.schema.isMalformed(svc)) return undefined;
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const container = containerPortOf(svc.object, port, t);
  if (container === undefined) return `the preview Service ${preview} has no port ${port}`;
  if (ready?.port !== undefined && container !== ready.port) return `port ${port} of ${preview} reaches container port ${container}, not the readiness port ${ready.port}`;
  return undefined;
}

/** Blue-green: the pre-promotion analysis checks the preview pods on their health endpoint. */
export const rolloutAnalysis = defineRule({
  id: 'rollout-analysis',
  severity: 'error',
  runbookItem: 'Blue-green releases: pre-promotion analysis of the preview pods',
  description:
    'Every AnalysisTemplate a blue-green Rollout runs before promotion is in the manifests (a ClusterAnalysisTemplate with clusterScope: true), and each of its `web` metrics ' +
    "requests the component's readiness endpoint through the Rollout's preview Service on a port that reaches the readiness probe's container port " +
    '(through the active Service it would check the old colour).',
  remediation:
    'Add the AnalysisTemplate, and point its web metric at http://<preview Service>.<namespace>.svc.cluster.local:<port>/health/ready, where the port forwards to the port the readiness probe uses.',
  scope: { kinds: ['Rollout'] },
  check(o, ctx) {
    const bg = rolloutBlueGreen(o.object);
    const t = rolloutTemplate(ctx, o);
    if (!bg || !t) return [];
    const ns = ctx.objects.namespaceOf(o);
    const out: RuleFinding[] = [];
    for (const ref of bg.prePromotionAnalysis) {
      const template = ref.clusterScope ? ctx.objects.get('ClusterAnalysisTemplate', '', ref.name) : ctx.objects.get('AnalysisTemplate', ns, ref.name);
      if (!template) {
        out.push({ message: `${ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${ref.name} is not in the manifests`, path: ref.path });
        continue;
      }
      if (ctx.schema.isMalformed(template)) continue;
      list(at(template.object, ['spec', 'metrics'])).forEach((m) => {
        const url = str(at(m, ['provider', 'web', 'url']));
        if (url === undefined) return;
        const problem = webMetricProblem(ctx, o, t, url);
        if (problem) out.push({ message: `metric ${str(at(m, ['name'])) ?? '?'} of ${ref.name} does not check the preview pods: ${problem}`, path: ref.path });
      });
    }
    return out;
  },
});
