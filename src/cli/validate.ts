/**
 * `npm run validate -- <dir> [--env <name>] [--format text|json|sarif|mermaid] [--config <dir>] [--rule <id>]...`
 *
 * Checks a directory of manifests against the topology declared in code and the environment's
 * configuration (SPEC §5), or the Argo CD output against every environment. Exit codes: 0 no
 * error finding; 1 at least one error finding; 2 bad usage or input that cannot be read (one
 * line, `file:line: message`, and with json/sarif a document on stdout), never a stack trace.
 */
import * as path from 'node:path';
import { ConfigError } from '../config/load';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../config/schema';
import { ManifestError } from '../manifests';
import { RULE_REGISTRY, validateDirectory } from '../validator';
import type { Failure } from '../output/format';
import { FORMATTERS, Formatter } from '../validator/format';
import { badUsage, CliIo, CliProcess, firstLine, linesOf, parseCommandLine, runCommand, unexpectedError, unknownFormat, unknownValue, UsageError } from './kit';

const FORMATS = FORMATTERS.names;
const USAGE = `usage: npm run validate -- <dir> [--env ${ENVIRONMENT_NAMES.join('|')}] [--format ${FORMATS.join('|')}] [--config <dir>] [--rule <id>]...`;
const HELP = `${USAGE}

Validates rendered or hand-edited manifests (every .yaml, .yml and .json file under <dir>, or one
file) against the topology declared in src/topology/ and config/<env>.yaml: the runbook rules,
NetworkPolicy reachability edge by edge, the edge, secrets, the application contract,
operations, delivery, Pod Security and the generic checks (see docs/rules.md).

A directory of Argo CD objects only (dist/argocd) is validated as the Argo CD output against
every environment (or the one --env names), the ApplicationSet's parameter files included.
A document that is not a Kubernetes object (a kustomization.yaml, a values file, a JSON array)
is an error finding (Argo CD cannot sync it); the rest is validated all the same. Manifests of
another environment give one leading finding that says so, the rest folded into it.

Options:
  -e, --env <name>     environment: ${ENVIRONMENT_NAMES.join(', ')} (default: from the directory name,
                       e.g. dist/production; required when the name is none of them, except for
                       the Argo CD output)
  -f, --format <fmt>   output format (default: text; txt is text):
                         text     findings grouped by rule, with file:line, resource, fix and docs
                         json     {"findings":[{"rule","severity","message","file","line",
                                  "resource","remediation"}],"summary":{...}} (see README)
                         sarif    SARIF 2.1.0 for code scanning, locations relative to %SRCROOT%
                         mermaid  the allowed connections between components, for a pull request
                       With json or sarif, an error that stops validation (exit 2) is written on
                       stdout too: {"error":{"kind","message","file","line"},"findings":[],
                       "summary":null}, or a SARIF run whose invocation failed.
  -c, --config <dir>   folder of the <env>.yaml environment files (default: the project's config/)
      --rule <id>      run only this rule; repeat for several (ids in docs/rules.md)
  -h, --help           show this help

Exit codes:
  0  no error finding (warnings may be reported)
  1  at least one error finding
  2  bad usage (the problem, then the usage line), an unreadable path or file, YAML that does
     not parse, no manifest file, or a configuration that does not load (one line on stderr,
     file:line); never a stack trace

Suppress a finding with the annotation ctis.io/suppress.<rule-id>: "<reason>" on the object
(the reason is required; suppressed findings are counted in the summary).
`;

/** The formatter `--format` names in raw arguments, before (or without) parsing them, for failures. */
function formatterIn(argv: readonly string[]): Formatter | undefined {
  let name: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--format' || a === '-f') name = argv[i + 1];
    else if (a.startsWith('--format=')) name = a.slice('--format='.length);
    else if (a.startsWith('-f') && a.length > 2 && !a.startsWith('--')) name = a.slice(2);
  });
  return name === undefined ? undefined : FORMATTERS.get(name);
}

/** What went wrong, as the formats that write failures report it. */
function failureOf(e: unknown): Failure {
  if (e instanceof UsageError) return { kind: 'usage', message: e.message };
  if (e instanceof ManifestError) return { kind: 'input', message: e.message, file: e.file, ...(e.line !== undefined ? { line: e.line } : {}) };
  if (e instanceof ConfigError) return { kind: 'configuration', message: e.message, file: e.file };
  return { kind: 'internal', message: firstLine(e instanceof Error ? e.message : String(e)) };
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
  let formatter = formatterIn(argv);
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
    const format = values.format ?? 'text';
    formatter = FORMATTERS.get(format);
    if (!formatter) throw new UsageError(unknownFormat(FORMATTERS, format));
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing <dir>' : `expected one <dir>, got ${positionals.length}`);
    const env = values.env;
    if (env !== undefined && !(ENVIRONMENT_NAMES as readonly string[]).includes(env)) {
      throw new UsageError(unknownValue('env', env, ENVIRONMENT_NAMES));
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
    const failure = failureOf(e);
    const { err } = linesOf(io);
    if (e instanceof UsageError) badUsage('validate', e.message, USAGE, { err });
    else if (e instanceof ManifestError) err(`validate: ${e.describe()}`);
    else if (e instanceof ConfigError) err(`validate: ${e.message}`);
    else err(`validate: ${unexpectedError(e)}`);
    if (formatter?.failure) io.stdout.write(formatter.failure(failure, { rules: RULE_REGISTRY }));
    return 2;
  }
}

/** Runs the command as a process (exit code; a quiet end when the output pipe closes). */
export function run(argv: readonly string[], proc: CliProcess = process): void {
  runCommand('validate', main, argv, proc);
}
