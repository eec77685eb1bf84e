/**
 * Checks done once the index is built: named ports that resolve nowhere, and the routes from the
 * edge to the pods behind each Service.
 */
import { ConnectionSet } from './connection-set';
import type { RouteInfo, ServiceInfo, ServicePort, WarningSink } from './model';
import type { CompiledPolicy } from './policies';
import type { PodState, PodStore } from './pods';
import type { ObjectRef, PodEndpoint, Workload } from './types';

/** Where the ingress controller may send traffic because an Ingress or HTTPRoute routes there. */
export interface RouteTarget {
  readonly workload: Workload;
  readonly pod: PodEndpoint;
  /** The Service's target ports on that pod (before NetworkPolicies are applied). */
  readonly conns: ConnectionSet;
  /** The Ingress or HTTPRoute. */
  readonly route: ObjectRef;
  /** `namespace/name` of the Service. */
  readonly service: string;
}

/** Warns about named ports of policy rules that resolve on none of the pods they concern. */
export function checkNamedPorts(policies: readonly CompiledPolicy[], pods: PodStore, warn: WarningSink): void {
  for (const p of policies) {
    const sel = pods.selectedBy(p);
    for (const r of p.ingress ?? []) {
      if (r.ports === 'all' || r.ports.named.length === 0) continue;
      for (const n of r.ports.named) {
        const missing = new Set<string>();
        for (const st of sel) {
          if (!st.ep.ports.some((x) => x.name === n.name && x.protocol === n.protocol)) missing.add(st.ep.id);
        }
        if (missing.size === 0) continue;
        warn.add(
          'named-port-unresolved',
          `NetworkPolicy ${p.namespace}/${p.name}: named port "${n.name}" (${n.protocol}) of ingress rule ${r.index + 1} does not resolve on ${[...missing].sort().join(', ')}: no container port has that name`,
          p.source,
          ['spec', 'ingress', r.index, 'ports'],
        );
      }
    }
    if (sel.length === 0) continue;
    for (const r of p.egress ?? []) {
      if (r.ports === 'all' || r.ports.named.length === 0) continue;
      const dsts: PodState[] =
        r.peers === 'all' ? pods.states : r.peers.flatMap((peer) => pods.peerPods(p, peer));
      for (const n of r.ports.named) {
        if (dsts.some((st) => st.ep.ports.some((x) => x.name === n.name && x.protocol === n.protocol))) continue;
        warn.add(
          'named-port-unresolved',
          `NetworkPolicy ${p.namespace}/${p.name}: named port "${n.name}" (${n.protocol}) of egress rule ${r.index + 1} does not resolve on any destination pod of the rule`,
          p.source,
          ['spec', 'egress', r.index, 'ports'],
        );
      }
    }
  }
}

/**
 * Where Ingresses and HTTPRoutes send the ingress controller's traffic: the Service target ports
 * on the pods the Service selects; routes that lead nowhere are warnings.
 */
export function resolveRoutes(
  routes: readonly RouteInfo[],
  services: ReadonlyMap<string, ServiceInfo>,
  store: PodStore,
  workloadById: ReadonlyMap<string, Workload>,
  defaultNamespace: string,
  warn: WarningSink,
): RouteTarget[] {
  const targets: RouteTarget[] = [];
  for (const route of routes) {
    const what = `${route.source.obj.kind} ${route.source.obj.metadata?.namespace ?? defaultNamespace}/${route.source.obj.metadata?.name ?? ''}`;
    const svcKey = `${route.namespace}/${route.service}`;
    const svc = services.get(svcKey);
    if (!svc) {
      warn.add('route-unresolved', `${what} routes to Service ${svcKey}, which is not in the manifests`, route.source, route.path);
      continue;
    }
    const ports =
      route.port === undefined
        ? svc.ports
        : svc.ports.filter((p) => (typeof route.port === 'number' ? p.port === route.port : p.name === route.port));
    if (ports.length === 0) {
      warn.add('route-unresolved', `${what} routes to port ${String(route.port)} of Service ${svcKey}, which has no such port`, route.source, route.path);
      continue;
    }
    if (!svc.selector) {
      warn.add('route-unresolved', `${what} routes to Service ${svcKey}, which has no selector`, route.source, route.path);
      continue;
    }
    const pods = store.select(svc.namespace, svc.selector);
    if (pods.length === 0) {
      warn.add('route-unresolved', `${what} routes to Service ${svcKey}, whose selector matches no pod`, svc.source, ['spec', 'selector']);
      continue;
    }
    const routeRef: ObjectRef = {
      key: `${route.source.obj.kind}/${route.source.obj.metadata?.namespace ?? defaultNamespace}/${route.source.obj.metadata?.name ?? ''}`,
      ...(route.source.loaded ? { location: route.source.loaded.location } : {}),
    };
    for (const st of pods) {
      const conns = targetPortsOn(st, ports, svc, svcKey, warn);
      if (conns.isEmpty()) continue;
      targets.push({
        workload: workloadById.get(st.ep.id)!,
        pod: st.ep,
        conns,
        route: routeRef,
        service: svcKey,
      });
    }
  }
  return targets;
}

/**
 * The target ports of a Service's `ports` on one pod it selects; a named targetPort that no
 * container port of the pod carries is a warning.
 */
function targetPortsOn(st: PodState, ports: readonly ServicePort[], svc: ServiceInfo, svcKey: string, warn: WarningSink): ConnectionSet {
  let conns = ConnectionSet.none();
  for (const sp of ports) {
    const tp = sp.targetPort ?? sp.port;
    if (typeof tp === 'number') {
      if (Number.isInteger(tp) && tp >= 1 && tp <= 65535) conns = conns.union(ConnectionSet.ports(sp.protocol, tp));
      continue;
    }
    const hits = st.ep.ports.filter((x) => x.name === tp && x.protocol === sp.protocol);
    if (hits.length === 0) {
      warn.add(
        'named-port-unresolved',
        `Service ${svcKey}: targetPort "${tp}" does not resolve on ${st.ep.id}: no container port has that name`,
        svc.source,
        ['spec', 'ports'],
      );
    }
    for (const h of hits) conns = conns.union(ConnectionSet.ports(h.protocol, h.port));
  }
  return conns;
}
