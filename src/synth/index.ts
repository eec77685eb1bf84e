import { argoCdManifests } from '../../charts/argocd';
import { loadAllEnvironments } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { checkTopology, Topology } from '../topology/model';
import { renderEnvironmentObjects, RenderedFiles, toYaml } from './render';

export * from './render';
export * from './write';

/** Renders every environment of `topology` from already-loaded configurations. */
export function renderAll(topology: Topology, envs: readonly EnvironmentConfig[]): RenderedFiles {
  checkTopology(topology);
  const files: RenderedFiles = new Map();
  const rendered = new Map<string, Record<string, unknown>[]>();
  for (const env of envs) {
    for (const [rel, objects] of renderEnvironmentObjects(topology, env)) {
      files.set(rel, toYaml(objects));
      rendered.set(rel, objects);
    }
  }
  // Argo CD delivery of whatever was rendered: `argocd/` (project, applications, applicationset).
  for (const [rel, objects] of argoCdManifests(topology.partOf, envs, rendered)) files.set(rel, toYaml(objects));
  return files;
}

/** Loads `config/<env>.yaml` for every environment and renders them. */
export function renderFromConfig(topology: Topology, configDir?: string): RenderedFiles {
  return renderAll(topology, loadAllEnvironments(topology, configDir));
}
