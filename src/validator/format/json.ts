import type { Formatter } from './types';

/**
 * `{"findings":[{"rule","severity","message","file","line","resource","remediation"}],"summary":{...}}`
 * (SPEC §5); suppressed findings are only counted in the summary. `file` is relative to the
 * validated directory, which `summary.target` names as the caller did; `resource` is empty for a
 * document that is not a Kubernetes object. When nothing could be judged (exit 2), `error` says why.
 */
export const jsonFormatter: Formatter = {
  name: 'json',
  format(report) {
    const findings = report.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      resource: f.resource,
      remediation: f.remediation,
    }));
    return `${JSON.stringify({ findings, summary: report.summary }, null, 2)}\n`;
  },
  /** `{"error":{"kind","message","file","line"},"findings":[],"summary":null}` (exit 2). */
  failure(failure) {
    return `${JSON.stringify({ error: failure, findings: [], summary: null }, null, 2)}\n`;
  },
};
