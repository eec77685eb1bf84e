import { expect } from '@jest/globals';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main as synthMain } from '../../src/cli/synth';
import { renderAllObjects } from '../../charts/app';
import { FORMATTERS } from '../../src/review';
import { capture } from '../support/cli';
import { freshRender, runDiff, writeDist } from './support';

describe('npm run diff: usage', () => {
  test.each([
    [['--format', 'html'], /^diff: unknown --format "html" \(use text, txt or markdown\)$/],
    [['--env', 'qa'], /^diff: unknown --env "qa" \(use development, staging, production or argocd\)$/],
    [['--frobnicate'], /^diff: unknown option '--frobnicate'$/],
    [['extra'], /^diff: unexpected argument 'extra': this command takes no positional arguments$/],
    [['--base', ''], /^diff: --base needs a git revision$/],
    [['--base', 'HEAD', '--working-tree'], /^diff: --base and --working-tree exclude each other/],
  ])('%j is bad usage: exit 2 with the problem, the usage line and the pointer to the help', (argv, message) => {
    const r = runDiff(...argv);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([expect.stringMatching(message), expect.stringMatching(/^usage: npm run diff -- /), "Try 'npm run diff -- --help' for every option."]);
    expect(r.out).toBe('');
  });

  test('--help prints the usage, every option and the exit codes', () => {
    const r = runDiff('--help');
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('usage: npm run diff') });
    for (const option of ['--env', '--base', '--working-tree', '--format', '--dist', '--config', 'Exit codes']) expect(r.out).toContain(option);
  });

  test('--help names every name --format accepts, aliases included', () => {
    const help = runDiff('--help').out;
    const accepted = FORMATTERS.names.flatMap((n) => [n, ...(FORMATTERS.get(n)?.aliases ?? [])]);
    expect(accepted).toContain('txt');
    for (const name of accepted) expect(help).toMatch(new RegExp(`--format <fmt>.*\\b${name}\\b`));
  });
});

describe('npm run diff: unreadable input is one line, exit 2', () => {
  test('a missing output folder', () => {
    const r = runDiff('--dist', '/nonexistent/ctis/dist', '--working-tree');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe('diff: /nonexistent/ctis/dist: no such file or directory');
  });

  test('a folder outside any repository, without --working-tree: exit 2, saying how to compare with the files', () => {
    const r = runDiff('--dist', '/nonexistent/ctis/dist');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe('diff: /nonexistent/ctis/dist: not inside a git repository: pass --working-tree to compare with the files on disk');
  });

  test('malformed YAML, with file and line', () => {
    const files = new Map(freshRender());
    files.set('staging/broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    const r = runDiff('--dist', writeDist(files), '--working-tree');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^diff: .*staging\/broken\.yaml:\d+: invalid YAML: /);
  });

  test('invalid configuration', () => {
    const config = path.join(writeDist(new Map()), '..', 'config');
    fs.mkdirSync(config);
    for (const env of ['development', 'staging', 'production']) {
      fs.copyFileSync(path.resolve(__dirname, '..', '..', 'config', `${env}.yaml`), path.join(config, `${env}.yaml`));
    }
    fs.appendFileSync(path.join(config, 'staging.yaml'), 'unexpected: true\n');
    const r = runDiff('--dist', writeDist(freshRender()), '--config', config, '--working-tree');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^diff: .*staging\.yaml: environment "staging": /);
    expect(r.err.split('\n')).toHaveLength(1);
  });
});

describe('npm run diff --base <git-ref>', () => {
  const dist = writeDist(freshRender());
  const repo = path.dirname(dist);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  git('add', 'dist');
  git('commit', '-q', '-m', 'rendered');
  // Then the working tree drifts, and a revision with other output is committed on a branch.
  const api = path.join(dist, 'production', 'api.yaml');
  const committed = fs.readFileSync(api, 'utf8');
  fs.writeFileSync(api, committed.replace('registry.betts.example/ctis/api:1.8.2', 'registry.betts.example/ctis/api:9.9.9'));

  test('compares the output as committed at HEAD by default, not the working tree; --working-tree reads the files', () => {
    expect(runDiff('--dist', dist, '--base', 'HEAD')).toMatchObject({ code: 0, err: '' });
    const r = runDiff('--dist', dist);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^No differences: a fresh render of config\/ matches .*dist\/ at HEAD \([0-9a-f]{7}\)\.$/);
    const disk = runDiff('--dist', dist, '--working-tree');
    expect(disk.code).toBe(1);
    expect(disk.out).toMatch(/^Changes from .*dist\/ on disk to a fresh render of config\/: 0 added, 0 removed, 1 changed/);
    expect(disk.out).toContain('spec.template.spec.containers[name=api].image');
  });

  test('reports what changed since the revision, labelled with it', () => {
    git('checkout', '-q', '-b', 'older');
    git('commit', '-q', '-am', 'hand edit');
    git('checkout', '-q', '-');
    const r = runDiff('--dist', dist, '--base', 'older', '--env', 'production', '--format', 'markdown');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^### Rendered manifests: `.*dist\/ at older \([0-9a-f]{7}\)` → a fresh render of config\//);
    expect(r.out).toContain('| production | 0 | 0 | 1 |');
    expect(r.out).toMatch(/- registry\.betts\.example\/ctis\/api:9\.9\.9@sha256:[0-9a-f]{64}\n\+ registry\.betts\.example\/ctis\/api:1\.8\.2@sha256:[0-9a-f]{64}/);
    expect(r.out).not.toContain('| staging |');
  });

  test('an unknown revision is exit 2, one line', () => {
    const r = runDiff('--dist', dist, '--base', 'no-such-branch');
    expect(r).toMatchObject({ code: 2, out: '', err: 'diff: unknown git revision "no-such-branch"' });
  });

  test('a folder outside any repository is exit 2', () => {
    const outside = writeDist(new Map());
    const r = runDiff('--dist', outside, '--base', 'HEAD');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`diff: ${outside}: not inside a git repository`);
  });
});

describe('edit, npm run synth, npm run diff: the edit shows', () => {
  const root = path.dirname(writeDist(new Map()));
  const config = path.join(root, 'config');
  const dist = path.join(root, 'dist');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'pipe' });
  const synth = () => {
    const lines: string[] = [];
    const { io, out, err } = capture();
    const code = synthMain(['--out', dist, '--config', config], io, renderAllObjects);
    lines.push(...out, ...err);
    expect({ code, lines }).toMatchObject({ code: 0 });
  };
  fs.mkdirSync(config);
  for (const env of ['development', 'staging', 'production']) {
    fs.copyFileSync(path.resolve(__dirname, '..', '..', 'config', `${env}.yaml`), path.join(config, `${env}.yaml`));
  }

  test('after synth, diff against HEAD names the changed field; exit 1', () => {
    synth();
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'rendered');
    expect(runDiff('--dist', dist, '--config', config, '--env', 'production')).toMatchObject({ code: 0 });

    const file = path.join(config, 'production.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('requests: { cpu: 250m, memory: 512Mi }', 'requests: { cpu: 500m, memory: 512Mi }'));
    synth();
    const r = runDiff('--dist', dist, '--config', config, '--env', 'production');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Changes from .*dist\/ at HEAD \([0-9a-f]{7}\) to a fresh render of .*config\/: 0 added, 0 removed, 1 changed$/m);
    expect(r.out).toContain(
      ['  ~ apps/v1 Deployment ctis-production/app-server  (production/app-server.yaml)', '      spec.template.spec.containers[name=app-server].resources.requests.cpu', '        - 250m', '        + 500m'].join('\n'),
    );
    // The working tree already holds the new render: compared with it, nothing differs.
    expect(runDiff('--dist', dist, '--config', config, '--env', 'production', '--working-tree')).toMatchObject({ code: 0 });
  });
});
