/**
 * `npm run bench`: wall time and peak memory of rendering and validation, each the median of
 * several runs in fresh processes, against floors measured in the same run. Prints a table
 * and writes `bench/results.json`. Set BENCH_RUNS to change the number of runs (default 5).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const LARGE_COMPONENTS = Number(process.env.BENCH_LARGE_COMPONENTS ?? 1430);
const SCALES = [100, 250, 500, 1000];

interface Sample {
  wallMs: number;
  maxRssMB: number;
  workMs?: number;
  objects?: number;
  errors?: number;
}

interface Measurement {
  name: string;
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

/** Runs `node args` once in a fresh process; fails loudly if the process fails. */
function once(args: string[]): Sample {
  const rssFile = path.join(os.tmpdir(), `ctis-bench-rss-${process.pid}.json`);
  fs.rmSync(rssFile, { force: true });
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', path.join(LIB, 'bench', 'rss-hook.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const rss = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRssMB: number };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const child = line.startsWith('{') ? (JSON.parse(line) as { ms: number; objects?: number; errors?: number }) : undefined;
  return { wallMs, maxRssMB: rss.maxRssMB, workMs: child?.ms, objects: child?.objects, errors: child?.errors };
}

function measure(name: string, args: string[], runs = RUNS): Measurement {
  const samples = Array.from({ length: runs }, () => once(args));
  const work = samples.map((s) => s.workMs).filter((x): x is number => x !== undefined);
  const m: Measurement = {
    name,
    runs,
    wallMs: median(samples.map((s) => s.wallMs)),
    workMs: work.length ? median(work) : undefined,
    maxRssMB: Math.max(...samples.map((s) => s.maxRssMB)),
    objects: samples[0].objects,
  };
  process.stderr.write(`  ${name}: ${m.wallMs.toFixed(0)} ms\n`);
  return m;
}

const child = (mode: string, ...rest: string[]) => [path.join(LIB, 'bench', 'child.js'), mode, ...rest];

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-bench-'));
  try {
    process.stderr.write(`bench: ${RUNS} runs each, median reported\n`);
    const results: Measurement[] = [];
    // 1. Full synth of the three environments against a bare cdk8s-plus start.
    const floorPlus = measure('floor: node -e require("cdk8s-plus-28")', ['-e', 'require("cdk8s-plus-28")']);
    const synth = measure('synth: all environments (CLI)', [path.join(LIB, 'bin', 'synth.js'), '--out', path.join(work, 'dist')]);
    results.push(floorPlus, synth);

    // 2. Validation of a large synthetic stack against parsing the same files.
    const large = path.join(work, `large-${LARGE_COMPONENTS}`);
    const rendered = once(child('render', String(LARGE_COMPONENTS), large));
    const parse = measure(`floor: js-yaml parse of ${rendered.objects} objects`, child('parse', large));
    const validate = measure(`validate: ${rendered.objects} objects (${LARGE_COMPONENTS} components)`, child('validate', String(LARGE_COMPONENTS), large));
    results.push(parse, validate);

    // 3. Scaling of synth and validate with the number of components.
    const scaling: Array<{ components: number; objects: number; synth: Measurement; validate: Measurement }> = [];
    for (const n of SCALES) {
      const dir = path.join(work, `scale-${n}`);
      const s = measure(`synth: ${n} components`, child('render', String(n), dir));
      const v = measure(`validate: ${n} components`, child('validate', String(n), dir));
      scaling.push({ components: n, objects: s.objects ?? 0, synth: s, validate: v });
      results.push(s, v);
    }

    const first = scaling[0];
    const last = scaling[scaling.length - 1];
    const ratios = {
      synthOverCdk8sPlusStart: synth.wallMs / floorPlus.wallMs,
      validateOverParse: validate.wallMs / parse.wallMs,
      validateOverParseWorkOnly: (validate.workMs ?? NaN) / (parse.workMs ?? NaN),
      validatePeakMB: validate.maxRssMB,
      synthScaling1000over100: last.synth.wallMs / first.synth.wallMs,
      validateScaling1000over100: last.validate.wallMs / first.validate.wallMs,
    };
    const targets = {
      synthOverCdk8sPlusStart: ratios.synthOverCdk8sPlusStart <= 3,
      validateOverParse: ratios.validateOverParse <= 2,
      validatePeakMB: ratios.validatePeakMB < 400,
      synthScaling1000over100: ratios.synthScaling1000over100 <= 15,
      validateScaling1000over100: ratios.validateScaling1000over100 <= 15,
    };

    const rows = results.map((m) => `| ${m.name} | ${m.wallMs.toFixed(0)} | ${m.workMs?.toFixed(0) ?? '-'} | ${m.maxRssMB.toFixed(0)} |`);
    const table = ['| measurement | wall ms (median) | work ms | peak MB |', '|---|---:|---:|---:|', ...rows].join('\n');
    const verdicts = Object.entries(ratios)
      .map(([k, v]) => `| ${k} | ${v.toFixed(2)} | ${k in targets ? (targets[k as keyof typeof targets] ? 'met' : 'MISSED') : '-'} |`)
      .join('\n');
    process.stdout.write(`${table}\n\n| ratio | value | target |\n|---|---:|---|\n${verdicts}\n`);

    const out = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      runs: RUNS,
      measurements: results,
      ratios,
      targets,
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
