import { expect } from '@jest/globals';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freshRender, runDiff, writeDist } from './support';

describe('npm run diff: usage', () => {
  test.each([
    [['--format', 'html'], /unknown --format "html"/],
    [['--env', 'qa'], /unknown --env "qa" \(use development, staging, production, argocd\)/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['extra'], /positional/i],
    [['--base', ''], /--base needs a git revision/],
  ])('%j is bad usage: exit 2 with the usage line', (argv, message) => {
    const r = runDiff(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: npm run diff --');
    expect(r.out).toBe('');
  });

  test('--help prints the usage', () => {
    expect(runDiff('--help')).toMatchObject({ code: 0, out: expect.stringContaining('usage: npm run diff') });
  });
});

describe('npm run diff: unreadable input is one line, exit 2', () => {
  test('a missing output folder', () => {
    const r = runDiff('--dist', '/nonexistent/ctis/dist');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe('diff: /nonexistent/ctis/dist: no such file or directory');
  });

  test('malformed YAML, with file and line', () => {
    const files = new Map(freshRender());
    files.set('staging/broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    const r = runDiff('--dist', writeDist(files));
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
    const r = runDiff('--dist', writeDist(freshRender()), '--config', config);
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

  test('compares the output as committed at the revision, not the working tree', () => {
    expect(runDiff('--dist', dist, '--base', 'HEAD')).toMatchObject({ code: 0, err: '' });
    const r = runDiff('--dist', dist);
    expect(r.code).toBe(1);
    expect(r.out).toContain('spec.template.spec.containers[name=api].image');
  });

  test('reports what changed since the revision, labelled with it', () => {
    git('checkout', '-q', '-b', 'older');
    git('commit', '-q', '-am', 'hand edit');
    git('checkout', '-q', '-');
    const r = runDiff('--dist', dist, '--base', 'older', '--env', 'production', '--format', 'markdown');
    expect(r.code).toBe(1);
    expect(r.out).toContain('### Rendered manifests: `older:');
    expect(r.out).toContain('| production | 0 | 0 | 1 |');
    expect(r.out).toContain('- registry.betts.example/ctis/api:9.9.9\n+ registry.betts.example/ctis/api:1.8.2');
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
