import { FormatRegistry } from '../../output/format';
import type { Report } from '../index';
import { jsonFormatter } from './json';
import { mermaidFormatter } from './mermaid';
import { sarifFormatter } from './sarif';
import { textFormatter } from './text';
import type { FormatContext } from './types';

export type { Formatter, FormatContext } from './types';

/** Every output format by name (`text` also answers to `txt`). */
export const FORMATTERS = new FormatRegistry<Report, FormatContext>([textFormatter, jsonFormatter, sarifFormatter, mermaidFormatter]);
