/**
 * `npm run bench`: wall time and peak memory of the everyday commands exactly as typed (through
 * npm, including the staleness check and any rebuild), of validation at scale, and of the
 * floors they are judged against, each the median of several runs in fresh processes. The
 * runs are interleaved (one of each, then again) so that a busy machine slows every row alike.
 * Prints a table and writes `bench/results.json`. BENCH_RUNS changes the number of runs
 * (default 5), BENCH_LARGE_COMPONENTS the size of the large stack (default 1430).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';

/** The bundle runs from `lib/bench/`. */
const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const LARGE_COMPONENTS = Number(process.env.BENCH_LARGE_COMPONENTS ?? 1430);
const SCALES = [100, 250, 500, 1000];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/**
 * The source file touched before the "after a change" run: only synth's bundle contains it, so
 * the other commands stay warm (touching a shared file rebuilds each command once, each as fast).
 */
const TOUCHED = 'src/cli/synth.ts';

interface Runner {
  ensureBuilt(entry: string): string;
}
// Loaded at run time from the project, never bundled: the benchmark rebuilds through it.
const runner = createRequire(__filename)(path.join(ROOT, 'scripts', 'run.js')) as Runner;

/** One measured command: what to spawn, where, and what to do just before each run. */
interface Case {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly before?: () => void;
  /** The command prints a last line `{"ms":..,"objects":..}` (the bench child does). */
  readonly reportsWork?: boolean;
}

interface Sample {
  wallMs: number;
  maxRssMB: number;
  workMs?: number;
  objects?: number;
}

export interface Measurement {
  name: string;
  command: string;
  runs: number;
  wallMs: number;
  workMs?: number;
  maxRssMB: number;
  objects?: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const RSS_HOOK = runner.ensureBuilt('bench/rss-hook.ts');

/** Runs a case once in fresh processes; fails loudly if it fails. */
function once(c: Case): Sample {
  const rssFile = path.join(os.tmpdir(), `ctis-bench-rss-${process.pid}.jsonl`);
  fs.rmSync(rssFile, { force: true });
  c.before?.();
  const started = process.hrtime.bigint();
  const r = spawnSync(c.command, c.args, {
    cwd: c.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...c.env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require=${JSON.stringify(RSS_HOOK)}` },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) {
    const tail = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${c.name}: ${[c.command, ...c.args].join(' ')} exited ${r.status ?? r.signal}: ${tail}`);
  }
  // Every node process of the run (npm itself included) appends its peak; the largest counts.
  const peaks = fs.existsSync(rssFile)
    ? fs.readFileSync(rssFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { maxRssMB: number }).maxRssMB)
    : [];
  fs.rmSync(rssFile, { force: true });
  const child = c.reportsWork ? (JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { ms: number; objects?: number }) : undefined;
  return { wallMs, maxRssMB: Math.max(0, ...peaks), workMs: child?.ms, objects: child?.objects };
}

/** Runs every case `RUNS` times, interleaved, after one unmeasured warm-up run of each. */
function measureAll(cases: readonly Case[]): Measurement[] {
  for (const c of cases) once(c);
  const samples: Sample[][] = cases.map(() => []);
  for (let r = 0; r < RUNS; r++) cases.forEach((c, i) => samples[i].push(once(c)));
  return cases.map((c, i) => {
    const s = samples[i];
    const work = s.map((x) => x.workMs).filter((x): x is number => x !== undefined);
    const m: Measurement = {
      name: c.name,
      command: [c.command === process.execPath ? 'node' : c.command, ...c.args].join(' ').split(ROOT + path.sep).join(''),
      runs: s.length,
      wallMs: median(s.map((x) => x.wallMs)),
      workMs: work.length ? median(work) : undefined,
      maxRssMB: Math.max(...s.map((x) => x.maxRssMB)),
      objects: s[0].objects,
    };
    process.stderr.write(`  ${m.name}: ${m.wallMs.toFixed(0)} ms\n`);
    return m;
  });
}

const npmRun = (name: string, script: string, ...args: string[]): Case => ({
  name,
  command: NPM,
  args: ['run', script, ...(args.length ? ['--', ...args] : [])],
});

/** A measured child (`bench/child-<work>.ts`, each with its own bundle and code cache). */
const childCase = (name: string, work: 'render' | 'parse' | 'validate', ...args: string[]): Case => ({
  name,
  command: process.execPath,
  args: ['scripts/run.js', `bench/child-${work}.ts`, ...args],
  reportsWork: true,
});

function touch(rel: string): void {
  const now = new Date();
  fs.utimesSync(path.join(ROOT, rel), now, now);
}

/** The everyday commands as typed, beside the two references of the issue. */
function commands(work: string): Measurement[] {
  const reference = path.join(ROOT, 'bench', 'cdk8s-default');
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
  return measureAll([
    { name: 'floor: node -e require("cdk8s-plus-28")', command: process.execPath, args: ['-e', 'require("cdk8s-plus-28")'] },
    {
      name: 'cdk8s default flow: ts-node main.ts (2 Deployments)',
      command: process.execPath,
      args: [tsNode, 'main.ts'],
      cwd: reference,
      env: { CDK8S_OUTDIR: path.join(work, 'cdk8s-default') },
    },
    npmRun('npm run synth (warm)', 'synth', '--out', path.join(work, 'dist')),
    { ...npmRun(`npm run synth (after touching ${TOUCHED})`, 'synth', '--out', path.join(work, 'dist')), before: () => touch(TOUCHED) },
    npmRun('npm run validate -- dist/production', 'validate', 'dist/production'),
    npmRun('npm run diff', 'diff'),
    npmRun('npm run connectivity -- dist/production', 'connectivity', 'dist/production'),
  ]);
}

/** Validation of a large synthetic stack against parsing it, then synth and validate by size. */
function scale(work: string): { large: Measurement[]; scaling: Array<{ components: number; synth: Measurement; validate: Measurement }> } {
  const large = path.join(work, `large-${LARGE_COMPONENTS}`);
  once(childCase('render', 'render', String(LARGE_COMPONENTS), large));
  const [parse, validate] = measureAll([
    childCase('floor: js-yaml parse of the large stack', 'parse', large),
    childCase(`validate: the large stack (${LARGE_COMPONENTS} components)`, 'validate', String(LARGE_COMPONENTS), large),
  ]);
  parse.name = `floor: js-yaml parse of ${parse.objects} objects`;
  validate.name = `validate: ${validate.objects} objects (${LARGE_COMPONENTS} components)`;
  const cases = SCALES.flatMap((n) => [
    childCase(`synth: ${n} components`, 'render', String(n), path.join(work, `scale-${n}`)),
    childCase(`validate: ${n} components`, 'validate', String(n), path.join(work, `scale-${n}`)),
  ]);
  const measured = measureAll(cases);
  return {
    large: [parse, validate],
    scaling: SCALES.map((components, i) => ({ components, synth: measured[2 * i], validate: measured[2 * i + 1] })),
  };
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-bench-'));
  try {
    process.stderr.write(`bench: ${RUNS} runs each, interleaved, median reported\n`);
    const [floorPlus, reference, synth, synthTouched, validateProd, diff, connectivity] = commands(work);
    const { large, scaling } = scale(work);
    const [parse, validate] = large;
    const results = [floorPlus, reference, synth, synthTouched, validateProd, diff, connectivity, parse, validate, ...scaling.flatMap((s) => [s.synth, s.validate])];

    const first = scaling[0];
    const last = scaling[scaling.length - 1];
    const ratio = (a: number, b: number) => a / b;
    const checks: Array<{ name: string; value: number; unit: string; target: number; below?: boolean }> = [
      { name: 'npm run synth / bare cdk8s-plus start', value: ratio(synth.wallMs, floorPlus.wallMs), unit: 'x', target: 3 },
      { name: 'npm run synth / cdk8s default flow', value: ratio(synth.wallMs, reference.wallMs), unit: 'x', target: 1, below: true },
      { name: 'npm run synth after a source change / bare cdk8s-plus start', value: ratio(synthTouched.wallMs, floorPlus.wallMs), unit: 'x', target: NaN },
      { name: 'npm run validate -- dist/production', value: validateProd.wallMs, unit: 'ms', target: 1000, below: true },
      { name: 'npm run diff', value: diff.wallMs, unit: 'ms', target: 1000, below: true },
      { name: 'npm run connectivity -- dist/production', value: connectivity.wallMs, unit: 'ms', target: 1000, below: true },
      { name: 'validate large stack / js-yaml parse floor', value: ratio(validate.wallMs, parse.wallMs), unit: 'x', target: 2 },
      { name: 'validate large stack / parse floor, in-process work only', value: ratio(validate.workMs ?? NaN, parse.workMs ?? NaN), unit: 'x', target: NaN },
      { name: 'validate large stack: peak memory', value: validate.maxRssMB, unit: 'MB', target: 400, below: true },
      { name: `synth growth ${last.components} / ${first.components} components`, value: ratio(last.synth.wallMs, first.synth.wallMs), unit: 'x', target: 12 },
      { name: `validate growth ${last.components} / ${first.components} components`, value: ratio(last.validate.wallMs, first.validate.wallMs), unit: 'x', target: 12 },
    ];

    const rows = results.map((m) => `| ${m.name} | ${m.wallMs.toFixed(0)} | ${m.workMs?.toFixed(0) ?? '-'} | ${m.maxRssMB.toFixed(0)} |`);
    const table = ['| measurement | wall ms (median) | work ms | peak MB |', '|---|---:|---:|---:|', ...rows].join('\n');
    const shown = (v: number, unit: string) => (unit === 'x' ? `${v.toFixed(2)}×` : `${v.toFixed(0)} ${unit}`);
    const met = (c: (typeof checks)[number]) => (Number.isNaN(c.target) ? null : c.below ? c.value < c.target : c.value <= c.target);
    const verdicts = checks
      .map((c) => {
        const target = Number.isNaN(c.target) ? '-' : `${c.below ? '<' : '≤'} ${shown(c.target, c.unit)}`;
        const verdict = met(c) === null ? '' : met(c) ? 'met' : '**missed**';
        return `| ${c.name} | ${shown(c.value, c.unit)} | ${target} | ${verdict} |`;
      })
      .join('\n');
    process.stdout.write(`${table}\n\n| ratio | measured | target | |\n|---|---:|---|---|\n${verdicts}\n`);

    const out = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadavg: os.loadavg(),
      runs: RUNS,
      measurements: results,
      checks: checks.map((c) => ({ name: c.name, value: c.value, unit: c.unit, target: Number.isNaN(c.target) ? null : `${c.below ? '<' : '≤'} ${c.target}`, met: met(c) })),
    };
    fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
