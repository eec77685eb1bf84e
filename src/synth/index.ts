/**
 * Writing rendered output: YAML serialisation, the validation gate and the atomic swap of the
 * output folder. What to render is the charts' business (`charts/app.ts`); the commands receive it
 * as a {@link StackRenderer}.
 */
import type { EnvironmentConfig } from '../config/schema';
import type { KubeObject } from '../manifests';
import type { Topology } from '../topology/model';
import { RenderedFiles, WrittenYaml, writeYaml } from './yaml-out';

export * from './folders';
export * from './yaml-out';
export * from './write';

/** Rendered objects: relative path (posix) of their file -> the documents of that file, in order. */
export type RenderedObjects = Map<string, KubeObject[]>;

/** Renders every environment of a topology (and the Argo CD files) into the objects of each output file. */
export type StackRenderer = (topology: Topology, envs: readonly EnvironmentConfig[]) => RenderedObjects;

/** Rendered files as written, each with what its documents read back as (see {@link WrittenYaml}). */
export type WrittenFiles = Map<string, WrittenYaml>;

/** Rendered objects as the files synth writes, with what they read back as (the gate reads them). */
export function writeFiles(objects: RenderedObjects): WrittenFiles {
  const files: WrittenFiles = new Map();
  for (const [rel, docs] of objects) files.set(rel, writeYaml(docs));
  return files;
}

/** The text of each written file. */
export function textsOf(files: WrittenFiles): RenderedFiles {
  return new Map([...files].map(([rel, f]) => [rel, f.text]));
}

/** Rendered objects as the files synth writes: one multi-document YAML file per entry. */
export function toFiles(objects: RenderedObjects): RenderedFiles {
  return textsOf(writeFiles(objects));
}
