import * as path from 'path';
import { ConfigError, loadAllEnvironments } from '../config/load';
import { ENVIRONMENT_NAMES } from '../config/schema';
import { diffSets, FORMATTERS, fromDirectory, fromRenderedObjects, hasChanges, LabelledSet, readCommitted, ReviewInputError } from '../review';
import { ARGOCD_FOLDER, StackRenderer } from '../synth';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import { TopologyError } from '../topology/model';
import { badUsage, CliIo, CliProcess, firstLine, formatOption, linesOf, parseOptions, runCommand, unexpectedError, unknownValue } from './kit';

const USAGE =
  'usage: npm run diff -- [--env <name>] [--base <git-ref> | --working-tree] [--format text|markdown] [--dist <dir>] [--config <dir>]';

const HELP = `${USAGE}

Compares a fresh render of the configuration with the committed output, resource by resource.

Options:
      --env <name>       only this folder: development, staging, production or argocd
      --base <git-ref>   compare with the output folder as committed at this revision (default: HEAD)
      --working-tree     compare with the output folder's files on disk instead (uncommitted edits included)
      --format <fmt>     text (default; txt is text) or markdown (a pull-request comment)
      --dist <dir>       the output folder (default: dist/)
      --config <dir>     folder of the environment files to render (default: config/)
  -h, --help             show this help

So edit, npm run synth, npm run diff shows what the edit changes against HEAD; --base origin/main
shows what a branch changes against main.
Exit codes: 0 no differences, 1 differences, 2 bad usage or unreadable input.`;

const FOLDERS: readonly string[] = [...ENVIRONMENT_NAMES, ARGOCD_FOLDER];

/**
 * `npm run diff`: what a fresh render changes relative to the committed output, resource by
 * resource, with field paths and old/new values.
 *
 * Base: the output folder (`--dist`, default `dist/`) as committed at `--base <git-ref>`
 * (default `HEAD`, so edit, synth, diff shows the edit), or its files on disk with
 * `--working-tree`. Head: an in-memory render of the current sources (`--config`) with `render`
 * (the charts, `charts/app.ts`), compared as the rendered objects.
 * Exit 0 when equal, 1 when different, 2 on bad usage or unreadable input (one line).
 */
export function main(argv: readonly string[], cli: CliIo, render: StackRenderer): number {
  const io = linesOf(cli);
  type Values = { env?: string; base?: string; 'working-tree'?: boolean; format?: string; dist?: string; config?: string };
  const options = { env: { type: 'string' }, base: { type: 'string' }, 'working-tree': { type: 'boolean' }, format: { type: 'string' }, dist: { type: 'string' }, config: { type: 'string' } } as const;
  const values = parseOptions<Values>('diff', argv, options, { usage: USAGE, help: HELP }, io);
  if (typeof values === 'number') return values;
  const formatter = formatOption('diff', FORMATTERS, values.format, USAGE, io);
  if (typeof formatter === 'number') return formatter;
  if (values.env !== undefined && !FOLDERS.includes(values.env)) {
    return badUsage('diff', unknownValue('env', values.env, FOLDERS), USAGE, io);
  }
  if (values.base === '') {
    return badUsage('diff', '--base needs a git revision', USAGE, io);
  }
  if (values.base !== undefined && values['working-tree']) {
    return badUsage('diff', '--base and --working-tree exclude each other: compare with a revision or with the files on disk', USAGE, io);
  }

  const distDir = path.resolve(values.dist ?? 'dist');
  const shownDist = `${path.relative(process.cwd(), distDir) || '.'}/`;
  const configDir = values.config ? path.resolve(values.config) : undefined;
  const shownConfig = `${configDir ? path.relative(process.cwd(), configDir) || '.' : 'config'}/`;
  try {
    const base = values['working-tree'] ? { label: `${shownDist} on disk`, set: fromDirectory(distDir) } : committedBase(distDir, shownDist, values.base);
    // The fresh render as data: what synth would write, without writing it and reading it back.
    const rendered = render(CTIS_TOPOLOGY, loadAllEnvironments(CTIS_TOPOLOGY, configDir));
    const head: LabelledSet = { label: `a fresh render of ${shownConfig}`, set: fromRenderedObjects(rendered) };
    const report = diffSets(base, head, { env: values.env });
    io.out(formatter.format(report).replace(/\n$/, ''));
    return hasChanges(report) ? 1 : 0;
  } catch (e) {
    const userError = e instanceof ReviewInputError || e instanceof ConfigError || e instanceof TopologyError;
    io.err(`diff: ${userError ? firstLine(e.message) : unexpectedError(e)}`);
    return 2;
  }
}

/**
 * The output folder as committed at `base` (default `HEAD`), labelled with the commit
 * (`dist/ at HEAD (1a2b3c4)`).
 */
function committedBase(distDir: string, shownDist: string, base: string | undefined): LabelledSet {
  const ref = base ?? 'HEAD';
  try {
    const { set, commit } = readCommitted(distDir, ref);
    return { label: `${shownDist} at ${ref}${ref === commit ? '' : ` (${commit.slice(0, 7)})`}`, set };
  } catch (e) {
    // Without --base the user may not know a revision is read at all: say how to compare with the files.
    if (base === undefined && e instanceof ReviewInputError && /not inside a git repository/.test(e.message)) {
      throw new ReviewInputError(`${e.message}: pass --working-tree to compare with the files on disk`);
    }
    throw e;
  }
}

/** Runs the command as a process with the given renderer (see `bin/diff.ts`). */
export function run(argv: readonly string[], render: StackRenderer, proc: CliProcess = process): void {
  runCommand('diff', (args, io) => main(args, io, render), argv, proc);
}
