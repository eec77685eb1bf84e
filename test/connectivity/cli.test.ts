import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as runProcess } from '../../src/cli/connectivity';
import { manifestsOf, runConnectivity, SCENARIOS } from './golden';
import { WORKLOAD_KIND_NAMES } from '../../src/manifests';

const run = runConnectivity;

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
    // The manifests route through an Ingress: which controller was assumed is a note.
    expect(r.stderr).toBe(
      `connectivity: note: {ingress-controller} of ${manifestsOf('ctis')} is pods {app.kubernetes.io/name=nginx-ingress} in namespace nginx-ingress (the default: F5 NGINX Ingress Controller)\n`,
    );
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
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      `connectivity: warning: ${path.join(manifestsOf('shop'), '30-shop-policies.yaml')}:95: NetworkPolicy shop/legacy selects no pod of the manifests (podSelector {app=legacy})`,
    );
    expect(lines[1]).toMatch(/30-shop-policies\.yaml:38: NetworkPolicy shop\/backend-ingress: named port "metrics"/);
    expect(lines[2]).toMatch(/^connectivity: note: \{ingress-controller\} of .*shop\/manifests is pods/);
  });

  it('diffs against --base: exit 1 when different, 0 when equal', () => {
    const changed = run(manifestsOf('ctis-v2'), '--base', manifestsOf('ctis'));
    expect(changed.code).toBe(1);
    expect(changed.stdout).toBe(expected('diff-ctis-v1-v2', 'txt'));
    expect(changed.stdout.split('\n')[0]).toBe('Connectivity changes: 2 added, 2 removed, 1 changed');

    const json = run(manifestsOf('ctis-v2'), '--base', manifestsOf('ctis'), '--format', 'json');
    expect(json.code).toBe(1);
    expect(json.stdout).toBe(expected('diff-ctis-v1-v2', 'json'));

    const same = run(manifestsOf('ctis'), '--base', manifestsOf('ctis'));
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('No connectivity changes.\n');
  });

  it.each([
    [[], /^connectivity: missing <dir>$/],
    [['a', 'b'], /^connectivity: expected one <dir>, got 2$/],
    [['dir', '--format', 'xml'], /^connectivity: unknown --format "xml" \(use txt, text, json, mermaid or dot\)$/],
    [['dir', '--bogus'], /^connectivity: unknown option '--bogus'$/],
    [['dir', '--base'], /^connectivity: option '-b, --base <value>' argument missing$/],
  ])('rejects bad usage %j: the problem, the usage line and the pointer to the help, exit 2', (argv, message) => {
    const r = run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message), expect.stringMatching(/^usage: npm run connectivity -- <dir> /), "Try 'npm run connectivity -- --help' for every option."]);
  });

  it('prints help', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run connectivity/);
    // Every kind whose pods become a node is named (the help is the reference for the node syntax).
    const nodes = r.stdout.slice(r.stdout.indexOf('Nodes:'), r.stdout.indexOf('<start>-<end>')).replace(/\s+/g, ' ');
    for (const kind of WORKLOAD_KIND_NAMES) expect({ kind, named: new RegExp(`\\b${kind}\\b`).test(nodes) }).toEqual({ kind, named: true });
  });

  it('reports unreadable input as file:line: message with exit 2, no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-'));
    fs.writeFileSync(path.join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n');
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`connectivity: ${path.join(dir, 'bad.yaml')}:5: invalid YAML: duplicated mapping key\n`);

    const missing = run(path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`connectivity: ${path.join(dir, 'nope')}: no such file or directory\n`);

    const badBase = run(manifestsOf('ctis'), '--base', path.join(dir, 'nope'));
    expect(badBase.code).toBe(2);
    expect(badBase.stderr).toBe(`connectivity: ${path.join(dir, 'nope')}: no such file or directory\n`);
  });

  it('reports an empty directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-'));
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`connectivity: ${dir}: no manifests found (no .yaml, .yml or .json file)\n`);
  });
});

/** Manifests with `n` unrestricted pods: about n² lines of output, far beyond a pipe's buffer. */
function manyPods(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-many-'));
  let text = '';
  for (let i = 0; i < n; i++) {
    text += `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n`;
  }
  fs.writeFileSync(path.join(dir, 'pods.yaml'), text);
  return dir;
}

describe('connectivity as a process', () => {
  class FakeStream extends EventEmitter {
    text = '';
    /** Bytes written but not yet taken by the reader: some, as with a slow reader, unless said otherwise. */
    writableLength = 1;
    write(s: string): boolean {
      this.text += s;
      return true;
    }
  }
  const fakeProcess = () => {
    const exits: (number | undefined)[] = [];
    const proc = {
      stdout: new FakeStream(),
      stderr: new FakeStream(),
      exitCode: undefined as number | string | undefined,
      exit: ((code?: number) => {
        exits.push(code);
      }) as (code?: number) => never,
    };
    return { proc, exits };
  };
  const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('exits with the code as soon as the output is written', () => {
    const { proc, exits } = fakeProcess();
    proc.stdout.writableLength = 0;
    proc.stderr.writableLength = 0;
    runProcess([manifestsOf('ctis-v2'), '--base', manifestsOf('ctis')], proc);
    expect(exits).toEqual([1]);
    expect(proc.stdout.text).not.toBe('');
  });

  it('leaves the exit to Node while output waits for a slow reader', () => {
    const { proc, exits } = fakeProcess();
    proc.stderr.writableLength = 0;
    runProcess([manifestsOf('ctis')], proc);
    expect(proc.exitCode).toBe(0);
    expect(exits).toEqual([]);
  });

  it('sets the exit code and stops quietly, keeping it, when the reader goes away (EPIPE)', () => {
    const { proc, exits } = fakeProcess();
    runProcess([manifestsOf('ctis-v2'), '--base', manifestsOf('ctis')], proc);
    expect(proc.exitCode).toBe(1);
    const before = proc.stderr.text;
    proc.stdout.emit('error', epipe());
    expect(exits).toEqual([1]);
    expect(proc.stderr.text).toBe(before);
  });

  it('reports any other write error in one line with exit 2', () => {
    const { proc, exits } = fakeProcess();
    runProcess([manifestsOf('ctis')], proc);
    proc.stderr.text = '';
    proc.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
    expect(exits).toEqual([2]);
    expect(proc.stderr.text).toBe('connectivity: cannot write the output: write EIO\n');
  });

  it('prints no stack trace when piped into head', () => {
    // Runs the TypeScript source in a child process (transpiled on load), so no build is needed.
    const register = [
      "const fs = require('fs'); const ts = require('typescript');",
      "require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'),",
      "  { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, f);",
      "require(process.env.CLI).run(process.argv.slice(1));",
    ].join('\n');
    const cli = path.resolve(__dirname, '../../src/cli/connectivity.ts');
    const dir = manyPods(150);
    const r = spawnSync('sh', ['-c', 'node -e "$SCRIPT" "$DIR" | head -1'], {
      env: { ...process.env, SCRIPT: register, DIR: dir, CLI: cli },
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n')[0]).toBe('0.0.0.0-255.255.255.255 => n/p0[Pod] : All Connections');
    expect(r.stderr).toBe('');
  });
});
