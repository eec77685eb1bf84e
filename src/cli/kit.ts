/**
 * What every command shares: where it writes ({@link CliIo}), how bad usage is reported
 * ({@link UsageError}, exit 2), how it runs as a process ({@link runCommand}: the exit code, and a
 * quiet end when the reader of the output goes away), and how it guesses the environment from a
 * folder name ({@link inferEnvironment}).
 *
 * A command is a function `(argv, io) => exit code` that never throws and never prints a stack
 * trace; `bin/<command>.ts` runs it with {@link runCommand}.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';
import type { FormatRegistry, Formatter } from '../output/format';
import { joinWords } from '../output/words';

export { UsageError };
export { inferEnvironment } from '../config/load';

/** Something text can be written to (a process stream, or a buffer in tests). */
export interface Writable {
  write(text: string): unknown;
}

/** Where a command writes. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Writing whole lines to a command's output and error streams. */
export interface Lines {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** {@link Lines} over a command's streams. */
export function linesOf(io: CliIo): Lines {
  return { out: (line) => io.stdout.write(`${line}\n`), err: (line) => io.stderr.write(`${line}\n`) };
}

/** A command: runs with the arguments after the script name and returns the exit code. */
export type Command = (argv: readonly string[], io: CliIo) => number;

/** A stream that reports write errors (the reader went away, a full disk). */
export interface ErrorSource {
  on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

/** A stream that may still hold written text it has not handed on (bytes). */
interface Pending {
  readonly writableLength?: number;
}

/** What {@link runCommand} needs of the process (the real one, or a fake in tests). */
export interface CliProcess extends CliIo {
  readonly stdout: Writable & ErrorSource & Pending;
  readonly stderr: Writable & ErrorSource & Pending;
  exitCode?: number | string | undefined;
  exit(code?: number): never;
}

/** The first line of a message (commands print one line per error). */
export function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i === -1 ? s : s.slice(0, i);
}

/**
 * Parses the command line (strict: an unknown option or a missing value is an error).
 * @throws UsageError with the first line of what is wrong, worded like the commands' own messages
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (e) {
    const message = firstLine((e as Error).message)
      // Node's advice on positionals that start with '-' (with an unbalanced quote) is noise here.
      .replace(/\. To specify a positional argument starting with a '-'.*$/, '')
      .replace(/\. This command does not take positional arguments$/, ': this command takes no positional arguments');
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1));
  }
}

/**
 * Bad usage as every command reports it (exit 2): one line naming the problem, the usage line,
 * and where the help is.
 */
export function usageLines(command: string, problem: string, usage: string): string[] {
  return [`${command}: ${problem}`, usage, `Try 'npm run ${command} -- --help' for every option.`];
}

/** Writes {@link usageLines} to the error stream; returns the exit code, 2. */
export function badUsage(command: string, problem: string, usage: string, lines: Pick<Lines, 'err'>): 2 {
  for (const line of usageLines(command, problem, usage)) lines.err(line);
  return 2;
}

/** `unknown --<option> "<value>" (use <every accepted value>)`. */
export function unknownValue(option: string, value: string, accepted: readonly string[]): string {
  return `unknown --${option} "${value}" (use ${joinWords(accepted, 'or')})`;
}

/** {@link unknownValue} of `--format`, aliases included. */
export function unknownFormat(formats: { accepted(): readonly string[] }, name: string): string {
  return unknownValue('format', name, formats.accepted());
}

/**
 * An error no command expects, as one line: a system error (a folder that cannot be written) as
 * Node words it, with the path; anything else as an internal error.
 */
export function unexpectedError(e: unknown): string {
  const message = firstLine(e instanceof Error ? e.message : String(e));
  const sys = e as NodeJS.ErrnoException | undefined;
  return typeof sys?.code === 'string' && typeof sys.syscall === 'string' ? message : `internal error: ${message}`;
}

/** The options a command declares, as `util.parseArgs` takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * The options of a command that takes no positionals (synth, diff, promote), `-h`/`--help`
 * included. Bad usage prints {@link usageLines} (exit 2); `--help` prints the help (exit 0).
 * Returns the values, or the exit code when the command is done.
 */
export function parseOptions<T>(command: string, argv: readonly string[], options: CommandOptions, text: { usage: string; help: string }, lines: Lines): T | number {
  let values: T & { help?: boolean };
  try {
    values = parseCommandLine({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false }).values as T & { help?: boolean };
  } catch (e) {
    return badUsage(command, (e as Error).message, text.usage, lines);
  }
  if (values.help) {
    lines.out(text.help);
    return 0;
  }
  return values;
}

/**
 * The formatter `--format` names (default `text`), or exit 2 after saying the name is unknown
 * ({@link unknownFormat}, as bad usage).
 */
export function formatOption<T, C>(command: string, formats: FormatRegistry<T, C>, name: string | undefined, usage: string, lines: Lines): Formatter<T, C> | number {
  const formatter = formats.get(name ?? 'text');
  if (formatter) return formatter;
  return badUsage(command, unknownFormat(formats, name ?? 'text'), usage, lines);
}

/**
 * Ends the process quietly when the reader of `stream` goes away (`validate ... | head`: EPIPE),
 * with the exit code set so far: that is no error of the command, and Node would otherwise print
 * a stack trace. Any other write error is one line on `stderr` and exit 2.
 * @param exitCode the exit code so far (default: `process.exitCode`, else 0)
 */
export function exitQuietlyOnClosedPipe(
  stream: ErrorSource,
  exit: (code: number) => void,
  stderr: Writable,
  name = 'ctis',
  exitCode: () => number | string | undefined = () => process.exitCode,
): void {
  stream.on('error', (e) => {
    if (e?.code === 'EPIPE') {
      const code = exitCode();
      exit(typeof code === 'number' ? code : 0);
      return;
    }
    try {
      stderr.write(`${name}: cannot write the output: ${firstLine(e?.message ?? String(e))}\n`);
    } catch {
      // stderr is gone too
    }
    exit(2);
  });
}

/**
 * Runs a command as the process: sets the exit code and exits once the output is written, and
 * stops quietly when the reader of stdout or stderr goes away (keeping that exit code); any other
 * write error is one line on stderr and exit 2.
 */
export function runCommand(name: string, command: Command, argv: readonly string[], proc: CliProcess = process): void {
  const exit = (code: number) => proc.exit(code);
  exitQuietlyOnClosedPipe(proc.stdout, exit, proc.stderr, name, () => proc.exitCode);
  exitQuietlyOnClosedPipe(proc.stderr, exit, proc.stderr, name, () => proc.exitCode);
  const code = command(argv, proc);
  proc.exitCode = code;
  // With everything written, leave at once: ending on its own, Node first tears the heap down.
  if (!proc.stdout.writableLength && !proc.stderr.writableLength) proc.exit(code);
}
