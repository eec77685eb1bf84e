import type { Connection, ConnectivityNode } from '../netpol';
import type { Formatter } from '../output/format';
import type { ConnectivityDiff } from './diff';

/** The output formats of the connectivity command. */
export type OutputFormat = 'txt' | 'json' | 'mermaid' | 'dot';

/** The allowed connections: what a report renders. */
export interface ConnectivityView {
  readonly nodes: readonly ConnectivityNode[];
  readonly connections: readonly Connection[];
}

/** What a connectivity format renders: the allowed connections, or the difference between two results. */
export type ConnectivityResult = ConnectivityView | ConnectivityDiff;

/** Whether a result is a difference between two results. */
export function isDiff(r: ConnectivityResult): r is ConnectivityDiff {
  return 'changes' in r;
}

/**
 * Renders connectivity results. Every formatter returns the whole document as a string ending in
 * a newline, deterministic for the same input.
 */
export type ConnectivityFormatter = Formatter<ConnectivityResult>;

/** A connectivity format from its two renderings. */
export function connectivityFormat(
  name: OutputFormat,
  render: { connections(view: ConnectivityView): string; diff(diff: ConnectivityDiff): string },
  aliases: readonly string[] = [],
): ConnectivityFormatter {
  return { name, aliases, format: (r) => (isDiff(r) ? render.diff(r) : render.connections(r)) };
}
