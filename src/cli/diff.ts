import * as path from 'path';
import { ConfigError, loadAllEnvironments } from '../config/load';
import { ENVIRONMENT_NAMES } from '../config/schema';
import { diffSets, FORMATTERS, fromDirectory, fromGitRef, fromRenderedFiles, hasChanges, LabelledSet, ReviewInputError } from '../review';
import { ARGOCD_FOLDER, StackRenderer } from '../synth';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import { CliIo, CliProcess, firstLine, parseCommandLine, runCommand } from './kit';

const USAGE =
  'usage: npm run diff -- [--env <name>] [--base <git-ref>] [--format text|markdown] [--dist <dir>] [--config <dir>]';

const FOLDERS: readonly string[] = [...ENVIRONMENT_NAMES, ARGOCD_FOLDER];

/**
 * `npm run diff`: what a fresh render changes relative to the committed output, resource by
 * resource, with field paths and old/new values.
 *
 * Base: the output folder on disk (`--dist`, default `dist/`), or that folder as committed at
 * `--base <git-ref>`. Head: an in-memory render of the current sources (`--config`) with
 * `render` (the charts, `charts/app.ts`).
 * Exit 0 when equal, 1 when different, 2 on bad usage or unreadable input (one line).
 */
export function main(argv: readonly string[], cli: CliIo, render: StackRenderer): number {
  const io = { out: (line: string) => cli.stdout.write(`${line}\n`), err: (line: string) => cli.stderr.write(`${line}\n`) };
  let values: { env?: string; base?: string; format?: string; dist?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseCommandLine({
      args: [...argv],
      options: {
        env: { type: 'string' },
        base: { type: 'string' },
        format: { type: 'string' },
        dist: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`diff: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const format = values.format ?? 'text';
  const formatter = FORMATTERS.get(format);
  if (!formatter) {
    io.err(`diff: unknown --format "${format}" (use text or markdown)\n${USAGE}`);
    return 2;
  }
  if (values.env !== undefined && !FOLDERS.includes(values.env)) {
    io.err(`diff: unknown --env "${values.env}" (use ${FOLDERS.join(', ')})\n${USAGE}`);
    return 2;
  }
  if (values.base === '') {
    io.err(`diff: --base needs a git revision\n${USAGE}`);
    return 2;
  }

  const distDir = path.resolve(values.dist ?? 'dist');
  const shownDist = `${path.relative(process.cwd(), distDir) || '.'}/`;
  try {
    const base: LabelledSet = values.base !== undefined
      ? { label: `${values.base}:${shownDist}`, set: fromGitRef(distDir, values.base) }
      : { label: shownDist, set: fromDirectory(distDir) };
    const files = render(CTIS_TOPOLOGY, loadAllEnvironments(CTIS_TOPOLOGY, values.config ? path.resolve(values.config) : undefined));
    const head: LabelledSet = { label: 'fresh render', set: fromRenderedFiles(files) };
    const report = diffSets(base, head, { env: values.env });
    io.out(formatter.format(report).replace(/\n$/, ''));
    return hasChanges(report) ? 1 : 0;
  } catch (e) {
    const message = firstLine(String((e as Error)?.message ?? e));
    io.err(e instanceof ReviewInputError || e instanceof ConfigError ? `diff: ${message}` : `diff: failed: ${message}`);
    return 2;
  }
}

/** Runs the command as a process with the given renderer (see `bin/diff.ts`). */
export function run(argv: readonly string[], render: StackRenderer, proc: CliProcess = process): void {
  runCommand('diff', (args, io) => main(args, io, render), argv, proc);
}
