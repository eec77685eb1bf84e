import { isRecord, list, WORKLOAD_KIND_NAMES } from '../../manifests';
import type { V1Service } from '@kubernetes/client-node';
import type { PodTemplate } from '../context';
import { routeBackends, serviceComponents } from '../k8s/routes';
import { defineRule, RuleFinding } from '../rule';
import type { ValidationContext } from '../context';

function internal(ctx: ValidationContext, ids: Iterable<string>): string[] {
  return [...ids].filter((id) => ctx.components.get(id)?.exposure === 'internal').sort();
}

function podExposure(ctx: ValidationContext, t: PodTemplate): RuleFinding[] {
  if (!t.component || ctx.components.get(t.component)?.exposure !== 'internal') return [];
  const out: RuleFinding[] = [];
  const spec = [...t.path, 'spec'];
  if (t.spec.hostNetwork === true) {
    out.push({ message: `internal component ${t.component} uses hostNetwork: its ports are open on the node`, path: [...spec, 'hostNetwork'] });
  }
  for (const field of ['initContainers', 'containers'] as const) {
    list(t.spec[field]).forEach((c, ci) => {
      list(isRecord(c) ? c.ports : undefined).forEach((p, pi) => {
        if (isRecord(p) && typeof p.hostPort === 'number' && p.hostPort !== 0) {
          out.push({
            message: `internal component ${t.component} publishes hostPort ${p.hostPort} on the node`,
            path: [...spec, field, ci, 'ports', pi, 'hostPort'],
          });
        }
      });
    });
  }
  return out;
}

/** SPEC §2 rule 1: internal components are not reachable from outside the cluster. */
export const internalNotExposed = defineRule({
  id: 'internal-not-exposed',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 1; runbook "Recommended topology" (internal-only AppServer, PostgreSQL, Redis)',
  description:
    'Internal components (app-server, postgresql, redis) have no Ingress or HTTPRoute, no LoadBalancer or NodePort Service, no externalIPs, ' +
    'no hostPort and no hostNetwork.',
  remediation:
    'Remove the route or the host networking, and make the Service `type: ClusterIP` without externalIPs; internal components are reached only through their ClusterIP Service.',
  scope: { kinds: ['Service', 'Ingress', 'HTTPRoute', ...WORKLOAD_KIND_NAMES] },
  check(o, ctx) {
    const kind = o.object.kind;
    if (kind === 'Service') {
      const svc = o.object as V1Service;
      const hit = internal(ctx, serviceComponents(ctx, o));
      if (hit.length === 0) return [];
      const out: RuleFinding[] = [];
      const type = svc.spec?.type;
      if (type === 'LoadBalancer' || type === 'NodePort') {
        out.push({ message: `Service of internal component ${hit.join(', ')} has type ${type}`, path: ['spec', 'type'] });
      }
      if (list(svc.spec?.externalIPs).length > 0) {
        out.push({ message: `Service of internal component ${hit.join(', ')} has externalIPs`, path: ['spec', 'externalIPs'] });
      }
      return out;
    }
    if (kind === 'Ingress' || kind === 'HTTPRoute') {
      const out: RuleFinding[] = [];
      for (const b of routeBackends(o)) {
        const svc = ctx.objects.get('Service', ctx.objects.namespaceOf(o), b.service);
        const ids = svc ? serviceComponents(ctx, svc) : new Set([b.service]);
        const hit = internal(ctx, ids);
        if (hit.length > 0) out.push({ message: `${kind} routes ${b.urlPath} to internal component ${hit.join(', ')} (Service ${b.service})`, path: b.path });
      }
      return out;
    }
    const t = ctx.pods.of(o);
    return t ? podExposure(ctx, t) : [];
  },
});
