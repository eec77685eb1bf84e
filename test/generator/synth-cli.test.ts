/**
 * `npm run synth` (the CLI's `main`): the happy path writes every environment; an invalid
 * configuration fails with one line naming the file, the environment and the field, and
 * leaves the previous output byte-identical.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { renderAllObjects, renderFromConfig } from '../../charts/app';
import { main } from '../../src/cli/synth';
import type { StackRenderer } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { EnvironmentConfig } from '../../src/config/schema';
import { CONFIG_DIR, ENVIRONMENTS, hashTree, listFiles } from './helpers';

const NOTHING_WRITTEN = /nothing was written/;

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

function run(argv: string[], render: StackRenderer = renderAllObjects): Run {
  const out: string[] = [];
  const err: string[] = [];
  const lines = (into: string[]) => ({ write: (t: string) => into.push(...t.replace(/\n$/, '').split('\n')) });
  const code = main(argv, { stdout: lines(out), stderr: lines(err) }, render);
  return { code, out, err };
}

let work: string;
let dist: string;
let before: Map<string, string>;
let distInode: number;

/** A private copy of the checked-in configuration (its folder name never contains an environment name). */
function freshConfig(): string {
  const dir = fs.mkdtempSync(path.join(work, 'config-'));
  for (const f of fs.readdirSync(CONFIG_DIR)) {
    if (f.endsWith('.yaml')) fs.copyFileSync(path.join(CONFIG_DIR, f), path.join(dir, f));
  }
  return dir;
}

/** An environment's configuration file as written (tests edit it, sometimes into what the schema rejects). */
function readConfig(dir: string, env: string): EnvironmentConfig {
  return yaml.load(fs.readFileSync(path.join(dir, `${env}.yaml`), 'utf8'), { schema: yaml.CORE_SCHEMA }) as EnvironmentConfig;
}

function writeConfig(dir: string, env: string, data: EnvironmentConfig): void {
  fs.writeFileSync(path.join(dir, `${env}.yaml`), yaml.dump(data, { lineWidth: -1 }));
}

/** Entries next to the output folder other than the output itself and the config copies. */
function strayEntries(): string[] {
  return fs.readdirSync(work).filter((n) => n !== path.basename(dist) && !n.startsWith('config-'));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-synth-cli-'));
  dist = path.join(work, 'dist');
  const r = run(['--out', dist, '--config', freshConfig()]);
  if (r.code !== 0) throw new Error(`initial synth failed: ${r.err.join('\n')}`);
  before = hashTree(dist);
  distInode = fs.statSync(dist).ino;
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('happy path', () => {
  test('writes all three environments, exactly the rendered files, and reports success', () => {
    const files = listFiles(dist);
    for (const env of ENVIRONMENTS) expect(files.filter((f) => f.startsWith(`${env}/`)).length).toBeGreaterThanOrEqual(5);
    const rendered = renderFromConfig(CTIS_TOPOLOGY, CONFIG_DIR);
    expect(files).toEqual([...rendered.keys()].sort());
    for (const [rel, text] of rendered) expect([rel, fs.readFileSync(path.join(dist, rel), 'utf8') === text]).toEqual([rel, true]);
    expect(strayEntries()).toEqual([]);
  });

  test('a second run replaces the output with identical bytes and leaves no temporary folders', () => {
    const target = path.join(work, 'dist-again');
    const cfg = freshConfig();
    const a = run(['--out', target, '--config', cfg]);
    expect(a.code).toBe(0);
    expect(a.err).toEqual([]);
    expect(a.out.length).toBe(1);
    const firstHashes = hashTree(target);
    fs.writeFileSync(path.join(target, 'development', 'leftover.yaml'), 'stale: true\n');
    const b = run(['--out', target, '--config', cfg]);
    expect(b.code).toBe(0);
    expect(hashTree(target)).toEqual(firstHashes);
    expect(fs.readdirSync(work).filter((n) => n.startsWith('.'))).toEqual([]);
    fs.rmSync(target, { recursive: true, force: true });
  });

  test('an unknown option is a usage error and writes nothing', () => {
    const r = run(['--out', dist, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(["synth: unknown option '--bogus'", 'usage: npm run synth -- [--out <dir>] [--config <dir>]', "Try 'npm run synth -- --help' for every option."]);
    expect(hashTree(dist)).toEqual(before);
  });

  test('a topology the generator cannot render is one line naming the component, exit 1, nothing written', () => {
    const broken: StackRenderer = (topology, envs) =>
      renderAllObjects({ ...topology, components: topology.components.map((c) => (c.id === 'api' ? { ...c, publicPaths: ['/api', 'hubs'] } : c)) }, envs);
    const r = run(['--out', dist, '--config', freshConfig()], broken);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['synth: topology: component "api": public path "hubs" must start with "/"', 'synth: nothing was written; the previous output is unchanged']);
    expect(hashTree(dist)).toEqual(before);
  });

  test('an error no check foresaw is an internal error, one line, exit 1, nothing written', () => {
    const r = run(['--out', dist, '--config', freshConfig()], () => {
      throw new Error('the renderer broke\n    at somewhere (file.ts:1:1)');
    });
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['synth: internal error: the renderer broke', 'synth: nothing was written; the previous output is unchanged']);
    expect(hashTree(dist)).toEqual(before);
  });
});

interface Case {
  readonly title: string;
  /** Environment whose file is broken. */
  readonly env: string;
  /** Text every error line must contain besides the file and environment (the field path). */
  readonly field: string | RegExp;
  readonly breakIt: (dir: string) => void;
}

const edit = (env: string, mutate: (c: EnvironmentConfig) => void) => (dir: string) => {
  const c = readConfig(dir, env);
  mutate(c);
  writeConfig(dir, env, c);
};

const CASES: Case[] = [
  {
    title: 'production image tag "latest"',
    env: 'production',
    field: 'workloads.api.image.tag',
    breakIt: edit('production', (c) => (c.workloads.api.image.tag = 'latest')),
  },
  {
    title: 'production image with neither tag nor digest',
    env: 'production',
    field: /\bworkloads\.frontend\.image(\.tag|\.digest)?[\s:]/,
    breakIt: edit('production', (c) => {
      delete c.workloads.frontend.image.tag;
      delete c.workloads.frontend.image.digest;
    }),
  },
  {
    title: 'staging in-memory Hangfire',
    env: 'staging',
    field: 'features.hangfireStorage',
    breakIt: edit('staging', (c) => (c.features.hangfireStorage = 'InMemory')),
  },
  {
    title: 'production HSTS max-age below one year',
    env: 'production',
    field: 'edge.hsts.maxAgeSeconds',
    breakIt: edit('production', (c) => (c.edge.hsts.maxAgeSeconds = 100)),
  },
  {
    title: 'production HSTS without includeSubDomains',
    env: 'production',
    field: 'edge.hsts.includeSubDomains',
    breakIt: edit('production', (c) => Object.assign(c.edge.hsts, { includeSubDomains: false })),
  },
  {
    title: 'staging http:// issuer',
    env: 'staging',
    field: 'issuer',
    breakIt: edit('staging', (c) => (c.issuer = `http://${c.hosts['auth-server']}`)),
  },
  {
    title: 'production http:// issuer',
    env: 'production',
    field: 'issuer',
    breakIt: edit('production', (c) => (c.issuer = `http://${c.hosts['auth-server']}`)),
  },
  {
    title: 'production wildcard CORS origin',
    env: 'production',
    field: 'corsExtraOrigins.0',
    breakIt: edit('production', (c) => (c.corsExtraOrigins = ['*'])),
  },
  {
    title: 'staging http:// CORS origin',
    env: 'staging',
    field: 'corsExtraOrigins.0',
    breakIt: edit('staging', (c) => (c.corsExtraOrigins = ['http://staging.ctis.betts.example'])),
  },
  {
    title: 'production in-cluster PostgreSQL',
    env: 'production',
    field: 'dataStores.postgresql.mode',
    breakIt: edit('production', (c) => {
      const staging = readConfig(CONFIG_DIR, 'staging');
      c.dataStores.postgresql = staging.dataStores.postgresql;
    }),
  },
  {
    title: 'production auth-server without Redis',
    env: 'production',
    field: 'features.authServerRedis',
    breakIt: edit('production', (c) => (c.features.authServerRedis = false)),
  },
  {
    title: 'staging fixed replica count instead of an HPA',
    env: 'staging',
    field: 'workloads.api.scaling',
    breakIt: edit('staging', (c) => (c.workloads.api.scaling = { replicas: 3 })),
  },
  {
    title: 'production HPA minimum of one pod',
    env: 'production',
    field: 'workloads.app-server.scaling.minReplicas',
    breakIt: edit('production', (c) => Object.assign(c.workloads['app-server'].scaling, { minReplicas: 1 })),
  },
  {
    title: 'development two auth-server pods with in-memory Hangfire',
    env: 'development',
    field: 'features.hangfireStorage',
    breakIt: edit('development', (c) => (c.workloads['auth-server'].scaling = { replicas: 2 })),
  },
  {
    title: 'development app-server able to scale out with in-memory Hangfire',
    env: 'development',
    field: 'features.hangfireStorage',
    breakIt: edit('development', (c) => (c.workloads['app-server'].scaling = { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 70 })),
  },
  {
    title: 'production missing a workload',
    env: 'production',
    field: 'workloads.app-server',
    breakIt: edit('production', (c) => delete c.workloads['app-server']),
  },
  {
    title: 'production public host for an internal component',
    env: 'production',
    field: 'hosts.app-server',
    breakIt: edit('production', (c) => (c.hosts['app-server'] = 'app.ctis.betts.example')),
  },
  {
    title: 'a file whose name does not match its environment',
    env: 'production',
    field: 'name',
    breakIt: edit('production', (c) => (c.name = 'staging')),
  },
  {
    title: 'an unknown top-level field',
    env: 'staging',
    field: 'replicaCount',
    breakIt: edit('staging', (c) => Object.assign(c, { replicaCount: 3 })),
  },
  {
    title: 'an unknown nested field',
    env: 'production',
    field: /workloads\.frontend\b.*\breplicas\b/,
    breakIt: edit('production', (c) => Object.assign(c.workloads.frontend, { replicas: 3 })),
  },
  {
    title: 'a wrongly typed field',
    env: 'production',
    field: 'edge.hsts.maxAgeSeconds',
    breakIt: edit('production', (c) => Object.assign(c.edge.hsts, { maxAgeSeconds: 'a year' })),
  },
  {
    title: 'a file that is not YAML',
    env: 'production',
    field: /YAML/i,
    breakIt: (dir) => fs.writeFileSync(path.join(dir, 'production.yaml'), 'name: production\nhosts: [unclosed\n  : {\n'),
  },
  {
    title: 'a YAML file that is not a mapping',
    env: 'staging',
    field: /object|mapping|expected/i,
    breakIt: (dir) => fs.writeFileSync(path.join(dir, 'staging.yaml'), 'just some text\n'),
  },
  {
    title: 'a missing environment file',
    env: 'staging',
    field: /read/i,
    breakIt: (dir) => fs.rmSync(path.join(dir, 'staging.yaml')),
  },
];

describe('invalid configuration', () => {
  test.each(CASES.map((c) => [c.title, c] as const))('%s: fails naming file, environment and field; output untouched', (_title, c) => {
    const cfg = freshConfig();
    c.breakIt(cfg);
    const r = run(['--out', dist, '--config', cfg]);
    expect(r.code).not.toBe(0);
    expect(r.out.filter((l) => /wrote/.test(l))).toEqual([]);
    const lines = r.err.filter((l) => l.trim() !== '' && !NOTHING_WRITTEN.test(l));
    expect(lines.length).toBe(1);
    const line = lines[0];
    // The file is named; the environment and the field are named after it.
    expect(line).toContain(`${c.env}.yaml`);
    const rest = line.slice(line.indexOf(`${c.env}.yaml`) + `${c.env}.yaml`.length);
    expect(rest).toMatch(new RegExp(`\\b${c.env}\\b`));
    if (typeof c.field === 'string') expect(rest).toMatch(new RegExp(`(^|[\\s"'(])${c.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([\\s"':,)]|$)`));
    else expect(rest).toMatch(c.field);
    // One line, never a stack trace.
    expect(line).not.toMatch(/\n|\bat .+:\d+:\d+\)?$/);
    // The previous output is byte-identical and is the same folder, and nothing was left beside it.
    expect(hashTree(dist)).toEqual(before);
    expect(fs.statSync(dist).ino).toBe(distInode);
    expect(strayEntries()).toEqual([]);
  });

  test('the cases above break only what they say: the untouched copy renders', () => {
    const r = run(['--out', path.join(work, 'dist-check'), '--config', freshConfig()]);
    expect(r.code).toBe(0);
    fs.rmSync(path.join(work, 'dist-check'), { recursive: true, force: true });
  });

  test('the yaml round-trip used to break files keeps a valid file valid', () => {
    const cfg = freshConfig();
    for (const env of ENVIRONMENTS) writeConfig(cfg, env, readConfig(cfg, env));
    const target = path.join(work, 'dist-roundtrip');
    const r = run(['--out', target, '--config', cfg]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(hashTree(target)).toEqual(before);
    fs.rmSync(target, { recursive: true, force: true });
  });
});
