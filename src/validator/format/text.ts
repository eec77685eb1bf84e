import * as path from 'node:path';
import type { Finding } from '../engine';
import type { Formatter } from './types';
import { addTo } from '../../multimap';

/**
 * Human-readable: findings grouped by rule, each with `file:line` (the validated directory as named
 * joined with the file, e.g. `dist/production/platform.yaml:7`), the resource and the message.
 */
export const textFormatter: Formatter = {
  name: 'text',
  aliases: ['txt'],
  format(report, ctx) {
    const lines: string[] = [];
    const base = report.baseDir;
    const at = (f: Finding) => `${base !== undefined ? path.join(base, f.file) : f.file}:${f.line}`;
    const byRule = new Map<string, Finding[]>();
    for (const f of report.findings) addTo(byRule, f.rule, f);
    const order = [...byRule.keys()].sort((a, b) => {
      const sa = byRule.get(a)!.some((f) => f.severity === 'error') ? 0 : 1;
      const sb = byRule.get(b)!.some((f) => f.severity === 'error') ? 0 : 1;
      return sa - sb || (a < b ? -1 : a > b ? 1 : 0);
    });
    for (const id of order) {
      const rule = ctx.rules.get(id);
      const findings = byRule.get(id)!;
      lines.push(`${id} (${findings.length})${rule ? ` - ${rule.runbookItem}` : ''}`);
      for (const f of findings) lines.push(`  ${f.severity === 'error' ? 'error  ' : 'warning'} ${at(f)}  ${f.resource ? `${f.resource}  ` : ''}${f.message}`);
      // One fix line per distinct remediation (a rule may give case-specific ones).
      for (const fix of new Set(findings.map((f) => f.remediation || rule?.remediation || ''))) if (fix) lines.push(`  fix: ${fix}`);
      if (rule) lines.push(`  docs: docs/rules.md#${rule.docsAnchor}`);
      lines.push('');
    }
    if (report.suppressed.length > 0) {
      lines.push(`suppressed (${report.suppressed.length})`);
      for (const f of report.suppressed) lines.push(`  ${f.rule} ${at(f)}  ${f.resource}  ${f.message}  [reason: ${f.reason}]`);
      lines.push('');
    }
    const s = report.summary;
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    const where = ctx.target ? `${ctx.target}, environment ${s.environment}` : `environment ${s.environment}`;
    const folded = s.folded > 0 ? `, ${s.folded} folded` : '';
    lines.push(`${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.suppressed} suppressed${folded} in ${plural(s.objects, 'object')} from ${plural(s.files, 'file')} (${where})`);
    return `${lines.join('\n')}\n`;
  },
};
