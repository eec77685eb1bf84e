/** Rendered output: relative path (posix) -> file content. Sorted by path when written. */
export type RenderedFiles = Map<string, string>;

/** Serialises manifests as a multi-document YAML file (`yaml-out.ts`: byte-identical to js-yaml's dump). */
export { toYaml } from './yaml-out';
