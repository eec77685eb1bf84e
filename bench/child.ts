/**
 * One measured unit of work, run in a fresh process by `run.ts` so that memory and module
 * loading are measured honestly. Prints one JSON line: the in-process time of the work and
 * the peak resident memory of the process.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { listManifestFiles } from '../src/manifests/files';

const [mode, ...args] = process.argv.slice(2);

/** The environment the synthetic stacks are rendered for (its platform settings are reused). */
const ENV = 'staging';

function report(extra: Record<string, unknown>, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);
}

async function synthetic(n: number) {
  const { syntheticTopology, syntheticEnvironment } = await import('../src/topology/synthetic');
  const { loadEnvironment } = await import('../src/config/load');
  const { CTIS_TOPOLOGY } = await import('../src/topology/ctis');
  const topology = syntheticTopology({ components: n });
  const env = syntheticEnvironment(loadEnvironment(ENV, CTIS_TOPOLOGY), topology);
  return { topology, env };
}

async function main(): Promise<void> {
  switch (mode) {
    case 'render': {
      // render <components> <outDir>: the real generator on a synthetic topology.
      const started = process.hrtime.bigint();
      const { renderAll } = await import('../charts/app');
      const { writeAtomically } = await import('../src/synth');
      const { topology, env } = await synthetic(Number(args[0]));
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
      const dir = path.join(args[0], ENV);
      let objects = 0;
      for (const f of listManifestFiles(dir)) for (const d of yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8'))) if (d) objects++;
      report({ objects }, started);
      break;
    }
    case 'validate': {
      // validate <components> <dir>: load the directory and validate it against the synthetic topology.
      const started = process.hrtime.bigint();
      const { loadManifests } = await import('../src/manifests');
      const { validateObjects } = await import('../src/validator');
      const { topology, env } = await synthetic(Number(args[0]));
      const objects = loadManifests(path.join(args[1], env.name));
      const result = validateObjects(objects, { env, topology });
      const errors = result.findings.filter((f) => f.severity === 'error').length;
      report({ objects: objects.length, errors }, started);
      break;
    }
    default:
      process.stderr.write(`bench child: unknown mode "${mode}"\n`);
      process.exit(2);
  }
}

void main();
