import { DiffReport, envHasChanges, FieldChange, hasChanges, totals } from '../model';
import { valueLines } from './values';

/** Inline code that survives backticks inside. */
function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the content. */
function block(lang: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => l.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence];
}

/** ` in `file`` unless the key already names the file. */
function where(d: { key: string; file: string }): string {
  return d.key.endsWith(d.file) ? '' : ` in ${code(d.file)}`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function fieldLines(c: FieldChange): string[] {
  const out = [`@@ ${c.path} @@`];
  if (c.kind !== 'added') valueLines(c.old).forEach((l) => out.push(`- ${l}`));
  if (c.kind !== 'removed') valueLines(c.new).forEach((l) => out.push(`+ ${l}`));
  return out;
}

/**
 * Markdown for a pull-request comment: a summary table (environment, added, removed,
 * changed), then per environment the added resources (content folded), the removed ones, and
 * each changed resource with a `diff` block of field paths and old/new values.
 */
export function formatMarkdown(report: DiffReport): string {
  const out: string[] = [`### Rendered manifests: ${code(report.base)} → ${report.head}`, ''];
  out.push('| environment | added | removed | changed |', '|---|---:|---:|---:|');
  for (const e of report.environments) {
    out.push(`| ${escapeCell(e.env || '(top level)')} | ${e.added.length} | ${e.removed.length} | ${e.changed.length} |`);
  }
  const t = totals(report);
  out.push(`| **total** | **${t.added}** | **${t.removed}** | **${t.changed}** |`, '');
  if (!hasChanges(report)) {
    out.push(`No differences: the ${report.head} matches ${code(report.base)}.`, '');
    return out.join('\n');
  }
  for (const e of report.environments) {
    if (!envHasChanges(e)) continue;
    out.push(`#### ${e.env || '(top level)'}`, '');
    if (e.added.length > 0) {
      out.push('**Added**', '');
      for (const d of e.added) {
        out.push(`<details><summary>${code(d.key)}${where(d)}</summary>`, '');
        out.push(...block('yaml', valueLines(d.object)), '', '</details>', '');
      }
    }
    if (e.removed.length > 0) {
      out.push('**Removed**', '');
      for (const d of e.removed) out.push(`- ${code(d.key)}${where(d)}`);
      out.push('');
    }
    if (e.changed.length > 0) {
      out.push('**Changed**', '');
      for (const r of e.changed) {
        out.push(`${code(r.key)}${where(r)}`, '');
        out.push(...block('diff', r.changes.flatMap(fieldLines)), '');
      }
    }
  }
  return out.join('\n');
}
