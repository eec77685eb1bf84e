import type { Formatter as OutputFormatter } from '../../output/format';
import type { Report } from '../index';
import type { Rule } from '../rule';

/** What every formatter gets besides the report. */
export interface FormatContext {
  /** Every registered rule, by id (for rule metadata). */
  readonly rules: ReadonlyMap<string, Rule>;
  /** The validated directory as the user named it, for headings. */
  readonly target?: string;
}

/** One output format of the validator: turns a report into text. Pure. */
export type Formatter = OutputFormatter<Report, FormatContext>;
