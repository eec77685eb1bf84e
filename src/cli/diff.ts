import * as path from 'path';
import { parseArgs } from 'util';
import { ArgoCd } from '../../charts/argocd';
import { ConfigError } from '../config/load';
import { ENVIRONMENT_NAMES } from '../config/schema';
import {
  diffSets,
  FORMATTERS,
  FormatName,
  fromDirectory,
  fromGitRef,
  fromRenderedObjects,
  hasChanges,
  LabelledSet,
  ReviewInputError,
} from '../review';
import { renderObjectsFromConfig } from '../synth';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import type { Io } from './synth';

const USAGE =
  'usage: npm run diff -- [--env <name>] [--base <git-ref>] [--format text|markdown] [--dist <dir>] [--config <dir>]';

const FOLDERS: readonly string[] = [...ENVIRONMENT_NAMES, ArgoCd.FOLDER];

/**
 * `npm run diff`: what a fresh render changes relative to the committed output, resource by
 * resource, with field paths and old/new values.
 *
 * Base: the output folder on disk (`--dist`, default `dist/`), or that folder as committed at
 * `--base <git-ref>`. Head: an in-memory render of the current sources (`--config`).
 * Exit 0 when equal, 1 when different, 2 on bad usage or unreadable input (one line).
 */
export function main(argv: string[], io: Io): number {
  let values: { env?: string; base?: string; format?: string; dist?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: 'string' },
        base: { type: 'string' },
        format: { type: 'string' },
        dist: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
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
  if (!Object.prototype.hasOwnProperty.call(FORMATTERS, format)) {
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
    // The fresh render as data: what synth would write, without writing it and reading it back.
    const rendered = renderObjectsFromConfig(CTIS_TOPOLOGY, values.config ? path.resolve(values.config) : undefined);
    const head: LabelledSet = { label: 'fresh render', set: fromRenderedObjects(rendered) };
    const report = diffSets(base, head, { env: values.env });
    io.out(FORMATTERS[format as FormatName](report).replace(/\n$/, ''));
    return hasChanges(report) ? 1 : 0;
  } catch (e) {
    const message = String((e as Error)?.message ?? e).split('\n')[0];
    io.err(e instanceof ReviewInputError || e instanceof ConfigError ? `diff: ${message}` : `diff: failed: ${message}`);
    return 2;
  }
}

/* istanbul ignore next */
if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
