/**
 * The validator's machine-readable outputs, typed for the tests that parse them: the JSON report
 * (SPEC §5) and SARIF 2.1.0 (read with every field present, see {@link Present}).
 */
import type { Log } from 'sarif';
import type { Finding, Summary } from '../../src/validator';
import type { Present } from './k8s';

/** `--format json`: the findings (suppressed ones only counted) and the summary. */
export interface JsonReport {
  readonly findings: Finding[];
  readonly summary: Summary;
}

/** `--format sarif`. */
export type SarifLog = Present<Log>;

/** Parses the JSON report. */
export function parseJsonReport(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}

/** Parses a SARIF log. */
export function parseSarif(text: string): SarifLog {
  return JSON.parse(text) as SarifLog;
}
