import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/connectivity';
import { manifestsOf, SCENARIOS } from './golden';

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

const expected = (scenario: string, format: string) =>
  fs.readFileSync(path.join(SCENARIOS, scenario, `expected.${format}`), 'utf8');

describe('connectivity command', () => {
  it('prints the txt report by default and exits 0', () => {
    const r = run(manifestsOf('ctis'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('ctis', 'txt'));
    expect(r.stdout).toContain(
      'ctis-production/frontend[Deployment] => ctis-production/api[Deployment] : TCP 8080\n',
    );
    expect(r.stderr).toBe('');
  });

  it.each(['json', 'mermaid', 'dot'])('prints --format %s', (format) => {
    const r = run(manifestsOf('ipblocks'), '--format', format);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('ipblocks', format));
  });

  it('prints sorted JSON objects with src, dst and conns', () => {
    const rows = JSON.parse(run(manifestsOf('ctis'), '-f', 'json').stdout) as { src: string; dst: string; conns: string }[];
    expect(Object.keys(rows[0]).sort()).toEqual(['conns', 'dst', 'src']);
    expect(rows).toContainEqual({
      src: '{ingress-controller}',
      dst: 'ctis-production/frontend[Deployment]',
      conns: 'TCP 3000',
    });
  });

  it('writes warnings to stderr with file and line, and still reports', () => {
    const r = run(manifestsOf('shop'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected('shop', 'txt'));
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `warning: ${path.join(manifestsOf('shop'), '30-shop-policies.yaml')}:95: NetworkPolicy shop/legacy selects no pod of the manifests (podSelector {app=legacy})`,
    );
    expect(lines[1]).toMatch(/30-shop-policies\.yaml:38: NetworkPolicy shop\/backend-ingress: named port "metrics"/);
  });

  it('diffs against --base: exit 1 when different, 0 when equal', () => {
    const changed = run(manifestsOf('ctis-v2'), '--base', manifestsOf('ctis'));
    expect(changed.code).toBe(1);
    expect(changed.stdout).toBe(expected('diff-ctis-v1-v2', 'txt'));
    expect(changed.stdout.split('\n')[0]).toBe('Connectivity changes: 1 added, 2 removed, 1 changed');

    const json = run(manifestsOf('ctis-v2'), '--base', manifestsOf('ctis'), '--format', 'json');
    expect(json.code).toBe(1);
    expect(json.stdout).toBe(expected('diff-ctis-v1-v2', 'json'));

    const same = run(manifestsOf('ctis'), '--base', manifestsOf('ctis'));
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('No connectivity changes.\n');
  });

  it.each([
    [[], /missing <dir>/],
    [['a', 'b'], /expected one <dir>, got 2/],
    [['dir', '--format', 'xml'], /unknown format "xml"/],
    [['dir', '--bogus'], /Unknown option '--bogus'/],
    [['dir', '--base'], /argument missing|--base/],
  ])('rejects bad usage %j with one line and exit 2', (argv, message) => {
    const r = run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/usage: npm run connectivity -- <dir>/);
  });

  it('prints help', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run connectivity/);
  });

  it('reports unreadable input as file:line: message with exit 2, no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-'));
    fs.writeFileSync(path.join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n');
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${path.join(dir, 'bad.yaml')}:5: invalid YAML: duplicated mapping key\n`);

    const missing = run(path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`${path.join(dir, 'nope')}: no such file or directory\n`);

    const badBase = run(manifestsOf('ctis'), '--base', path.join(dir, 'nope'));
    expect(badBase.code).toBe(2);
    expect(badBase.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an empty directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-'));
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${dir}: no manifests found (no .yaml, .yml or .json file)\n`);
  });
});
