import { parseArgs, ParseArgsConfig } from 'util';
import { FORMATTERS, FormatName } from '../review';
import type { Io } from './synth';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses the options of a command without positionals. Bad usage prints `<command>: <problem>`
 * and the usage line (exit 2); `--help` prints the help (exit 0). Returns the values, or the
 * exit code when the command is done.
 */
export function parseOptions<T>(command: string, argv: string[], options: Options, text: { usage: string; help: string }, io: Io): T | number {
  let values: T & { help?: boolean };
  try {
    values = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as T & { help?: boolean };
  } catch (e) {
    io.err(`${command}: ${(e as Error).message}\n${text.usage}`);
    return 2;
  }
  if (values.help) {
    io.out(text.help);
    return 0;
  }
  return values;
}

/** The review output format named by `--format` (default text), or exit 2 after saying it is unknown. */
export function reviewFormat(command: string, format: string | undefined, usage: string, io: Io): FormatName | number {
  const name = format ?? 'text';
  if (Object.prototype.hasOwnProperty.call(FORMATTERS, name)) return name as FormatName;
  io.err(`${command}: unknown --format "${name}" (use ${Object.keys(FORMATTERS).join(' or ')})\n${usage}`);
  return 2;
}
