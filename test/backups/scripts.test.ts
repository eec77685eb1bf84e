import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderManifests, shippedEnv } from '../support/render';
import { ofKind } from '../support/k8s';

/**
 * The backup and restore-check scripts exactly as rendered into the CronJobs, run against a real
 * PostgreSQL on this machine (a throw-away server on a Unix socket). PostgreSQL refuses to run as
 * root, so as root the scripts run as the `postgres` user. Without PostgreSQL binaries (Debian's
 * `postgresql` package) the suite is skipped, with the reason in its title.
 */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : undefined;
}
const BIN = postgresBin();
const isRoot = process.getuid?.() === 0;
const runnable = BIN !== undefined && (!isRoot || spawnSync('id', ['postgres']).status === 0);
const suite = runnable ? describe : describe.skip;

function script(name: string): string {
  const job = ofKind(renderManifests(shippedEnv('development')), 'CronJob').find((o) => o.metadata.name === name);
  if (!job) throw new Error(`no CronJob ${name} in development`);
  return job.spec.jobTemplate.spec.template.spec.containers[0].command[2];
}

suite(`backup and restore-check scripts against PostgreSQL (needs Debian's postgresql package${isRoot ? ' and the postgres user' : ''})`, () => {
  let dir: string;
  const run = (body: string, env: Record<string, string> = {}) => {
    const file = path.join(dir, `step-${Math.random().toString(36).slice(2)}.sh`);
    const exports = Object.entries({ PATH: `${BIN}:/usr/bin:/bin`, ...env }).map(([k, v]) => `export ${k}='${v}'`).join('\n');
    fs.writeFileSync(file, `${exports}\n${body}`);
    const cmd = isRoot ? ['runuser', ['-u', 'postgres', '--', 'sh', file]] : ['sh', [file]];
    return spawnSync(cmd[0] as string, cmd[1] as string[], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  };
  const backupEnv = () => ({ PGHOST: path.join(dir, 'live'), PGPORT: '5432', PGDATABASE: 'ctis', PGUSER: 'admin', PGPASSWORD: 'unused', BACKUP_DIR: path.join(dir, 'backups'), BACKUP_RETENTION: '2' });
  const checkEnv = () => ({ BACKUP_DIR: path.join(dir, 'backups'), SCRATCH_DIR: path.join(dir, 'scratch'), MAX_AGE_HOURS: '26' });
  const dumps = () => fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.endsWith('.dump')).sort();

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-backup-'));
    for (const d of ['live', 'backups', 'scratch']) fs.mkdirSync(path.join(dir, d));
    if (isRoot) execFileSync('chown', ['-R', 'postgres', dir]);
    const live = path.join(dir, 'live');
    const r = run(
      [
        'set -e',
        `initdb -D ${live}/data -U admin --auth=trust >/dev/null`,
        `pg_ctl -D ${live}/data -l ${live}/log -o "-c listen_addresses='' -c unix_socket_directories=${live}" -w start >/dev/null`,
        `createdb -h ${live} -U admin ctis`,
        `psql -h ${live} -U admin -d ctis -q -v ON_ERROR_STOP=1 -c 'create schema hangfire; create table hangfire.job(id serial primary key, payload text); insert into hangfire.job(payload) select md5(i::text) from generate_series(1, 500) i; create table "__EFMigrationsHistory"(id text primary key);'`,
      ].join('\n'),
    );
    if (r.status !== 0) throw new Error(`could not start PostgreSQL: ${r.stderr}`);
  });

  afterAll(() => {
    if (!dir) return;
    run(`pg_ctl -D ${path.join(dir, 'live', 'data')} -m fast -w stop >/dev/null 2>&1 || true`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the restore check fails while there is no dump', () => {
    const r = run(script('postgresql-restore-check'), checkEnv());
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/restore check: no dump in /);
  });

  test('nightly dumps keep the configured number, each with its checksum', () => {
    for (let i = 0; i < 3; i++) {
      const r = run(`${script('postgresql-backup')}\nsleep 1`, backupEnv());
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^backup: ctis-\d{8}T\d{6}Z\.dump written/);
    }
    expect(dumps()).toHaveLength(2);
    for (const d of dumps()) expect(fs.existsSync(path.join(dir, 'backups', `${d}.sha256`))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.includes('partial'))).toEqual([]);
  });

  test('the restore check restores the newest dump into a scratch server and reads every table', () => {
    const r = run(script('postgresql-restore-check'), checkEnv());
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`restore check: ${dumps()[1].replace(/\./g, '\\.')} \\(0h old\\) restored into a scratch database; 2 tables read`));
  });

  test('a corrupted dump fails the check', () => {
    const newest = path.join(dir, 'backups', dumps()[1]);
    const original = fs.readFileSync(newest);
    fs.appendFileSync(newest, 'garbage');
    try {
      const r = run(`rm -rf "$SCRATCH_DIR"/*\n${script('postgresql-restore-check')}`, checkEnv());
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/FAILED/);
    } finally {
      fs.writeFileSync(newest, original);
    }
  });

  test('a dump older than the limit fails the check', () => {
    const newest = path.join(dir, 'backups', dumps()[1]);
    const old = new Date(Date.now() - 30 * 3600 * 1000);
    fs.utimesSync(newest, old, old);
    const r = run(`rm -rf "$SCRATCH_DIR"/*\n${script('postgresql-restore-check')}`, checkEnv());
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is 30h old \(limit 26h\)/);
  });
});
