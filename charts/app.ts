/**
 * The wiring of the charts into the rendered output: which charts an environment renders (each
 * in a cdk8s App of its own), which file holds the objects of each, and the Argo CD files derived
 * from what was rendered. The commands (`bin/`) hand {@link renderAllObjects} to `src/cli`, which
 * knows nothing of the charts, as its {@link StackRenderer}.
 */
import { loadAllEnvironments } from '../src/config/load';
import type { EnvironmentConfig } from '../src/config/schema';
import { isClusterScoped, KubeObject } from '../src/manifests';
import { RenderedFiles, RenderedObjects, StackRenderer, toFiles } from '../src/synth';
import { checkTopology, Topology } from '../src/topology/model';
import { AdmissionChart } from './admission';
import { ApiChart } from './api';
import { AppServerChart } from './app-server';
import { argoCdManifests } from './argocd';
import { newApp, StackChart } from './component-chart';
import { StackContext } from './context';
import { PostgresChart, RedisChart } from './data-stores';
import { EdgeChart } from './edge';
import { EdgeControllerChart } from './edge-controller';
import { FrontendChart } from './frontend';
import { MonitoringChart } from './monitoring';
import { AuthServerChart } from './auth-server';
import { BackupsChart } from './backups';
import { NetworkPoliciesChart } from './network-policies';
import { PlatformChart } from './platform';
import { GenericServiceChart } from './service';

/**
 * Builds every chart of one environment, in the order files are listed. Each chart gets an
 * App of its own: charts share no objects, and cdk8s prepares the whole App for every
 * chart it synthesises, which would make rendering quadratic in the number of charts.
 */
export function buildCharts(topology: Topology, env: EnvironmentConfig): StackChart[] {
  const ctx = new StackContext(topology, env);
  const charts: StackChart[] = [new AdmissionChart(newApp(), ctx), new PlatformChart(newApp(), ctx)];
  for (const c of ctx.effective.components) {
    if (!c.inCluster) continue;
    const chart = componentChart(ctx, c.id, c.spec.role);
    if (chart) charts.push(chart);
  }
  charts.push(...operationsCharts(ctx));
  charts.push(new NetworkPoliciesChart(newApp(), ctx), new EdgeChart(newApp(), ctx));
  if (env.edge.profile === 'nginx') charts.push(new EdgeControllerChart(newApp(), ctx));
  return charts;
}

/** Backups of an in-cluster PostgreSQL, and monitoring objects where the environment enables them. */
function operationsCharts(ctx: StackContext): StackChart[] {
  const out: StackChart[] = [];
  const pg = ctx.env.dataStores.postgresql;
  if (pg.mode === 'in-cluster' && pg.backup && ctx.effective.tasks.length > 0) out.push(new BackupsChart(newApp(), ctx, pg, pg.backup));
  if (ctx.env.monitoring.enabled) out.push(new MonitoringChart(newApp(), ctx, ctx.env.monitoring));
  return out;
}

/** The chart of one in-cluster component, by its role (none for a managed data store). */
function componentChart(ctx: StackContext, id: string, role: Topology['components'][number]['role']): StackChart | undefined {
  const stores = ctx.env.dataStores;
  switch (role) {
    case 'postgresql':
      return stores.postgresql.mode === 'in-cluster' ? new PostgresChart(newApp(), ctx, stores.postgresql) : undefined;
    case 'redis':
      return stores.redis.mode === 'in-cluster' ? new RedisChart(newApp(), ctx, stores.redis) : undefined;
    case 'auth-server':
      return new AuthServerChart(newApp(), ctx);
    case 'api':
      return new ApiChart(newApp(), ctx);
    case 'app-server':
      return new AppServerChart(newApp(), ctx);
    case 'frontend':
      return new FrontendChart(newApp(), ctx);
    case 'service':
      return new GenericServiceChart(newApp(), ctx, id);
  }
}

/** A chart's objects as they are written: cluster-scoped kinds carry no namespace. */
function chartObjects(chart: StackChart): KubeObject[] {
  const json: unknown[] = chart.toJson();
  return json.map((value) => {
    // cdk8s renders every object with its apiVersion and kind.
    const obj = value as KubeObject;
    if (isClusterScoped(obj.kind) && obj.metadata) delete obj.metadata.namespace;
    return obj;
  });
}

/** The objects of one environment by file, `<env>/<chart>.yaml`; charts without objects have no file. */
export function renderEnvironmentObjects(topology: Topology, env: EnvironmentConfig): RenderedObjects {
  const files: RenderedObjects = new Map();
  for (const chart of buildCharts(topology, env)) {
    const objects = chartObjects(chart);
    if (objects.length > 0) files.set(`${env.name}/${chart.fileName}.yaml`, objects);
  }
  return files;
}

/** Renders one environment: one YAML file per chart, keyed `<env>/<chart>.yaml`. */
export function renderEnvironment(topology: Topology, env: EnvironmentConfig): RenderedFiles {
  return toFiles(renderEnvironmentObjects(topology, env));
}

/**
 * The objects of every rendered file: each environment of `topology` from already-loaded
 * configurations, and `argocd/` (project, applications, applicationset, parameters) for what was
 * rendered. The {@link StackRenderer} of the commands.
 */
export const renderAllObjects: StackRenderer = (topology, envs) => {
  checkTopology(topology);
  const rendered: RenderedObjects = new Map();
  for (const env of envs) {
    for (const [rel, objects] of renderEnvironmentObjects(topology, env)) rendered.set(rel, objects);
  }
  // Argo CD documents are plain objects with an apiVersion and a kind, like every rendered object.
  for (const [rel, objects] of argoCdManifests(topology.partOf, envs, rendered)) rendered.set(rel, objects as KubeObject[]);
  return rendered;
};

/** Renders every environment of `topology` from already-loaded configurations, with `argocd/`, as files. */
export function renderAll(topology: Topology, envs: readonly EnvironmentConfig[]): RenderedFiles {
  return toFiles(renderAllObjects(topology, envs));
}

/** Loads `config/<env>.yaml` for every environment and renders them. */
export function renderFromConfig(topology: Topology, configDir?: string): RenderedFiles {
  return renderAll(topology, loadAllEnvironments(topology, configDir));
}

/** Loads `config/<env>.yaml` for every environment and renders their objects, not written as YAML. */
export function renderObjectsFromConfig(topology: Topology, configDir?: string): RenderedObjects {
  return renderAllObjects(topology, loadAllEnvironments(topology, configDir));
}
