import type { EnvironmentConfig, WorkloadConfig } from '../src/config/schema';
import { k8s } from '../src/constructs/k8s';
import { ComponentIdentity, componentLabels, LabelContext, platformLabels, selectorLabels } from '../src/constructs/labels';
import { EffectiveComponent, EffectiveTask, EffectiveTopology, effectiveTopology } from '../src/topology/effective';
import { Topology } from '../src/topology/model';

/** Names of the Secrets the stack consumes; each is produced by an ExternalSecret or a Certificate. */
export const SecretNames = {
  DATABASE: 'ctis-database',
  REDIS: 'ctis-redis',
  INTERNAL_TOKENS: 'ctis-internal-tokens',
  FRONTEND_OIDC: 'frontend-oidc',
  POSTGRESQL_CREDENTIALS: 'postgresql-credentials',
  REDIS_CREDENTIALS: 'redis-credentials',
  APP_SERVER_TLS: 'app-server-tls',
  API_CLIENT_TLS: 'api-client-tls',
  OBJECT_STORAGE: 'ctis-object-storage',
  POSTGRESQL_BACKUP_CREDENTIALS: 'postgresql-backup-credentials',
} as const;

/** Everything a chart needs to know about the environment it renders. */
export class StackContext {
  readonly effective: EffectiveTopology;
  readonly labelContext: LabelContext;

  constructor(
    readonly topology: Topology,
    readonly env: EnvironmentConfig,
  ) {
    this.effective = effectiveTopology(topology, env);
    this.labelContext = { partOf: topology.partOf, instance: `${topology.partOf}-${env.name}` };
  }

  get namespace(): string {
    return this.env.namespace;
  }

  component(id: string): EffectiveComponent {
    const c = this.effective.components.find((x) => x.id === id);
    if (!c) throw new Error(`no component "${id}" in the topology`);
    return c;
  }

  /** A scheduled task the environment runs. */
  task(id: string): EffectiveTask {
    const t = this.effective.tasks.find((x) => x.id === id);
    if (!t) throw new Error(`no task "${id}" runs in ${this.env.name}`);
    return t;
  }

  labels(id: string): Record<string, string> {
    return componentLabels(this.labelContext, id);
  }

  selector(id: string): Record<string, string> {
    return selectorLabels(this.labelContext, id);
  }

  /** The name, labels and selector of a component's objects. */
  identity(id: string): ComponentIdentity {
    return { name: id, labels: this.labels(id), selector: this.selector(id) };
  }

  platformLabels(): Record<string, string> {
    return platformLabels(this.labelContext);
  }

  workload(id: string): WorkloadConfig {
    const w = this.env.workloads[id];
    if (!w) throw new Error(`environment ${this.env.name} has no workloads.${id}`);
    return w;
  }

  /** Whether a component talks to another (per the effective edges). */
  hasEdge(from: string, to: string): boolean {
    return this.effective.edges.some((e) => e.from === from && e.to.kind === 'component' && e.to.id === to)
      || this.effective.edges.some((e) => e.from === from && e.to.kind === 'external' && e.to.name === `managed-${to}`);
  }

  /** Cluster-internal base URL of a component, with the scheme its serving port speaks. */
  internalUrl(id: string): string {
    const c = this.component(id);
    const tls = id === 'app-server' && this.env.features.appServerMtls.enabled;
    return `${tls ? 'https' : 'http'}://${id}.${this.namespace}.svc.cluster.local:${c.servingPort}`;
  }

  /** Public https origin of a public component. */
  publicUrl(id: string): string {
    const host = this.env.hosts[id];
    if (!host) throw new Error(`component "${id}" has no public host in ${this.env.name}`);
    return `https://${host}`;
  }

  get issuer(): string {
    return this.env.issuer ?? this.publicUrl('auth-server');
  }
}

/** An environment variable read from a Secret key. */
export function secretEnv(name: string, secret: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}
