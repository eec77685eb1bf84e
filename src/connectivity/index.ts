/**
 * Output of connectivity results (txt, json, mermaid, dot) and the diff between two results.
 * Each format is one {@link ConnectivityFormatter}; the CLI only picks one.
 */
import { dotFormatter } from './dot';
import type { ConnectivityFormatter, OutputFormat } from './formatter';
import { jsonFormatter } from './json';
import { mermaidFormatter } from './mermaid';
import { txtFormatter } from './txt';

export type { ConnectivityFormatter, ConnectivityView, OutputFormat } from './formatter';
export { diffConnectivity } from './diff';
export type { ChangeKind, ConnectionChange, ConnectivityDiff } from './diff';
export { txtFormatter, jsonFormatter, mermaidFormatter, dotFormatter };

/** Every formatter by format name. */
export const FORMATTERS: Readonly<Record<OutputFormat, ConnectivityFormatter>> = {
  txt: txtFormatter,
  json: jsonFormatter,
  mermaid: mermaidFormatter,
  dot: dotFormatter,
};

/** The format names, in the order the usage text lists them. */
export const OUTPUT_FORMATS = Object.keys(FORMATTERS) as OutputFormat[];

/** The formatter of a format name, or undefined for an unknown one. */
export function formatterFor(name: string): ConnectivityFormatter | undefined {
  return Object.prototype.hasOwnProperty.call(FORMATTERS, name) ? FORMATTERS[name as OutputFormat] : undefined;
}
