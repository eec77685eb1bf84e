import type { EnvironmentConfig } from '../config/schema';
import { ComponentSpec, EdgeSpec, Topology } from './model';

export interface SyntheticOptions {
  /** Number of internal services. */
  readonly components: number;
  /** Outgoing edges per service. @default 5 */
  readonly edgesPerComponent?: number;
}

/** Deterministic offsets so every service calls a spread of others (no randomness: runs are comparable). */
const OFFSETS = [1, 2, 3, 5, 8, 13, 21, 34];

/**
 * A topology of `components` internal ASP.NET services, each calling `edgesPerComponent`
 * others, for measuring how rendering and validation scale. Names are `svc-0000`, ….
 */
export function syntheticTopology(opts: SyntheticOptions): Topology {
  const n = opts.components;
  const perComponent = Math.min(opts.edgesPerComponent ?? 5, OFFSETS.length, Math.max(n - 1, 0));
  const id = (i: number) => `svc-${String(i).padStart(4, '0')}`;
  const components: ComponentSpec[] = [];
  const edges: EdgeSpec[] = [];
  for (let i = 0; i < n; i++) {
    components.push({
      id: id(i),
      description: `synthetic service ${i}`,
      role: 'service',
      runtime: 'dotnet',
      exposure: 'internal',
      port: 8080,
      health: { ready: '/health/ready', live: '/health/live' },
    });
    for (let k = 0; k < perComponent; k++) edges.push({ from: id(i), to: id((i + OFFSETS[k]) % n), purpose: 'synthetic call' });
  }
  return { partOf: 'synthetic', components, edges };
}

/**
 * An environment for a synthetic topology, based on a shipped one: same platform settings,
 * one workload entry per service, no public hosts and no data stores in use.
 */
export function syntheticEnvironment(base: EnvironmentConfig, topology: Topology): EnvironmentConfig {
  const template = base.workloads['api'] ?? Object.values(base.workloads)[0];
  return {
    ...base,
    hosts: {},
    corsExtraOrigins: [],
    externalServices: [],
    workloads: Object.fromEntries(topology.components.map((c) => [c.id, template])),
    features: { ...base.features, appServerMtls: { enabled: false } },
  };
}
