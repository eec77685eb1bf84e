/**
 * Output of connectivity results (txt, json, mermaid, dot) and the diff between two results.
 * Each format is one {@link ConnectivityFormatter} (the shared `Formatter` interface of the
 * commands); the CLI only picks one.
 */
import { FormatRegistry } from '../output/format';
import { dotFormatter } from './dot';
import type { ConnectivityResult } from './formatter';
import { jsonFormatter } from './json';
import { mermaidFormatter } from './mermaid';
import { txtFormatter } from './txt';

export type { ConnectivityFormatter, ConnectivityResult, ConnectivityView, OutputFormat } from './formatter';
export { isDiff } from './formatter';
export { compareConnectivity, diffConnectivity } from './diff';
export type { ChangeKind, ConnectionChange, ConnectivityDiff } from './diff';
export { txtFormatter, jsonFormatter, mermaidFormatter, dotFormatter };

/** Every formatter by format name (`txt` also answers to `text`). */
export const FORMATTERS = new FormatRegistry<ConnectivityResult>([txtFormatter, jsonFormatter, mermaidFormatter, dotFormatter]);

/** The format names, in the order the usage text lists them. */
export const OUTPUT_FORMATS = FORMATTERS.names;
