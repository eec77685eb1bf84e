import * as path from 'path';
import { ConfigError } from '../config/load';
import { ENVIRONMENT_NAMES } from '../config/schema';
import { planPromotion, PromotionError } from '../delivery/promote';
import { FORMATTERS, ReviewInputError } from '../review';
import { replaceFilesAtomically, StackRenderer } from '../synth';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import { TopologyError } from '../topology/model';
import { badUsage, CliIo, CliProcess, firstLine, formatOption, linesOf, parseOptions, runCommand, unexpectedError, unknownValue } from './kit';

const USAGE = 'usage: npm run promote -- --env <name> --to <release-tag|commit-sha> [--format text|markdown] [--config <dir>] [--dist <dir>]';

const HELP = `${USAGE}

Moves an environment delivered by promotion (argocd.delivery: promoted; shipped: production) to
another immutable ref. Checks that the ref is a release tag (v1.2.3) or a commit SHA of the local
repository and that dist/<env> as committed there passes the validator (read with git, nothing is
checked out); then updates argocd.ref in config/<env>.yaml (only that value: comments and layout
stay) and the rendered dist/argocd/, and prints what the environment will receive: dist/<env>
committed at the current ref against the new one. Commit the changed files and open a pull
request; Argo CD syncs the new ref once the change is merged and applied, inside the sync windows.

Options:
      --env <name>       the environment to promote: development, staging or production (required)
      --to <ref>         a release tag or a commit SHA (an abbreviated SHA is expanded) (required)
      --format <fmt>     text (default; txt is text) or markdown (for the pull request)
      --config <dir>     folder of the environment files (default: config/)
      --dist <dir>       the committed output folder (default: dist/)
  -h, --help             show this help

A ref that is not there, a branch, or an output with validation errors: one line, exit 1, and no
file is changed. Exit codes: 0 promoted (or already there), 1 refused, 2 bad usage.`;

function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
}

/**
 * `npm run promote -- --env production --to v1.9.0`. The diff goes to standard output (a
 * pull-request comment with `--format markdown`); notes and the summary to standard error.
 * `render` renders the environments (the charts, `charts/app.ts`) for the Argo CD files.
 */
export function main(argv: readonly string[], cli: CliIo, render: StackRenderer): number {
  const io = linesOf(cli);
  type Values = { env?: string; to?: string; format?: string; config?: string; dist?: string };
  const options = { env: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' }, dist: { type: 'string' } } as const;
  const values = parseOptions<Values>('promote', argv, options, { usage: USAGE, help: HELP }, io);
  if (typeof values === 'number') return values;
  const formatter = formatOption('promote', FORMATTERS, values.format, USAGE, io);
  if (typeof formatter === 'number') return formatter;
  for (const option of ['env', 'to'] as const) {
    if (values[option] === undefined || values[option] === '') {
      return badUsage('promote', `--${option} is required`, USAGE, io);
    }
  }
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(values.env!)) {
    return badUsage('promote', unknownValue('env', values.env!, ENVIRONMENT_NAMES), USAGE, io);
  }
  try {
    const plan = planPromotion({
      env: values.env!,
      to: values.to!,
      configDir: path.resolve(values.config ?? 'config'),
      distDir: path.resolve(values.dist ?? 'dist'),
      topology: CTIS_TOPOLOGY,
      render,
    });
    for (const note of plan.notes) io.err(`promote: note: ${note}`);
    replaceFilesAtomically(plan.writes);
    io.out(formatter.format(plan.diff).replace(/\n$/, ''));
    if (plan.writes.size === 0) {
      io.err(`promote: ${plan.env} already follows ${plan.to.ref}; nothing changed`);
    } else {
      const files = [...plan.writes.keys()].map(shown).join(', ');
      io.err(`promote: ${plan.env} now follows ${plan.to.ref} (was ${plan.from.ref}); updated ${files}: commit them and open a pull request`);
    }
    return 0;
  } catch (e) {
    const userError = e instanceof PromotionError || e instanceof ConfigError || e instanceof ReviewInputError || e instanceof TopologyError;
    io.err(`promote: ${userError ? firstLine(e.message) : unexpectedError(e)}; nothing was changed`);
    return 1;
  }
}

/** Runs the command as a process with the given renderer (see `bin/promote.ts`). */
export function run(argv: readonly string[], render: StackRenderer, proc: CliProcess = process): void {
  runCommand('promote', (args, io) => main(args, io, render), argv, proc);
}
