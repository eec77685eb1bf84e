import type { ConnectivityDiff } from './diff';
import { connectivityFormat, ConnectivityView } from './formatter';

/**
 * JSON: `[{"src","dst","conns"}]` in report order; a diff is
 * `[{"change","src","dst","before","after"}]` with `null` for the missing side.
 */
export const jsonFormatter = connectivityFormat('json', {
  connections(view: ConnectivityView): string {
    const rows = view.connections.map((c) => ({ src: c.src, dst: c.dst, conns: c.conns.toString() }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  },
  diff(diff: ConnectivityDiff): string {
    const rows = diff.changes.map((c) => ({
      change: c.change,
      src: c.src,
      dst: c.dst,
      before: c.change === 'added' ? null : c.before.toString(),
      after: c.change === 'removed' ? null : c.after.toString(),
    }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  },
});
