import { DiffReport } from '../model';
import { formatMarkdown } from './markdown';
import { formatText } from './text';

export type Formatter = (report: DiffReport) => string;

/** Output formats of `npm run diff`, by `--format` name. */
export const FORMATTERS = {
  text: formatText,
  markdown: formatMarkdown,
} as const satisfies Record<string, Formatter>;

export type FormatName = keyof typeof FORMATTERS;

export { formatMarkdown, formatText };
