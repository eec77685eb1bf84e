/**
 * Writing rendered output: YAML serialisation, the validation gate and the atomic swap of the
 * output folder. What to render is the charts' business (`charts/app.ts`); the commands receive it
 * as a {@link StackRenderer}.
 */
import type { EnvironmentConfig } from '../config/schema';
import type { KubeObject } from '../manifests';
import type { Topology } from '../topology/model';
import type { RenderedFiles } from './yaml';

export * from './yaml';
export * from './write';

/** Folder of the output that holds the Argo CD files; it is no environment. */
export const ARGOCD_FOLDER = 'argocd';

/** Folder inside {@link ARGOCD_FOLDER} of the ApplicationSet's parameter files, which are no Kubernetes objects. */
export const ARGOCD_PARAMETERS_FOLDER = 'environments';

/** Renders every environment of a topology (and the Argo CD files) into output files. */
export type StackRenderer = (topology: Topology, envs: readonly EnvironmentConfig[]) => RenderedFiles;

/** Rendered objects by file (relative path -> documents), as they are written but not yet as YAML. */
export type RenderedObjects = Map<string, KubeObject[]>;

/**
 * Renders every environment of a topology (and the Argo CD files) into objects by file: what
 * `npm run diff` compares, without writing YAML and parsing it back.
 */
export type StackObjectRenderer = (topology: Topology, envs: readonly EnvironmentConfig[]) => RenderedObjects;
