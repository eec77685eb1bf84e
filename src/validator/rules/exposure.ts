import { isRecord, list, text, WORKLOAD_KIND_NAMES } from '../../manifests';
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
    'Internal components (app-server, postgresql, redis) have no Ingress or HTTPRoute, no hostPort and no hostNetwork. (No Service of any component is a LoadBalancer or ' +
    'NodePort or has externalIPs: see service-type.)',
  remediation: 'Remove the route or the host networking; internal components are reached only through their ClusterIP Service.',
  scope: { kinds: ['Ingress', 'HTTPRoute', ...WORKLOAD_KIND_NAMES] },
  check(o, ctx) {
    const kind = o.object.kind;
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

/** SPEC §2 rule 1, for every Service: the edge is the only way into the namespace. */
export const serviceType = defineRule({
  id: 'service-type',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 1, for every component (kube-score service-type, kube-linter exposed-services): the edge is the only way in',
  description:
    "Every Service of the environment's namespace is a ClusterIP (or headless, or ExternalName) Service without externalIPs: a LoadBalancer or NodePort Service, or an external IP, " +
    'opens pods to the outside past the edge (no TLS, headers or admin guard), for public components too, which are reached through their Ingress or HTTPRoute only.',
  remediation: 'Make the Service `type: ClusterIP` (the default) and remove externalIPs; expose public components through the edge (config/<env>.yaml edge and hosts).',
  scope: { kinds: ['Service'] },
  check(o, ctx) {
    if (ctx.objects.namespaceOf(o) !== ctx.namespace) return [];
    const svc = o.object as V1Service;
    const ids = [...serviceComponents(ctx, o)].filter((id) => ctx.components.get(id) !== undefined).sort();
    const name = ctx.objects.nameOf(o);
    const of = ids.length === 0 ? '' : ` (${ids.map((id) => `${ctx.components.get(id)!.exposure} component ${id}`).join(', ')})`;
    const out: RuleFinding[] = [];
    const type = svc.spec?.type;
    if (type === 'LoadBalancer' || type === 'NodePort') {
      out.push({ message: `Service ${name}${of} has type ${type}: it opens the pods on every node${type === 'LoadBalancer' ? ' and an external load balancer' : ''}, past the edge`, path: ['spec', 'type'] });
    }
    const ips = list(svc.spec?.externalIPs);
    if (ips.length > 0) out.push({ message: `Service ${name}${of} has externalIPs ${ips.map((x) => text(x)).join(', ')}: traffic to them reaches the pods past the edge`, path: ['spec', 'externalIPs'] });
    return out;
  },
});
