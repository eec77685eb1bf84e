import type { EnvironmentConfig } from '../config/schema';
import { ComponentSpec, Topology } from './model';

/**
 * The topology as one environment runs it: which components are in the cluster, the port
 * each serves on, and every allowed connection with its concrete destination. Both the
 * generator and the validator read this; it holds no Kubernetes objects.
 */
export interface EffectiveComponent {
  readonly spec: ComponentSpec;
  readonly id: string;
  /** false for a data store that is a managed service outside the cluster. */
  readonly inCluster: boolean;
  /** Port clients connect to (the TLS port when AppServer mTLS is on). */
  readonly servingPort: number;
  /** Port probes use (differs from servingPort only when mTLS requires client certificates). */
  readonly healthPort: number;
}

/** Where a connection goes: a component in the cluster or an address range outside it. */
export type Destination =
  | { readonly kind: 'component'; readonly id: string; readonly port: number }
  | { readonly kind: 'external'; readonly name: string; readonly cidr: string; readonly port: number };

export interface EffectiveEdge {
  readonly from: string;
  readonly to: Destination;
  readonly purpose: string;
}

export interface EffectiveTopology {
  readonly topology: Topology;
  readonly environment: string;
  readonly namespace: string;
  readonly components: readonly EffectiveComponent[];
  readonly edges: readonly EffectiveEdge[];
}

/** Resolves the topology for one environment's configuration. */
export function effectiveTopology(topology: Topology, env: EnvironmentConfig): EffectiveTopology {
  const mtls = env.features.appServerMtls;
  const components = topology.components.map((spec): EffectiveComponent => {
    const store = spec.dataStore ? env.dataStores[spec.dataStore] : undefined;
    const inCluster = !store || store.mode === 'in-cluster';
    let servingPort = spec.port;
    if (store && store.mode === 'managed') servingPort = store.port;
    if (spec.role === 'app-server' && mtls.enabled) servingPort = mtls.port;
    return { spec, id: spec.id, inCluster, servingPort, healthPort: spec.port };
  });
  const byId = new Map(components.map((c) => [c.id, c]));

  const edges: EffectiveEdge[] = [];
  for (const e of topology.edges) {
    if (e.condition === 'outside-development-or-enabled' && !env.features.authServerRedis) continue;
    const target = byId.get(e.to)!;
    const store = target.spec.dataStore ? env.dataStores[target.spec.dataStore] : undefined;
    const to: Destination =
      store && store.mode === 'managed'
        ? { kind: 'external', name: `managed-${target.id}`, cidr: store.cidr, port: store.port }
        : { kind: 'component', id: target.id, port: target.servingPort };
    edges.push({ from: e.from, to, purpose: e.purpose });
  }
  for (const svc of env.externalServices) {
    for (const from of svc.from) {
      edges.push({ from, to: { kind: 'external', name: svc.name, cidr: svc.cidr, port: svc.port }, purpose: svc.name });
    }
  }
  return { topology, environment: env.name, namespace: env.namespace, components, edges };
}

/** Edges leaving a component. */
export function edgesFrom(t: EffectiveTopology, id: string): EffectiveEdge[] {
  return t.edges.filter((e) => e.from === id);
}

/** Edges arriving at an in-cluster component. */
export function edgesTo(t: EffectiveTopology, id: string): EffectiveEdge[] {
  return t.edges.filter((e) => e.to.kind === 'component' && e.to.id === id);
}
