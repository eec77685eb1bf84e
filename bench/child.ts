/**
 * One measured unit of work, run in a fresh process by `run.ts` so that memory and module
 * loading are measured honestly. Prints one JSON line: the in-process time of the work and
 * the peak resident memory of the process.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

const [mode, ...args] = process.argv.slice(2);

/** The environment the synthetic stacks are rendered for (its platform settings are reused). */
const ENV = 'staging';

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listYaml(p));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function report(extra: Record<string, unknown>, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);
}

function synthetic(n: number) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { syntheticTopology, syntheticEnvironment } = require('../src/topology/synthetic');
  const { loadEnvironment } = require('../src/config/load');
  const { CTIS_TOPOLOGY } = require('../src/topology/ctis');
  const topology = syntheticTopology({ components: n });
  const env = syntheticEnvironment(loadEnvironment(ENV, CTIS_TOPOLOGY), topology);
  return { topology, env };
}

switch (mode) {
  case 'render': {
    // render <components> <outDir>: the real generator on a synthetic topology.
    const started = process.hrtime.bigint();
    const { renderAll } = require('../charts/app');
    const { writeAtomically } = require('../src/synth');
    const { topology, env } = synthetic(Number(args[0]));
    const files = renderAll(topology, [env]);
    writeAtomically(args[1], files);
    let objects = 0;
    for (const [file, text] of files) if (file.startsWith(`${ENV}/`)) objects += (text.match(/^---$/gm) ?? []).length;
    report({ objects, files: files.size }, started);
    break;
  }
  case 'parse': {
    // parse <dir>: the floor — read and parse every YAML file with js-yaml, nothing else.
    const started = process.hrtime.bigint();
    let objects = 0;
    for (const f of listYaml(path.join(args[0], ENV))) for (const d of yaml.loadAll(fs.readFileSync(f, 'utf8'))) if (d) objects++;
    report({ objects }, started);
    break;
  }
  case 'validate': {
    // validate <components> <dir>: load the directory and validate it against the synthetic topology.
    const started = process.hrtime.bigint();
    const { loadManifests } = require('../src/manifests');
    const { validateObjects } = require('../src/validator');
    const { topology, env } = synthetic(Number(args[0]));
    const objects = loadManifests(path.join(args[1], env.name));
    const result = validateObjects(objects, { env, topology });
    const errors = result.findings.filter((f: { severity: string }) => f.severity === 'error').length;
    report({ objects: objects.length, errors }, started);
    break;
  }
  default:
    process.stderr.write(`bench child: unknown mode "${mode}"\n`);
    process.exit(2);
}
