import type { ConnectionChange, ConnectivityDiff } from './diff';
import { connectivityFormat, ConnectivityView } from './formatter';

function detail(ch: ConnectionChange): string {
  if (ch.change === 'added') return ch.after.toString();
  if (ch.change === 'removed') return ch.before.toString();
  const opened = ch.after.subtract(ch.before);
  const closed = ch.before.subtract(ch.after);
  const notes = [
    ...(opened.isEmpty() ? [] : [`[opened: ${opened.toString()}]`]),
    ...(closed.isEmpty() ? [] : [`[closed: ${closed.toString()}]`]),
  ];
  return `${ch.before.toString()} -> ${ch.after.toString()}${notes.length ? ` ${notes.join(' ')}` : ''}`;
}

/**
 * Plain text: one `src => dst : conns` line per connection. A diff starts with a summary line,
 * then one line per change: `added:   src => dst : conns`, `removed: src => dst : conns`,
 * `changed: src => dst : before -> after [opened: ...] [closed: ...]`.
 */
export const txtFormatter = connectivityFormat(
  'txt',
  {
    connections(view: ConnectivityView): string {
      if (view.connections.length === 0) return 'No allowed connections.\n';
      return view.connections.map((c) => `${c.src} => ${c.dst} : ${c.conns.toString()}\n`).join('');
    },
    diff(diff: ConnectivityDiff): string {
      if (diff.changes.length === 0) return 'No connectivity changes.\n';
      const count = (k: string) => diff.changes.filter((c) => c.change === k).length;
      const lines = [`Connectivity changes: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`];
      for (const ch of diff.changes) {
        lines.push(`${`${ch.change}:`.padEnd(8)} ${ch.src} => ${ch.dst} : ${detail(ch)}`);
      }
      return `${lines.join('\n')}\n`;
    },
  },
  ['text'],
);
