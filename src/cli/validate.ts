/**
 * `npm run validate -- <dir> [--env <name>] [--format text|json|sarif|mermaid] [--config <dir>]`
 *
 * Checks a directory of manifests against the topology declared in code and the environment's
 * configuration (SPEC §5). Exit codes: 0 no error finding; 1 at least one error finding; 2 bad
 * usage or unreadable/malformed input (one line, `file:line: message`), never a stack trace.
 */
import * as path from 'node:path';
import { ConfigError } from '../config/load';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../config/schema';
import { ManifestError } from '../manifests';
import { RULE_REGISTRY, validateDirectory } from '../validator';
import { FORMATTERS } from '../validator/format';
import { CliIo, CliProcess, firstLine, parseCommandLine, runCommand, UsageError } from './kit';

const FORMATS = FORMATTERS.names;
const USAGE = `usage: npm run validate -- <dir> [--env ${ENVIRONMENT_NAMES.join('|')}] [--format ${FORMATS.join('|')}] [--config <dir>]`;
const HELP = `${USAGE}

Validates rendered or hand-edited manifests against the declared topology and config/<env>.yaml.

Options:
  -e, --env <name>     environment (default: from the directory name, e.g. dist/production)
  -f, --format <fmt>   ${FORMATS.join(', ')} (default: text)
  -c, --config <dir>   folder of the environment files (default: config/)
      --rule <id>      run only this rule (repeatable)
  -h, --help           show this help

Exit codes: 0 no error finding, 1 error findings, 2 bad usage or unreadable input.
Suppress a finding with the annotation ctis.io/suppress.<rule-id>: "<reason>" on the object.
`;

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
  try {
    const { values, positionals } = parseCommandLine({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string', short: 'e' },
        format: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        rule: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing <dir>' : `expected one directory, got ${positionals.length}`);
    const format = values.format ?? 'text';
    const formatter = FORMATTERS.get(format);
    if (!formatter) throw new UsageError(`unknown format "${format}" (expected ${FORMATS.join(', ')})`);
    const env = values.env;
    if (env !== undefined && !(ENVIRONMENT_NAMES as readonly string[]).includes(env)) {
      throw new UsageError(`unknown environment "${env}" (expected ${ENVIRONMENT_NAMES.join(', ')})`);
    }
    const dir = positionals[0];
    const report = validateDirectory(dir, {
      env: env as EnvironmentName | undefined,
      configDir: values.config ? path.resolve(values.config) : undefined,
      rules: values.rule,
      graph: format === 'mermaid',
    });
    io.stdout.write(formatter.format(report, { rules: RULE_REGISTRY, target: dir }));
    return report.summary.errors > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`validate: ${e.message} (see --help)\n`);
    } else if (e instanceof ManifestError) {
      io.stderr.write(`validate: ${e.describe()}\n`);
    } else if (e instanceof ConfigError) {
      io.stderr.write(`validate: ${e.message}\n`);
    } else {
      io.stderr.write(`validate: internal error: ${firstLine(e instanceof Error ? e.message : String(e))}\n`);
    }
    return 2;
  }
}

/** Runs the command as a process (exit code; a quiet end when the output pipe closes). */
export function run(argv: readonly string[], proc: CliProcess = process): void {
  runCommand('validate', main, argv, proc);
}
