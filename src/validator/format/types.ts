import type { Report } from '../index';
import type { Rule } from '../rule';

/** What every formatter gets besides the report. */
export interface FormatContext {
  /** Every registered rule, by id (for rule metadata). */
  readonly rules: ReadonlyMap<string, Rule>;
  /** The validated directory as the user named it, for headings. */
  readonly target?: string;
}

/** One output format: turns a report into text. Pure. */
export interface Formatter {
  readonly name: string;
  format(report: Report, ctx: FormatContext): string;
}
