/** Running a command's `main` in process. */
import type { CliIo } from '../../src/cli/kit';

/** A command's output as lines: each write, without its final newline, is one entry. */
export interface Captured {
  readonly io: CliIo;
  readonly out: string[];
  readonly err: string[];
}

/** Streams for a command's `main` that keep what it writes. */
export function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t.replace(/\n$/, '')) }, stderr: { write: (t: string) => err.push(t.replace(/\n$/, '')) } };
  return { io, out, err };
}
