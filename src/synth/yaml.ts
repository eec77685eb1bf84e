import * as yaml from 'js-yaml';

/** Rendered output: relative path (posix) -> file content. Sorted by path when written. */
export type RenderedFiles = Map<string, string>;

/** js-yaml settings that make output stable and readable: no anchors, no folding, quoted where needed. */
const DUMP_OPTIONS: yaml.DumpOptions = { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' };

/** Serialises manifests as a multi-document YAML file. */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => yaml.dump(o, DUMP_OPTIONS)).map((d) => `---\n${d}`).join('');
}
