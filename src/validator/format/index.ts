import { jsonFormatter } from './json';
import { mermaidFormatter } from './mermaid';
import { sarifFormatter } from './sarif';
import { textFormatter } from './text';
import type { Formatter } from './types';

export type { Formatter, FormatContext } from './types';

/** Every output format by name. */
export const FORMATTERS: ReadonlyMap<string, Formatter> = new Map(
  [textFormatter, jsonFormatter, sarifFormatter, mermaidFormatter].map((f) => [f.name, f]),
);
