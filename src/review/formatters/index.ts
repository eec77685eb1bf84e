import { Formatter as OutputFormatter, FormatRegistry } from '../../output/format';
import { DiffReport } from '../model';
import { formatMarkdown } from './markdown';
import { formatText } from './text';

/** One output format of `npm run diff`. */
export type Formatter = OutputFormatter<DiffReport>;

/** Output formats of `npm run diff`, by `--format` name (`text` also answers to `txt`). */
export const FORMATTERS = new FormatRegistry<DiffReport>([
  { name: 'text', aliases: ['txt'], format: formatText },
  { name: 'markdown', format: formatMarkdown },
]);

export { formatMarkdown, formatText };
