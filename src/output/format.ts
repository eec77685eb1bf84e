/**
 * The one formatter interface of the commands: `validate`, `connectivity` and `diff` each keep a
 * {@link FormatRegistry} of {@link Formatter}s and pick one by the `--format` name.
 */

/**
 * Why a command could not produce a result (exit 2): bad usage, input it cannot read (a file, YAML
 * that does not parse, a configuration), or an internal error.
 */
export interface Failure {
  readonly kind: 'usage' | 'input' | 'configuration' | 'internal';
  /** One line, without the location. */
  readonly message: string;
  /** The file at fault, as the user named it (the directory joined with the file). */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
}

/** One output format: turns a result into the whole document (ending in a newline). Pure. */
export interface Formatter<T, C = void> {
  /** The name `--format` takes and help texts show. */
  readonly name: string;
  /** Other names `--format` accepts for the same format (`txt` for `text` and the other way round). */
  readonly aliases?: readonly string[];
  format(result: T, context: C): string;
  /**
   * The document written on stdout when the command fails (exit 2), for formats a machine reads
   * (JSON, SARIF), so CI always gets something to parse; text formats leave it to stderr.
   */
  failure?(failure: Failure, context: C): string;
}

/** The formats of one command, by name (in the order help texts list them) and alias. */
export class FormatRegistry<T, C = void> {
  private readonly byName = new Map<string, Formatter<T, C>>();
  /** Names in order, without aliases. */
  readonly names: readonly string[];

  constructor(formatters: readonly Formatter<T, C>[]) {
    this.names = formatters.map((f) => f.name);
    for (const f of formatters) {
      for (const n of [f.name, ...(f.aliases ?? [])]) {
        if (this.byName.has(n)) throw new Error(`format name "${n}" is registered twice`);
        this.byName.set(n, f);
      }
    }
  }

  /** The formatter of a name or alias, or undefined. */
  get(name: string): Formatter<T, C> | undefined {
    return this.byName.get(name);
  }

  /** Every name `--format` accepts, in order, each format's aliases after its name (`text`, `txt`, `json`, ...). */
  accepted(): string[] {
    return this.names.flatMap((n) => [n, ...(this.byName.get(n)?.aliases ?? [])]);
  }

  /** Whether a name or alias is known. */
  has(name: string): boolean {
    return this.byName.has(name);
  }
}
