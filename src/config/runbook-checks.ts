import { Topology } from '../topology/model';
import { deliveryIssues } from './delivery';
import { operationsIssues } from './operations-checks';
import { edgeIssues } from './edge-checks';
import { EnvironmentConfig, ImageConfig } from './schema';
import { concurrentPods } from './strategy';
import { strategyIssues } from './strategy-checks';

export { maxPods } from './strategy';

/** One violation: a dotted field path inside the environment file and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Every image the configuration names, wherever it sits (workloads, in-cluster data stores, and
 * any section that adds one), with its dotted path: an object with a `repository` and a `tag` or
 * `digest` is an image (`imageSchema`).
 */
export function configuredImages(env: EnvironmentConfig): Array<{ path: string; image: ImageConfig }> {
  const out: Array<{ path: string; image: ImageConfig }> = [];
  const visit = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, String(i)]));
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.repository === 'string' && (typeof o.tag === 'string' || typeof o.digest === 'string')) out.push({ path: path.join('.'), image: o as ImageConfig });
      else for (const [k, v] of Object.entries(o)) visit(v, [...path, k]);
    }
  };
  visit(env, []);
  return out;
}

/**
 * Cross-field checks the schema cannot express: the configuration must agree with the
 * topology and with the runbook checklist for its environment. Returns every issue found.
 */
export function runbookIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  return [
    ...aspnetEnvironmentIssues(env),
    ...componentCoverageIssues(env, topology),
    ...originIssues(env),
    // Strategy problems first: a blue-green component with one pod is best explained as such.
    ...strategyIssues(env, topology),
    ...scalingIssues(env),
    ...featureIssues(env, topology),
    ...externalServiceIssues(env, topology),
    ...dataStoreIssues(env),
    ...edgeProfileIssues(env),
    ...digestIssues(env),
    ...publicPathIssues(topology),
    ...operationsIssues(env, topology),
    ...edgeIssues(env, topology),
    ...deliveryIssues(env),
  ];
}

/** Collects issues: `add(path, message)` records one, `issues` holds them in the order found. */
function issueList(): { issues: ConfigIssue[]; add: (path: string, message: string) => void } {
  const issues: ConfigIssue[] = [];
  return { issues, add: (path, message) => issues.push({ path, message }) };
}

/** ASP.NET Core's environment name must be the one of the environment. */
function aspnetEnvironmentIssues(env: EnvironmentConfig): ConfigIssue[] {
  const expectedAspnet = { development: 'Development', staging: 'Staging', production: 'Production' }[env.name];
  if (env.aspnetEnvironment === expectedAspnet) return [];
  return [{ path: 'aspnetEnvironment', message: `must be "${expectedAspnet}" for the ${env.name} environment` }];
}

/** A host for every public component and no other, a workload for every application component and no other. */
function componentCoverageIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const { issues, add } = issueList();
  const publicIds = topology.components.filter((c) => c.exposure === 'public').map((c) => c.id);
  const appIds = topology.components.filter((c) => !c.dataStore).map((c) => c.id);
  for (const id of publicIds) if (!env.hosts[id]) add(`hosts.${id}`, `is required: ${id} is a public component`);
  for (const id of Object.keys(env.hosts)) {
    if (!publicIds.includes(id)) add(`hosts.${id}`, `${id} is not a public component and must not have a public host`);
  }
  for (const id of appIds) if (!env.workloads[id]) add(`workloads.${id}`, 'is required');
  for (const id of Object.keys(env.workloads)) {
    if (!appIds.includes(id)) add(`workloads.${id}`, `is not an application component of the topology`);
  }
  return issues;
}

/** The issuer is auth-server's public host; extra CORS origins are explicit https:// origins. */
function originIssues(env: EnvironmentConfig): ConfigIssue[] {
  const { issues, add } = issueList();
  const authHost = env.hosts['auth-server'];
  if (env.issuer !== undefined && authHost && env.issuer !== `https://${authHost}`) {
    add('issuer', `must be https://${authHost} (the public TLS host of auth-server), got "${env.issuer}"`);
  }
  env.corsExtraOrigins.forEach((origin, i) => {
    if (origin.includes('*')) add(`corsExtraOrigins.${i}`, 'must not be a wildcard: list explicit origins');
    else if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(origin)) add(`corsExtraOrigins.${i}`, `must be an https:// origin without path, got "${origin}"`);
  });
  return issues;
}

/** Outside development every workload scales with an HPA of at least two pods. */
function scalingIssues(env: EnvironmentConfig): ConfigIssue[] {
  const { issues, add } = issueList();
  if (env.name === 'development') return issues;
  for (const [id, w] of Object.entries(env.workloads)) {
    if ('replicas' in w.scaling) {
      add(`workloads.${id}.scaling`, `must use minReplicas/maxReplicas (an HPA) in ${env.name}`);
    }
    if ('minReplicas' in w.scaling && w.scaling.minReplicas < 2) {
      add(`workloads.${id}.scaling.minReplicas`, `must be at least 2 in ${env.name} for rollout safety`);
    }
  }
  return issues;
}

/** Hangfire storage and auth-server's Redis as the environment and pod counts need; the mTLS port apart from the plain one. */
function featureIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const { issues, add } = issueList();
  const isDev = env.name === 'development';
  // Both colours of a blue-green component run during a release.
  const multi = ['auth-server', 'app-server'].some((id) => env.workloads[id] && concurrentPods(env.workloads[id]) > 1);
  if (env.features.hangfireStorage === 'InMemory') {
    if (!isDev) add('features.hangfireStorage', `must be PostgreSql in ${env.name} (in-memory storage only in development)`);
    else if (multi) add('features.hangfireStorage', 'must be PostgreSql when auth-server or app-server can run more than one pod');
  }
  if (!env.features.authServerRedis && !isDev) {
    add('features.authServerRedis', `must be true in ${env.name} (auth-server requires Redis outside development)`);
  }
  if (env.features.appServerMtls.enabled) {
    const appServer = topology.components.find((c) => c.id === 'app-server');
    if (appServer && env.features.appServerMtls.port === appServer.port) {
      add('features.appServerMtls.port', `must differ from the plain port ${appServer.port}`);
    }
  }
  return issues;
}

/** External services: unique names, a range narrower than everything, known components allowed. */
function externalServiceIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const { issues, add } = issueList();
  const allIds = new Set(topology.components.map((c) => c.id));
  const serviceNames = new Set<string>();
  env.externalServices.forEach((svc, i) => {
    if (serviceNames.has(svc.name)) add(`externalServices.${i}.name`, `"${svc.name}" is declared twice`);
    serviceNames.add(svc.name);
    if (svc.cidr.endsWith('/0')) add(`externalServices.${i}.cidr`, 'must not be the whole address space: name the service\'s range');
    svc.from.forEach((id, j) => {
      if (!allIds.has(id)) add(`externalServices.${i}.from.${j}`, `names unknown component "${id}"`);
    });
  });
  return issues;
}

/** Production runs its data stores as managed instances only. */
function dataStoreIssues(env: EnvironmentConfig): ConfigIssue[] {
  const { issues, add } = issueList();
  for (const [kind, store] of Object.entries(env.dataStores)) {
    if (env.name === 'production' && store.mode === 'in-cluster') {
      add(`dataStores.${kind}.mode`, 'must be "managed" in production (runbook: managed instance, private network, TLS, PITR)');
    }
  }
  return issues;
}

/** Edge settings the profile cannot render: an admin allow-list outside Traefik, HSTS preload with NGINX. */
function edgeProfileIssues(env: EnvironmentConfig): ConfigIssue[] {
  const { issues, add } = issueList();
  if (env.edge.profile !== 'traefik' && env.edge.adminAllowList.length > 0) {
    // Only Traefik has a standard allow-list object (Middleware ipAllowList) we emit; with the
    // other profiles admin paths are kept off the edge entirely.
    add('edge.adminAllowList', `is not supported by the ${env.edge.profile} profile: leave it empty so admin paths are not routed`);
  }
  if (env.edge.profile === 'nginx' && env.edge.hsts.preload) {
    add('edge.hsts.preload', 'is not supported by the nginx profile (no per-Ingress preload annotation): set it to false');
  }
  return issues;
}

/** Every configured image pinned by digest where the environment requires it. */
function digestIssues(env: EnvironmentConfig): ConfigIssue[] {
  if (!env.images.requireDigest) return [];
  return configuredImages(env)
    .filter(({ image }) => !image.digest)
    .map(({ path }) => ({ path: `${path}.digest`, message: 'is required: images.requireDigest is true in this environment' }));
}

/** Every public component of the topology declares the paths the edge routes. */
function publicPathIssues(topology: Topology): ConfigIssue[] {
  return topology.components
    .filter((c) => c.exposure === 'public' && (!c.publicPaths || c.publicPaths.length === 0))
    .map((c) => ({ path: `hosts.${c.id}`, message: `component ${c.id} is public but declares no publicPaths in the topology` }));
}
