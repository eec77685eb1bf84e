/**
 * What the commands that print a review diff share (`npm run diff`, `npm run promote`): line
 * output, the command line with `--format text|markdown` and `-h/--help`, and the formatter.
 */
import { FORMATTERS, Formatter } from '../review';
import { CliIo, parseCommandLine } from './kit';

/** Line-oriented output over a command's streams. */
export interface LineIo {
  out(line: string): void;
  err(line: string): void;
}

export function lineIo(cli: CliIo): LineIo {
  return { out: (line) => cli.stdout.write(`${line}\n`), err: (line) => cli.stderr.write(`${line}\n`) };
}

/** The command's own options (`--format` and `--help` are added). */
export type ReviewOptions = Record<string, { type: 'string' } | { type: 'boolean' }>;

export interface ReviewCommandText {
  /** The command's name, the prefix of its error lines. */
  readonly name: string;
  readonly usage: string;
  readonly help: string;
}

/**
 * Parses `argv`: the values and the chosen formatter, or the exit code when the command is done
 * (0 after `--help`, 2 after a usage error, reported on one line followed by the usage).
 */
export function parseReviewCommand<V>(
  argv: readonly string[],
  options: ReviewOptions,
  text: ReviewCommandText,
  io: LineIo,
): { values: V; formatter: Formatter } | { code: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseCommandLine({
      args: [...argv],
      options: { ...options, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    io.err(`${text.name}: ${(e as Error).message}\n${text.usage}`);
    return { code: 2 };
  }
  if (values.help) {
    io.out(text.help);
    return { code: 0 };
  }
  const format = (values.format as string | undefined) ?? 'text';
  const formatter = FORMATTERS.get(format);
  if (!formatter) {
    io.err(`${text.name}: unknown --format "${format}" (use text or markdown)\n${text.usage}`);
    return { code: 2 };
  }
  return { values: values as V, formatter };
}
