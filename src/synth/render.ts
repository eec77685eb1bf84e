import { App } from 'cdk8s';
import * as yaml from 'js-yaml';
import {
  ApiChart,
  EdgeChart,
  NetworkPoliciesChart,
  AppServerChart,
  AuthServerChart,
  FrontendChart,
  GenericServiceChart,
  PlatformChart,
  PostgresChart,
  RedisChart,
  StackChart,
  StackContext,
} from '../../charts';
import type { EnvironmentConfig } from '../config/schema';
import { Topology } from '../topology/model';

/** Rendered output: relative path (posix) -> file content. Sorted by path when written. */
export type RenderedFiles = Map<string, string>;

/** js-yaml settings that make output stable and readable: no anchors, no folding, quoted where needed. */
const DUMP_OPTIONS: yaml.DumpOptions = { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' };

/** Kinds that live outside any namespace: their objects never carry `metadata.namespace`. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ClusterSecretStore', 'ClusterIssuer', 'IngressClass', 'GatewayClass']);

function dropChartNamespace(obj: { kind?: string; metadata?: { namespace?: string } }): unknown {
  if (obj.kind && CLUSTER_SCOPED.has(obj.kind) && obj.metadata) delete obj.metadata.namespace;
  return obj;
}

/** Serialises manifests as a multi-document YAML file. */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => yaml.dump(o, DUMP_OPTIONS)).map((d) => `---\n${d}`).join('');
}

/** Builds every chart of one environment into `app`, in the order files are listed. */
export function buildCharts(app: App, topology: Topology, env: EnvironmentConfig): StackChart[] {
  const ctx = new StackContext(topology, env);
  const charts: StackChart[] = [new PlatformChart(app, ctx)];
  for (const c of ctx.effective.components) {
    if (!c.inCluster) continue;
    switch (c.spec.role) {
      case 'postgresql': {
        const store = env.dataStores.postgresql;
        if (store.mode === 'in-cluster') charts.push(new PostgresChart(app, ctx, store));
        break;
      }
      case 'redis': {
        const store = env.dataStores.redis;
        if (store.mode === 'in-cluster') charts.push(new RedisChart(app, ctx, store));
        break;
      }
      case 'auth-server':
        charts.push(new AuthServerChart(app, ctx));
        break;
      case 'api':
        charts.push(new ApiChart(app, ctx));
        break;
      case 'app-server':
        charts.push(new AppServerChart(app, ctx));
        break;
      case 'frontend':
        charts.push(new FrontendChart(app, ctx));
        break;
      case 'service':
        charts.push(new GenericServiceChart(app, ctx, c.id));
        break;
    }
  }
  charts.push(new NetworkPoliciesChart(app, ctx), new EdgeChart(app, ctx));
  return charts;
}

/** Renders one environment: one YAML file per chart, keyed `<env>/<chart>.yaml`. */
export function renderEnvironment(topology: Topology, env: EnvironmentConfig): RenderedFiles {
  const app = new App({ outdir: '/nonexistent-not-written' });
  const charts = buildCharts(app, topology, env);
  const files: RenderedFiles = new Map();
  for (const chart of charts) {
    const objects = chart.toJson().map(dropChartNamespace);
    if (objects.length === 0) continue;
    files.set(`${env.name}/${chart.fileName}.yaml`, toYaml(objects));
  }
  return files;
}
