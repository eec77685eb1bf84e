import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { exitQuietlyOnClosedPipe } from '../../src/cli/kit';
import { main } from '../../src/cli/validate';
import { CONFIG_DIR, DIST, toYaml, workload } from './fixtures';
import { parseJsonReport, parseSarif } from '../support/reports';

function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

function tmpDir(files: Record<string, string | Buffer>, name = 'production'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
  return dir;
}

/** No stack trace: no "at file:line" frames and a single line on stderr. */
function expectCleanError(r: { code: number; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

/** Bad usage: one line naming the problem, the usage line, the pointer to the help; exit 2. */
function expectUsageError(r: { code: number; stdout: string; stderr: string }, problem: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toEqual([expect.stringMatching(problem), expect.stringMatching(/^usage: npm run validate -- <dir> /), "Try 'npm run validate -- --help' for every option."]);
}

describe('validate command', () => {
  it.each(['development', 'staging', 'production'])('exits 0 on the committed dist/%s, inferring the environment', (env) => {
    const r = cli([path.join(DIST, env), '--config', CONFIG_DIR]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^0 errors, \d+ warnings?, 0 suppressed in \d+ objects from \d+ files/m);
    expect(r.code).toBe(0);
  });

  it('exits 1 and groups findings by rule with file:line and resource', () => {
    const dir = tmpDir({ 'api.yaml': toYaml(workload('api', { image: 'api:latest' })) });
    const r = cli([dir, '--config', CONFIG_DIR, '--rule', 'image-pinned', '--rule', 'namespace-present']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^image-pinned \(1\) - SPEC §2 rule 15; environment configuration `images.requireDigest`$/m);
    expect(r.stdout).toContain(`  error   ${path.join(dir, 'api.yaml')}:`);
    expect(r.stdout).toMatch(/^ {2}error {3}\S+\/production\/api\.yaml:\d+ {2}Deployment\/ctis-production\/api {2}image api:latest uses the latest tag$/m);
    expect(r.stdout).toMatch(/^ {2}fix: /m);
    expect(r.stdout).toMatch(/^namespace-present \(1\)/m);
  });

  it('prints file paths as the directory was named, joined with the file; JSON and SARIF stay relative to it', () => {
    const dir = tmpDir({ 'api.yaml': toYaml(workload('api', { image: 'api:latest' })) });
    const named = path.relative(process.cwd(), dir);
    const text = cli([named, '--config', CONFIG_DIR, '--rule', 'image-pinned']);
    expect(text.stdout).toMatch(new RegExp(`^ {2}error {3}${named.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/api\\.yaml:\\d+ `, 'm'));
    const json = parseJsonReport(cli([named, '--config', CONFIG_DIR, '--rule', 'image-pinned', '--format', 'json']).stdout);
    expect(json.summary.target).toBe(named);
    expect(json.findings[0].file).toBe('api.yaml');
    const sarif = parseSarif(cli([named, '--config', CONFIG_DIR, '--rule', 'image-pinned', '--format', 'sarif']).stdout);
    expect(sarif.runs[0].originalUriBaseIds).toEqual({ SRCROOT: { uri: `${pathToFileURL(dir).href}/`, description: { text: 'The validated directory.' } } });
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'api.yaml', uriBaseId: 'SRCROOT' });
  });

  it('names the file of a single validated file as given', () => {
    const dir = tmpDir({ 'api.yaml': toYaml(workload('api', { image: 'api:latest' })) });
    const file = path.join(dir, 'api.yaml');
    const r = cli([file, '--env', 'production', '--config', CONFIG_DIR, '--rule', 'image-pinned']);
    expect(r.stdout).toContain(`  error   ${file}:`);
  });

  it('ends quietly when the reader closes the pipe (validate ... | head)', async () => {
    const head = spawn('head', ['-c', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited: number[] = [];
    let stderr = '';
    const done = new Promise<void>((resolve) => {
      exitQuietlyOnClosedPipe(head.stdin, (code) => (exited.push(code), resolve()), { write: (t: string) => (stderr += t) });
    });
    // More than the pipe holds: head reads one byte and exits, the rest fails with EPIPE.
    head.stdin.write('x'.repeat(1 << 20));
    head.stdin.write('x'.repeat(1 << 20));
    await done;
    expect(exited).toEqual([0]);
    expect(stderr).toBe('');
  });

  it('takes --env over the directory name', () => {
    const dir = tmpDir({ 'a.yaml': toYaml(workload('api', { env: 'staging' })) }, 'whatever');
    const r = cli([dir, '--env', 'staging', '--config', CONFIG_DIR, '--rule', 'image-pinned', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(parseJsonReport(r.stdout).summary.environment).toBe('staging');
  });

  it('exits 2 as bad usage when the environment cannot be inferred', () => {
    const dir = tmpDir({ 'a.yaml': toYaml(workload('api')) }, 'manifests');
    expectUsageError(cli([dir]), /^validate: cannot tell the environment of .*manifests: pass --env/);
  });

  it.each([
    [['--format', 'xml', 'dist/production'], /^validate: unknown --format "xml" \(use text, txt, json, sarif or mermaid\)$/],
    [['--env', 'qa', 'dist/production'], /^validate: unknown --env "qa" \(use development, staging or production\)$/],
    [[], /^validate: missing <dir>$/],
    [['a', 'b'], /^validate: expected one <dir>, got 2$/],
    [['--bogus', 'dist/production'], /^validate: unknown option '--bogus'$/],
    [['dist/production', '--rule', 'no-such-rule'], /^validate: unknown rule id no-such-rule$/],
  ])('exits 2 on bad usage %j', (args, pattern) => {
    expectUsageError(cli(args), pattern);
  });

  describe('malformed input gives exit 2 or a finding with file and line, never a stack trace', () => {
    it('broken YAML', () => {
      const dir = tmpDir({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n' });
      expectCleanError(cli([dir, '--config', CONFIG_DIR]), /a\.yaml:\d+: invalid YAML/);
    });
    it('duplicate keys', () => {
      const dir = tmpDir({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n' });
      expectCleanError(cli([dir, '--config', CONFIG_DIR]), /a\.yaml:5: invalid YAML: duplicated mapping key/);
    });
    it('a document that is not an object is one error finding, and the rest is validated', () => {
      const dir = tmpDir({ 'a.yaml': '---\n- just\n- a list\n', 'b.yaml': toYaml(workload('api', { container: { securityContext: { privileged: true } } })) });
      const r = cli([dir, '--config', CONFIG_DIR, '--format', 'json', '--env', 'production']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      const findings = parseJsonReport(r.stdout).findings;
      expect(findings).toContainEqual(expect.objectContaining({ rule: 'kubernetes-object', severity: 'error', file: 'a.yaml', line: 2, resource: '' }));
      expect(findings).toContainEqual(expect.objectContaining({ rule: 'pod-security-restricted', file: 'b.yaml', message: 'container api is privileged' }));
    });
    it('an unknown kind is a warning with file and line', () => {
      const dir = tmpDir({ 'a.yaml': '---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' });
      const r = cli([dir, '--config', CONFIG_DIR, '--format', 'json', '--rule', 'unknown-kind']);
      expect(r.code).toBe(0);
      expect(parseJsonReport(r.stdout).findings).toEqual([
        expect.objectContaining({ rule: 'unknown-kind', severity: 'warning', file: 'a.yaml', line: 3, resource: 'Widget/ctis-production/w' }),
      ]);
    });
    it('an empty directory', () => {
      const dir = tmpDir({});
      expectCleanError(cli([dir, '--config', CONFIG_DIR]), /no manifests found/);
    });
    it('a binary file', () => {
      const dir = tmpDir({ 'a.yaml': Buffer.from([0x61, 0x3a, 0x20, 0x00, 0xff, 0x10]) });
      expectCleanError(cli([dir, '--config', CONFIG_DIR]), /a\.yaml:1: binary file/);
    });
    it('a 10 MB document', () => {
      const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: ctis-production\ndata:\n  blob: "${'x'.repeat(10 * 1024 * 1024)}"\n`;
      const dir = tmpDir({ 'big.yaml': big });
      const r = cli([dir, '--config', CONFIG_DIR, '--format', 'json']);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect([0, 1, 2]).toContain(r.code);
      if (r.code !== 2) {
        const out = parseJsonReport(r.stdout);
        for (const f of out.findings) {
          expect(f.file).toBe('big.yaml');
          expect(f.line).toBeGreaterThanOrEqual(1);
        }
      }
    });
    it('a directory that does not exist', () => {
      expectCleanError(cli(['/nonexistent/production', '--config', CONFIG_DIR]), /^validate: \/nonexistent\/production: path does not exist$/m);
    });
    it('a path that does not exist and names no environment', () => {
      expectCleanError(cli(['/nonexistent']), /^validate: \/nonexistent: path does not exist$/m);
    });
    it('a broken configuration file', () => {
      const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
      fs.writeFileSync(path.join(cfg, 'production.yaml'), 'name: production\nnamespace: 7\n');
      expectCleanError(cli([path.join(DIST, 'production'), '--config', cfg]), /production\.yaml: environment "production"/);
    });
  });

  it('prints help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run validate/);
  });

  describe('with --format json or sarif, an exit-2 error is still a document on stdout', () => {
    const broken = () => tmpDir({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n' });
    it.each([
      ['unreadable YAML', () => [broken(), '--format', 'json', '--config', CONFIG_DIR], { kind: 'input', message: expect.stringMatching(/^invalid YAML: /) as string, file: expect.stringMatching(/a\.yaml$/) as string, line: 5 }],
      ['a bad configuration', () => [path.join(DIST, 'production'), '-f', 'json', '--config', '/nonexistent'], { kind: 'configuration', message: expect.stringMatching(/production\.yaml: environment "production": cannot read the file/) as string, file: expect.any(String) as string }],
      ['bad usage', () => ['--format=json', '--bogus', 'dist/production'], { kind: 'usage', message: "unknown option '--bogus'" }],
      ['an unknown environment', () => ['dist/production', '-fjson', '--env', 'qa'], { kind: 'usage', message: 'unknown --env "qa" (use development, staging or production)' }],
    ])('%s', (_name, args, error) => {
      const r = cli(args());
      expect(r.code).toBe(2);
      // One line naming the problem; bad usage adds the usage line and the pointer to the help.
      expect(r.stderr.trim().split('\n')).toHaveLength(error.kind === 'usage' ? 3 : 1);
      expect(JSON.parse(r.stdout)).toEqual({ error, findings: [], summary: null });
    });
    it('as SARIF: a failed invocation with the file and line', () => {
      const r = cli([broken(), '--format', 'sarif', '--config', CONFIG_DIR]);
      expect(r.code).toBe(2);
      const run = parseSarif(r.stdout).runs[0];
      expect(run.results).toEqual([]);
      expect(run.invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 2 });
      expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.region).toEqual({ startLine: 5 });
    });
    it('the text format leaves stdout empty', () => {
      const r = cli([broken(), '--config', CONFIG_DIR]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
  });

  it('validating manifests against the wrong environment gives one leading finding, the rest folded into it', () => {
    const r = cli([path.join(DIST, 'production'), '--env', 'staging', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = parseJsonReport(r.stdout);
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: 'manifests-match-environment',
        resource: 'Namespace//ctis-production',
        message: expect.stringMatching(/^these manifests are not the staging environment's: .* validate with --env production\) \(\d+ findings that follow from it are folded into this one\)$/) as string,
      }),
    ]);
    expect(report.summary).toMatchObject({ errors: 1, warnings: 0, suppressed: 0, environment: 'staging' });
    expect(report.summary.folded).toBeGreaterThan(50);
    expect(cli([path.join(DIST, 'production'), '--env', 'staging']).stdout).toMatch(/^1 error, 0 warnings, 0 suppressed, \d+ folded in \d+ objects/m);
  });

  it('validates the Argo CD output directory against every environment, its parameter files included', () => {
    const ok = cli([path.join(DIST, 'argocd')]);
    expect(ok).toEqual({ code: 0, stdout: expect.stringMatching(/^0 errors, 0 warnings, 0 suppressed in 5 objects from 6 files \(.*argocd, environment development, staging, production\)\n$/) as string, stderr: '' });
    const copy = tmpDir({}, 'argocd');
    fs.cpSync(path.join(DIST, 'argocd'), copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'kustomization.yaml'), 'resources:\n  - project.yaml\n');
    const params = path.join(copy, 'environments', 'production.yaml');
    fs.writeFileSync(params, fs.readFileSync(params, 'utf8').replace(/^targetRevision: .*\n/m, ''));
    const r = cli([copy, '--format', 'json', '--env', 'production']);
    expect(r.code).toBe(1);
    expect(parseJsonReport(r.stdout).findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['argocd-parameter-file', 'environments/production.yaml', 2],
      ['kubernetes-object', 'kustomization.yaml', 1],
    ]);
  });
});
