/**
 * The shape of a deployable topology: components, the ports they serve and the
 * connections between them. The CTIS stack (`ctis.ts`) is one instance; the
 * benchmark builds synthetic ones of any size.
 *
 * Everything here is declaration only. The generator turns it into manifests and the
 * validator compares manifests against it; neither shares policy-building code.
 */

/** How a component is reached. */
export type Exposure = 'public' | 'internal';

/** What runs inside the component's pods; drives image user, probes and env defaults. */
export type Runtime = 'dotnet' | 'nextjs' | 'postgresql' | 'redis';

/** Which CTIS role a component plays; generic `service` for synthetic topologies. */
export type Role = 'auth-server' | 'api' | 'app-server' | 'frontend' | 'postgresql' | 'redis' | 'service';

/** A data store can run in the cluster (StatefulSet) or be a managed service outside it. */
export type DataStoreKind = 'postgresql' | 'redis';

export interface HealthEndpoints {
  /** Path of the readiness endpoint. */
  readonly ready: string;
  /** Path of the liveness endpoint (also used by the startup probe). */
  readonly live: string;
}

export interface ComponentSpec {
  /** `app.kubernetes.io/name` and the base of every object name. */
  readonly id: string;
  readonly description: string;
  readonly role: Role;
  readonly runtime: Runtime;
  readonly exposure: Exposure;
  /** The container port it serves on (plain protocol). */
  readonly port: number;
  /** Health endpoints for HTTP components; data stores use TCP/exec probes. */
  readonly health?: HealthEndpoints;
  /** Set for PostgreSQL and Redis: may be in-cluster or managed per environment. */
  readonly dataStore?: DataStoreKind;
  /**
   * Path prefixes the edge routes to a public component. Admin paths (`ADMIN_PATHS`) are
   * never among them; they are routed only behind an IP allow-list when one is configured.
   * @default - none (internal components are not routed)
   */
  readonly publicPaths?: readonly string[];
  /** Whether the component serves ops/admin endpoints (`/admin`, `/ops`, `/hangfire`). @default false */
  readonly servesAdminPaths?: boolean;
  /**
   * Whether the component is instrumented with OpenTelemetry: it exports traces and metrics to the
   * environment's collector and serves Prometheus metrics on its runtime's metrics port.
   * @default false
   */
  readonly telemetry?: boolean;
  /**
   * Why the component calls the Kubernetes API, when it does: only then do its pods mount a
   * service-account token (the generator mounts it, the validator and the admission policies
   * accept it). Every other pod mounts none: a token is a credential for whoever breaks in.
   * @default - it does not call the Kubernetes API (none of the CTIS components does)
   */
  readonly kubernetesApi?: string;
}

/** What a scheduled task does for the data store it serves. */
export type TaskKind = 'backup' | 'restore-check';

/**
 * A scheduled job that serves a data store (CronJob), run only where that store runs in the
 * cluster and the environment configures it. Its pods are labelled with its id like a
 * component's; its connections are edges like any other.
 */
export interface TaskSpec {
  /** `app.kubernetes.io/name` of its pods and the name of its objects. */
  readonly id: string;
  readonly description: string;
  readonly kind: TaskKind;
  /** The data store component it serves. */
  readonly of: string;
}

/** When a declared connection exists. */
export type EdgeCondition = 'always' | 'outside-development-or-enabled';

export interface EdgeSpec {
  readonly from: string;
  readonly to: string;
  /** Why the connection exists, shown in reports. */
  readonly purpose: string;
  /**
   * `always`, or only when the environment enables it (auth-server to Redis is required
   * outside development and optional in development).
   * @default 'always'
   */
  readonly condition?: EdgeCondition;
}

export interface Topology {
  /** Namespace-independent name of the system: `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  readonly components: readonly ComponentSpec[];
  /** Scheduled jobs serving the data stores. @default - none */
  readonly tasks?: readonly TaskSpec[];
  readonly edges: readonly EdgeSpec[];
}

/** Ports every workload may use for cluster DNS (kube-dns in kube-system). */
export const DNS_PORT = 53;

/** Paths that must never be routed publicly unless behind an IP allow-list (SPEC rule 12). */
export const ADMIN_PATHS: readonly string[] = ['/admin', '/ops', '/hangfire'];

/** Looks a component up by id, failing with a message that names it. */
export function component(topology: Topology, id: string): ComponentSpec {
  const found = topology.components.find((c) => c.id === id);
  if (!found) {
    throw new Error(`topology has no component "${id}" (known: ${topology.components.map((c) => c.id).join(', ')})`);
  }
  return found;
}

/**
 * Why `path` cannot be a public path prefix, or undefined when it can: the edge renders it as an
 * Ingress `Prefix` path and a Gateway API `PathPrefix` value, which the API server accepts only
 * as an absolute, normalised URL path (Gateway API's pattern; Ingress refuses relative paths).
 */
export function publicPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/.test(path)) return 'may hold only URL path characters (letters, digits, -._~!$&\'()*+,;=:@/ and %XX escapes)';
  const segment = ['//', '/./', '/../', '%2f', '%2F'].find((s) => path.includes(s));
  if (segment) return `must not contain "${segment}"`;
  if (path.endsWith('/.') || path.endsWith('/..')) return 'must not end with "/." or "/.."';
  return undefined;
}

/**
 * A topology declaration the generator cannot render (a duplicate id, a public path the API
 * server refuses, an edge to an unknown component): a user error, one line starting `topology: `
 * that names the component, task or edge.
 */
export class TopologyError extends Error {
  constructor(problem: string) {
    super(`topology: ${problem}`);
    this.name = 'TopologyError';
  }
}

/**
 * Checks the declaration itself: unique ids, public paths the API server accepts, edges between known components.
 * @throws TopologyError naming what is wrong
 */
export function checkTopology(topology: Topology): void {
  const ids = new Set<string>();
  for (const c of topology.components) {
    if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(c.id)) {
      throw new TopologyError(`component id "${c.id}" is not a valid DNS label`);
    }
    if (ids.has(c.id)) throw new TopologyError(`component "${c.id}" is declared twice`);
    ids.add(c.id);
    for (const p of c.publicPaths ?? []) {
      const problem = publicPathProblem(p);
      if (problem) throw new TopologyError(`component "${c.id}": public path "${p}" ${problem}`);
    }
    const paths = c.publicPaths ?? [];
    const repeated = paths.find((p, i) => paths.indexOf(p) !== i);
    if (repeated) throw new TopologyError(`component "${c.id}": public path "${repeated}" is declared twice`);
  }
  const componentIds = new Set(ids);
  for (const t of topology.tasks ?? []) {
    if (ids.has(t.id)) throw new TopologyError(`task "${t.id}" is declared twice or shares a component's id`);
    if (!componentIds.has(t.of)) throw new TopologyError(`task "${t.id}" serves unknown component "${t.of}"`);
    ids.add(t.id);
  }
  const seen = new Set<string>();
  for (const e of topology.edges) {
    if (!ids.has(e.from) || !componentIds.has(e.to)) {
      throw new TopologyError(`edge ${e.from} -> ${e.to} names an unknown component`);
    }
    const key = `${e.from}->${e.to}`;
    if (seen.has(key)) throw new TopologyError(`edge ${key} is declared twice`);
    seen.add(key);
  }
}
