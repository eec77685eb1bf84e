import * as yaml from 'js-yaml';

const DUMP: yaml.DumpOptions = { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false };

/**
 * A value as YAML lines: a scalar on one line (quoted where YAML would read it otherwise, so
 * `"8080"` and `8080` stay apart), structures and multi-line strings as blocks.
 */
export function valueLines(v: unknown): string[] {
  if (v === undefined) return ['~'];
  return yaml.dump(v, DUMP).replace(/\n$/, '').split('\n');
}

/** Counts as words: `1 added`, `2 changed`. */
export function counts(c: { added: number; removed: number; changed: number }): string {
  return `${c.added} added, ${c.removed} removed, ${c.changed} changed`;
}
