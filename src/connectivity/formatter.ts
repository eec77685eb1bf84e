import type { Connection, ConnectivityNode } from '../netpol';
import type { ConnectivityDiff } from './diff';

/** The output formats of the connectivity command. */
export type OutputFormat = 'txt' | 'json' | 'mermaid' | 'dot';

/** What a formatter renders: the nodes and the allowed connections. */
export interface ConnectivityView {
  readonly nodes: readonly ConnectivityNode[];
  readonly connections: readonly Connection[];
}

/**
 * Renders connectivity results. Every formatter returns the whole document as a string ending in
 * a newline, deterministic for the same input.
 */
export interface ConnectivityFormatter {
  readonly format: OutputFormat;
  /** Renders the allowed connections. */
  connections(view: ConnectivityView): string;
  /** Renders the difference between two results. */
  diff(diff: ConnectivityDiff): string;
}
