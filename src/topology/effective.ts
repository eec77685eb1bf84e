import type { EnvironmentConfig } from '../config/schema';
import { releaseInbound } from './releases';
import { ComponentSpec, TaskSpec, Topology } from './model';

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
  /** Where Prometheus scrapes it, when the environment enables monitoring and the component is instrumented. */
  readonly metrics?: { readonly port: number; readonly path: string };
}

/** A scheduled task the environment runs (its data store is in the cluster and configures it). */
export interface EffectiveTask {
  readonly spec: TaskSpec;
  readonly id: string;
}

/** Pods outside the environment's namespace, chosen by their namespace and labels. */
export interface PodsElsewhere {
  /** Name in reports: `otel-collector`, `prometheus`. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Names of the connections derived from the operations configuration. */
export const OperationsPeers = {
  COLLECTOR: 'otel-collector',
  PROMETHEUS: 'prometheus',
  OBJECT_STORAGE: 'object-storage',
} as const;

/** Where a connection goes: a component in the cluster or an address range outside it. */
export type Destination =
  | { readonly kind: 'component'; readonly id: string; readonly port: number }
  | { readonly kind: 'external'; readonly name: string; readonly cidr: string; readonly port: number }
  /** Pods of another namespace of the cluster (an in-cluster OpenTelemetry collector). */
  | ({ readonly kind: 'pods'; readonly port: number } & PodsElsewhere);

export interface EffectiveEdge {
  readonly from: string;
  readonly to: Destination;
  readonly purpose: string;
}

/** A connection into a component from pods of another namespace (Prometheus scraping the metrics port). */
export interface InboundEdge {
  readonly from: PodsElsewhere;
  readonly to: string;
  readonly port: number;
  readonly purpose: string;
}

export interface EffectiveTopology {
  readonly topology: Topology;
  readonly environment: string;
  readonly namespace: string;
  readonly components: readonly EffectiveComponent[];
  readonly tasks: readonly EffectiveTask[];
  /** Connections leaving components and tasks. */
  readonly edges: readonly EffectiveEdge[];
  /** Connections into components from other namespaces, besides the ingress controller's. */
  readonly inbound: readonly InboundEdge[];
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
    const metrics = metricsEndpoint(spec, env);
    return { spec, id: spec.id, inCluster, servingPort, healthPort: spec.port, ...(metrics ? { metrics } : {}) };
  });
  const byId = new Map(components.map((c) => [c.id, c]));
  const tasks = (topology.tasks ?? []).filter((t) => taskRuns(t, env)).map((spec): EffectiveTask => ({ spec, id: spec.id }));
  const taskIds = new Set((topology.tasks ?? []).map((t) => t.id));
  const runningTasks = new Set(tasks.map((t) => t.id));

  const edges: EffectiveEdge[] = [];
  for (const e of topology.edges) {
    if (e.condition === 'outside-development-or-enabled' && !env.features.authServerRedis) continue;
    if (taskIds.has(e.from) && !runningTasks.has(e.from)) continue;
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
  edges.push(...operationsEdges(components, env));
  const inbound: InboundEdge[] = [];
  if (env.monitoring.enabled) {
    const prometheus = { name: OperationsPeers.PROMETHEUS, namespace: env.monitoring.prometheus.namespace, labels: env.monitoring.prometheus.podLabels };
    for (const c of components) {
      if (c.metrics) inbound.push({ from: prometheus, to: c.id, port: c.metrics.port, purpose: `Prometheus scrapes ${c.metrics.path}` });
    }
  }
  inbound.push(...releaseInbound(components, env));
  return { topology, environment: env.name, namespace: env.namespace, components, tasks, edges, inbound };
}

/** The metrics endpoint of an instrumented component where monitoring is on. */
function metricsEndpoint(spec: ComponentSpec, env: EnvironmentConfig): EffectiveComponent['metrics'] {
  if (!spec.telemetry || !env.monitoring.enabled) return undefined;
  const runtime = spec.runtime;
  if (runtime !== 'dotnet' && runtime !== 'nextjs') return undefined;
  return env.monitoring.metrics[runtime];
}

/** Whether a task runs: its data store is in the cluster and configures it. */
function taskRuns(task: TaskSpec, env: EnvironmentConfig): boolean {
  const store = task.of === 'postgresql' || task.of === 'redis' ? env.dataStores[task.of] : undefined;
  return store !== undefined && store.mode === 'in-cluster' && store.backup !== undefined;
}

/** Egress of the instrumented components to the collector, and of the storage consumers to the bucket. */
function operationsEdges(components: readonly EffectiveComponent[], env: EnvironmentConfig): EffectiveEdge[] {
  const out: EffectiveEdge[] = [];
  const t = env.telemetry;
  if (t.enabled) {
    const c = t.collector;
    const to: Destination =
      c.mode === 'in-cluster'
        ? { kind: 'pods', name: OperationsPeers.COLLECTOR, namespace: c.namespace, labels: c.podLabels, port: c.port }
        : { kind: 'external', name: OperationsPeers.COLLECTOR, cidr: c.cidr, port: c.port };
    for (const comp of components) if (comp.spec.telemetry) out.push({ from: comp.id, to, purpose: `OpenTelemetry export (${t.protocol})` });
  }
  const s = env.objectStorage;
  if (s) {
    for (const from of s.from) {
      out.push({ from, to: { kind: 'external', name: OperationsPeers.OBJECT_STORAGE, cidr: s.cidr, port: s.port }, purpose: `bucket ${s.bucket}` });
    }
  }
  return out;
}

/** Edges arriving at an in-cluster component. */
export function edgesTo(t: EffectiveTopology, id: string): EffectiveEdge[] {
  return t.edges.filter((e) => e.to.kind === 'component' && e.to.id === id);
}
