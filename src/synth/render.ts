import { App } from 'cdk8s';
import {
  AdmissionChart,
  ApiChart,
  BackupsChart,
  EdgeChart,
  MonitoringChart,
  EdgeControllerChart,
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
import { isClusterScoped } from '../manifests';
import { Topology } from '../topology/model';
import { toYaml } from './yaml-out';

export { toYaml };

/** Charts are serialised in memory; cdk8s never writes to this folder. */
const OUTDIR_UNUSED = 'cdk8s.out';

/** Rendered output: relative path (posix) -> file content. Sorted by path when written. */
export type RenderedFiles = Map<string, string>;

/** Cluster-scoped objects (Namespace, admission policies) never carry `metadata.namespace`. */
function dropChartNamespace(obj: Record<string, any>): Record<string, unknown> {
  if (obj.kind && isClusterScoped(obj.kind) && obj.metadata) delete obj.metadata.namespace;
  return obj;
}


/**
 * Builds every chart of one environment, in the order files are listed. Each chart gets an
 * App of its own: charts share no objects, and cdk8s prepares the whole App for every
 * chart it synthesises, which would make rendering quadratic in the number of charts.
 */
export function buildCharts(topology: Topology, env: EnvironmentConfig): StackChart[] {
  const ctx = new StackContext(topology, env);
  const newApp = () => new App({ outdir: OUTDIR_UNUSED });
  const charts: StackChart[] = [new AdmissionChart(newApp(), ctx), new PlatformChart(newApp(), ctx)];
  for (const c of ctx.effective.components) {
    if (!c.inCluster) continue;
    switch (c.spec.role) {
      case 'postgresql': {
        const store = env.dataStores.postgresql;
        if (store.mode === 'in-cluster') charts.push(new PostgresChart(newApp(), ctx, store));
        break;
      }
      case 'redis': {
        const store = env.dataStores.redis;
        if (store.mode === 'in-cluster') charts.push(new RedisChart(newApp(), ctx, store));
        break;
      }
      case 'auth-server':
        charts.push(new AuthServerChart(newApp(), ctx));
        break;
      case 'api':
        charts.push(new ApiChart(newApp(), ctx));
        break;
      case 'app-server':
        charts.push(new AppServerChart(newApp(), ctx));
        break;
      case 'frontend':
        charts.push(new FrontendChart(newApp(), ctx));
        break;
      case 'service':
        charts.push(new GenericServiceChart(newApp(), ctx, c.id));
        break;
    }
  }
  charts.push(...operationsCharts(ctx, newApp));
  charts.push(new NetworkPoliciesChart(newApp(), ctx), new EdgeChart(newApp(), ctx));
  if (env.edge.profile === 'nginx') charts.push(new EdgeControllerChart(newApp(), ctx));
  return charts;
}

/** Backups of an in-cluster PostgreSQL, and monitoring objects where the environment enables them. */
function operationsCharts(ctx: StackContext, newApp: () => App): StackChart[] {
  const out: StackChart[] = [];
  const pg = ctx.env.dataStores.postgresql;
  if (pg.mode === 'in-cluster' && pg.backup && ctx.effective.tasks.length > 0) out.push(new BackupsChart(newApp(), ctx, pg, pg.backup));
  if (ctx.env.monitoring.enabled) out.push(new MonitoringChart(newApp(), ctx, ctx.env.monitoring));
  return out;
}

/** The objects of one environment, one list per chart: `<env>/<chart>.yaml` -> objects. */
export function renderEnvironmentObjects(topology: Topology, env: EnvironmentConfig): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const chart of buildCharts(topology, env)) {
    const objects = chart.toJson().map(dropChartNamespace);
    if (objects.length > 0) out.set(`${env.name}/${chart.fileName}.yaml`, objects);
  }
  return out;
}

/** Renders one environment: one YAML file per chart, keyed `<env>/<chart>.yaml`. */
export function renderEnvironment(topology: Topology, env: EnvironmentConfig): RenderedFiles {
  const files: RenderedFiles = new Map();
  for (const [rel, objects] of renderEnvironmentObjects(topology, env)) files.set(rel, toYaml(objects));
  return files;
}
