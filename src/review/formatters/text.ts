import { DiffReport, envHasChanges, FieldChange, hasChanges, totals } from '../model';
import { counts, valueLines } from './values';

/** `  (file)` unless the key already names the file (documents that are not resources). */
function where(d: { key: string; file: string }): string {
  return d.key.endsWith(d.file) ? '' : `  (${d.file})`;
}

function fieldLines(c: FieldChange, indent: string): string[] {
  const out = [`${indent}${c.path}`];
  const side = (sign: string, v: unknown) => valueLines(v).forEach((l) => out.push(`${indent}  ${sign} ${l}`));
  if (c.kind !== 'added') side('-', c.old);
  if (c.kind !== 'removed') side('+', c.new);
  return out;
}

/**
 * dyff-like text: per environment, `+` resources only in the head (with their content),
 * `-` resources only in the base, `~` changed resources with each field path and its old
 * (`-`) and new (`+`) value.
 */
export function formatText(report: DiffReport): string {
  const lines: string[] = [];
  if (!hasChanges(report)) {
    lines.push(`No differences: ${report.head} matches ${report.base}.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Changes from ${report.base} to ${report.head}: ${counts(totals(report))}`);
  for (const e of report.environments) {
    lines.push('');
    if (!envHasChanges(e)) {
      lines.push(`${e.env || '(top level)'}: no changes`);
      continue;
    }
    lines.push(`${e.env || '(top level)'}: ${counts({ added: e.added.length, removed: e.removed.length, changed: e.changed.length })}`);
    for (const d of e.added) {
      lines.push(`  + ${d.key}${where(d)}`);
      valueLines(d.object).forEach((l) => lines.push(`      ${l}`));
    }
    for (const d of e.removed) lines.push(`  - ${d.key}${where(d)}`);
    for (const r of e.changed) {
      lines.push(`  ~ ${r.key}${where(r)}`);
      for (const c of r.changes) lines.push(...fieldLines(c, '      '));
    }
  }
  return `${lines.join('\n')}\n`;
}
