import * as path from 'path';
import { ConfigError, loadAllEnvironments } from '../config/load';
import { notReplaceable, StackRenderer, textsOf, writeAtomically, writeFiles } from '../synth';
import { gateErrors } from '../synth/gate';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import { TopologyError } from '../topology/model';
import { CliIo, CliProcess, firstLine, linesOf, parseOptions, runCommand, unexpectedError } from './kit';

/** A path as the user would write it: relative below the working folder, absolute elsewhere. */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? path.resolve(p) : rel;
}

const USAGE = 'usage: npm run synth -- [--out <dir>] [--config <dir>]';

/**
 * `npm run synth`: renders every environment with `render` (the charts, `charts/app.ts`),
 * validates the result in memory and swaps it into `dist/` in one step. Invalid configuration:
 * one line naming file, environment and field; validation errors: one line per finding; either
 * way exit 1 and `dist/` untouched.
 */
export function main(argv: readonly string[], io: CliIo, render: StackRenderer): number {
  const { out, err } = linesOf(io);
  const help = `${USAGE}

Renders every environment from config/<env>.yaml into <out>/<env>/ and the Argo CD delivery into
<out>/argocd/, validates all of it in memory (the validator's error findings stop it) and then
replaces the output folder in one step: a failed synth leaves it as it was.

Options:
      --out <dir>      the output folder (default: dist/; under cdk8s synth, the folder it names).
                       An existing folder is replaced only if it looks like rendered output (folders
                       of YAML files, nothing hidden)
      --config <dir>   folder of the <env>.yaml environment files (default: the project's config/)
  -h, --help           show this help

Exit codes:
  0  rendered, validated and written
  1  a configuration refused (one line: file, environment, field), a topology the generator
     cannot render (one line naming the component, task or edge) or validation errors (one line
     each: file:line, rule, resource, message); nothing was written
  2  bad usage, or an --out folder that does not look like rendered output
`;
  const values = parseOptions<{ out?: string; config?: string }>('synth', argv, { out: { type: 'string' }, config: { type: 'string' } }, { usage: USAGE, help }, { out, err });
  if (typeof values === 'number') return values;
  // Under `cdk8s synth` the CLI names the output folder and owns it.
  const outDir = values.out ?? process.env.CDK8S_OUTDIR ?? path.resolve(process.cwd(), 'dist');
  const refused = values.out !== undefined ? notReplaceable(path.resolve(values.out)) : undefined;
  if (refused) {
    err(`synth: will not replace ${values.out}: ${refused}; choose a new folder or a previous synth output`);
    return 2;
  }
  try {
    const envs = loadAllEnvironments(CTIS_TOPOLOGY, values.config ? path.resolve(values.config) : undefined);
    const files = writeFiles(render(CTIS_TOPOLOGY, envs));
    // The gate: what was rendered must pass the validator before it replaces the output.
    const errors = gateErrors(files, envs, CTIS_TOPOLOGY);
    if (errors.length > 0) {
      const shown = shownPath(outDir);
      for (const f of errors) err(`synth: ${path.join(shown, f.file)}:${f.line}: ${f.rule}: ${f.resource}: ${f.message}`);
      err(`synth: the rendered output has ${errors.length} validation error(s); nothing was written, the previous output is unchanged`);
      return 1;
    }
    writeAtomically(outDir, textsOf(files));
    out(`synth: wrote ${files.size} files to ${shownPath(outDir)}`);
    return 0;
  } catch (e) {
    // The configuration and the topology are the user's: their errors name the file or the component.
    err(`synth: ${e instanceof ConfigError || e instanceof TopologyError ? firstLine(e.message) : unexpectedError(e)}`);
    err('synth: nothing was written; the previous output is unchanged');
    return 1;
  }
}

/** Runs the command as a process with the given renderer (see `bin/synth.ts`). */
export function run(argv: readonly string[], render: StackRenderer, proc: CliProcess = process): void {
  runCommand('synth', (args, io) => main(args, io, render), argv, proc);
}
