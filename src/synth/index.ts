import { argoCdManifests } from '../../charts/argocd';
import { loadAllEnvironments } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { checkTopology, Topology } from '../topology/model';
import { renderEnvironmentObjects, RenderedFiles, toYaml } from './render';

export * from './render';
export * from './write';

/**
 * The objects of every rendered file (relative path -> documents): each environment of
 * `topology` from already-loaded configurations, and the Argo CD files for them.
 */
export function renderAllObjects(topology: Topology, envs: readonly EnvironmentConfig[]): Map<string, Record<string, unknown>[]> {
  checkTopology(topology);
  const rendered = new Map<string, Record<string, unknown>[]>();
  for (const env of envs) {
    for (const [rel, objects] of renderEnvironmentObjects(topology, env)) rendered.set(rel, objects);
  }
  // Argo CD delivery of whatever was rendered: `argocd/` (project, applications, applicationset).
  const argocd = argoCdManifests(topology.partOf, envs, rendered);
  for (const [rel, objects] of argocd) rendered.set(rel, objects as Record<string, unknown>[]);
  return rendered;
}

/** Renders every environment of `topology` from already-loaded configurations. */
export function renderAll(topology: Topology, envs: readonly EnvironmentConfig[]): RenderedFiles {
  const files: RenderedFiles = new Map();
  for (const [rel, objects] of renderAllObjects(topology, envs)) files.set(rel, toYaml(objects));
  return files;
}

/** Loads `config/<env>.yaml` for every environment and renders them. */
export function renderFromConfig(topology: Topology, configDir?: string): RenderedFiles {
  return renderAll(topology, loadAllEnvironments(topology, configDir));
}

/** Loads `config/<env>.yaml` for every environment and renders their objects, not written as YAML. */
export function renderObjectsFromConfig(topology: Topology, configDir?: string): Map<string, Record<string, unknown>[]> {
  return renderAllObjects(topology, loadAllEnvironments(topology, configDir));
}
