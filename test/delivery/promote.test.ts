import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/promote';
import { replaceScalar } from '../../src/config/edit';
import { renderAllObjects, renderFromConfig } from '../../charts/app';
import { writeAtomically } from '../../src/synth';
import { FORMATTERS } from '../../src/review';
import { capture } from '../support/cli';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';

/**
 * `npm run promote` in a temporary git repository holding a copy of the project's configuration
 * and its rendered output: production first follows the repository's first commit, a release
 * with a new api image is committed and tagged, and production is promoted to it.
 */
const REPO_CONFIG = path.resolve(__dirname, '..', '..', 'config');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-promote-'));
const config = path.join(root, 'config');
const dist = path.join(root, 'dist');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function git(...args: string[]): string {
  const identity = ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false'];
  return execFileSync('git', [...identity, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** `npm run synth` of the temporary configuration into the temporary dist/. */
function synth(): void {
  writeAtomically(dist, renderFromConfig(CTIS_TOPOLOGY, config));
}

function editConfig(env: string, edit: (text: string) => string): void {
  const file = path.join(config, `${env}.yaml`);
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
}

function promote(...argv: string[]): { code: number; out: string; err: string } {
  const { io, out, err } = capture();
  const code = main([...argv, '--config', config, '--dist', dist], io, renderAllObjects);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const status = () => git('status', '--porcelain');

fs.mkdirSync(config);
for (const env of ['development', 'staging', 'production']) fs.copyFileSync(path.join(REPO_CONFIG, `${env}.yaml`), path.join(config, `${env}.yaml`));
git('init', '-q', '-b', 'main');
synth();
git('add', '.');
git('commit', '-q', '-m', 'first render');
const first = git('rev-parse', 'HEAD');
// Production follows the first commit (as shipped, it follows a commit of the project's own history).
editConfig('production', (t) => replaceScalar(t, ['argocd', 'ref'], first));
synth();
git('commit', '-q', '-am', 'production follows the first render');
// A release: a new api image, rendered, committed and tagged.
/** Production pins images by digest: the release changes the tag beside it. */
const API_DIGEST = '@sha256:d569bb2b90b24c21129fd544acf79fe7bee3ac81b8c05bbae4d03f49f67c0379';
editConfig('production', (t) => t.replace('registry.betts.example/ctis/api, tag: "1.8.2"', 'registry.betts.example/ctis/api, tag: "1.9.0"'));
synth();
git('commit', '-q', '-am', 'api 1.9.0');
git('tag', '-a', 'v1.9.0', '-m', 'release 1.9.0');
const release = git('rev-parse', 'HEAD');
git('tag', 'nightly');
// A release whose committed output was broken by hand: the Namespace lost its protection.
git('checkout', '-q', '-b', 'broken');
const platform = path.join(dist, 'production', 'platform.yaml');
fs.writeFileSync(platform, fs.readFileSync(platform, 'utf8').replace('    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n', ''));
git('commit', '-q', '-am', 'hand edit');
git('tag', '-a', 'v1.9.1', '-m', 'broken release');
// A release whose configuration is in a layout this version no longer reads (an older schema).
git('checkout', '-q', '-b', 'old-layout', 'v1.9.0');
editConfig('production', (t) => t.replace('  delivery: promoted\n', '  delivery: promoted\n  legacyField: true\n'));
git('commit', '-q', '-am', 'older configuration layout');
git('tag', '-a', 'v1.9.2', '-m', 'release with an older configuration layout');
// A name that is both a tag and a branch.
git('checkout', '-q', 'main');
git('tag', 'v2.0.0');
git('branch', 'v2.0.0');
// A clone's remote-tracking refs, HEAD among them.
git('update-ref', 'refs/remotes/origin/main', 'main');
git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');

describe('npm run promote: refusals change nothing', () => {
  test.each([
    [['--to', 'does-not-exist'], /^promote: does-not-exist is neither a tag nor a commit of this repository \(git fetch --tags to get new tags\); nothing was changed$/],
    [['--to', 'main'], /^promote: main is a branch: production follows only a release tag \(v1\.2\.3\) or a full 40-hex commit SHA; tag a release, or promote the commit it names now \(--to [0-9a-f]{40}\); nothing was changed$/],
    [['--to', 'HEAD'], /^promote: HEAD is a moving reference: /],
    [['--to', 'nightly'], /^promote: tag nightly is not a release tag \(v1\.2\.3\): .*promote its commit instead \(--to [0-9a-f]{40}\)/],
    [['--to', 'v1.9.1'], /^promote: dist\/production at v1\.9\.1 has 1 validation error\(s\) and is not promoted; first: v1\.9\.1:dist\/production\/platform\.yaml:\d+: namespace-deletion-protected: Namespace\/\/ctis-production: /],
    [['--to', '0'.repeat(40)], /^promote: commit 0{40} is not in this repository/],
    [['--to', 'v2.0.0'], /^promote: v2\.0\.0 names both a tag and a branch, so Argo CD could sync either: promote its commit instead \(--to [0-9a-f]{40}\)/],
  ])('%j: exit 1, one line, git status clean', (argv, message) => {
    const r = promote('--env', 'production', ...argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(status()).toBe('');
  });

  test('a current ref the repository does not have: the diff cannot be shown, nothing changes', () => {
    editConfig('production', (t) => replaceScalar(t, ['argocd', 'ref'], '1'.repeat(40)));
    try {
      const r = promote('--env', 'production', '--to', 'v1.9.0');
      expect(r).toMatchObject({ code: 1, out: '' });
      expect(r.err).toBe(`promote: the current ref ${'1'.repeat(40)} of production (argocd.ref) is not in this repository, so what production would receive cannot be shown: fetch it (git fetch --tags); nothing was changed`);
      expect(fs.readFileSync(path.join(config, 'production.yaml'), 'utf8')).toContain(`ref: "${'1'.repeat(40)}"`);
    } finally {
      git('checkout', '-q', '--', '.');
    }
    expect(status()).toBe('');
  });

  test('an environment that follows a branch is not promoted', () => {
    const r = promote('--env', 'staging', '--to', 'v1.9.0');
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toBe('promote: staging follows the branch main (argocd.delivery: follow) and receives every merge; only environments with delivery: promoted are promoted; nothing was changed');
    expect(status()).toBe('');
  });

  test.each([
    [['--to', 'v1.9.0'], /^promote: --env is required$/],
    [['--env', 'production'], /^promote: --to is required$/],
    [['--env', 'production', '--to', 'v1.9.0', '--format', 'html'], /^promote: unknown --format "html" \(use text, txt or markdown\)$/],
    [['--env', 'production', '--to', 'v1.9.0', 'extra'], /^promote: unexpected argument 'extra': this command takes no positional arguments$/],
    [['--env', 'qa', '--to', 'v1.9.0'], /^promote: unknown --env "qa" \(use development, staging or production\)$/],
  ])('%j is bad usage: exit 2 with the problem, the usage line and the pointer to the help', (argv, message) => {
    const r = promote(...argv);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([expect.stringMatching(message), expect.stringMatching(/^usage: npm run promote -- /), "Try 'npm run promote -- --help' for every option."]);
    expect(status()).toBe('');
  });

  test('--help explains the checks, every option and the exit codes', () => {
    const r = promote('--help');
    expect(r.code).toBe(0);
    for (const s of ['--env', '--to', '--format', '--config', '--dist', 'Exit codes', 'validator']) expect(r.out).toContain(s);
    const accepted = FORMATTERS.names.flatMap((n) => [n, ...(FORMATTERS.get(n)?.aliases ?? [])]);
    expect(accepted).toContain('txt');
    for (const name of accepted) expect(r.out).toMatch(new RegExp(`--format <fmt>.*\\b${name}\\b`));
  });
});

describe('npm run promote --to <release tag>', () => {
  const before = fs.readFileSync(path.join(config, 'production.yaml'), 'utf8');
  let r: ReturnType<typeof promote>;
  beforeAll(() => {
    r = promote('--env', 'production', '--to', 'v1.9.0');
  });
  afterAll(() => {
    git('checkout', '-q', '--', '.');
  });

  test('exits 0 and changes only the configuration of production and the Argo CD output', () => {
    expect(r.code).toBe(0);
    expect(status().split('\n').map((l) => l.trim()).sort()).toEqual(['M config/production.yaml', 'M dist/argocd/applications.yaml', 'M dist/argocd/environments/production.yaml']);
    expect(r.err).toMatch(/^promote: production now follows v1\.9\.0 \(was [0-9a-f]{40}\); updated .*config\/production\.yaml, .*dist\/argocd\/applications\.yaml, .*dist\/argocd\/environments\/production\.yaml: commit them and open a pull request$/);
  });

  test('edits the one value in place: comments, layout and every other line stay', () => {
    const after = fs.readFileSync(path.join(config, 'production.yaml'), 'utf8');
    const changed = after.split('\n').filter((line, i) => line !== before.split('\n')[i]);
    expect(changed).toEqual(['  ref: v1.9.0']);
    expect(after.split('\n')).toHaveLength(before.split('\n').length);
  });

  test('the Application and the parameter file now name the tag', () => {
    const applications = fs.readFileSync(path.join(dist, 'argocd', 'applications.yaml'), 'utf8');
    expect(git('diff', '--', 'dist/argocd/applications.yaml')).toMatch(new RegExp(`-    targetRevision: ${first}\\n\\+    targetRevision: v1\\.9\\.0`));
    expect(applications.match(/targetRevision: v1\.9\.0/g)).toHaveLength(1);
    expect(fs.readFileSync(path.join(dist, 'argocd', 'environments', 'production.yaml'), 'utf8')).toContain('targetRevision: v1.9.0\n');
  });

  test('prints what production will receive: dist/production at the current ref against the tag', () => {
    expect(r.out).toMatch(new RegExp(`^Changes from .*dist/ at ${first.slice(0, 7)} to .*dist/ at v1\\.9\\.0 \\(${release.slice(0, 7)}\\): 0 added, 0 removed, \\d+ changed`));
    expect(r.out).toContain('  ~ argoproj.io/v1alpha1 Rollout ctis-production/api  (production/api.yaml)');
    expect(r.out).toContain(
      ['      spec.template.spec.containers[name=api].image', `        - registry.betts.example/ctis/api:1.8.2${API_DIGEST}`, `        + registry.betts.example/ctis/api:1.9.0${API_DIGEST}`].join('\n'),
    );
    expect(r.out).not.toMatch(/^(staging|development|argocd):/m);
  });

  test('the promoted configuration renders what is now committed in dist/argocd', () => {
    const rendered = renderFromConfig(CTIS_TOPOLOGY, config);
    for (const rel of ['argocd/applications.yaml', 'argocd/applicationset.yaml', 'argocd/project.yaml', 'argocd/environments/production.yaml']) {
      expect({ rel, text: fs.readFileSync(path.join(dist, rel), 'utf8') }).toEqual({ rel, text: rendered.get(rel) });
    }
  });

  test('promoting again to the same ref changes nothing', () => {
    const again = promote('--env', 'production', '--to', 'v1.9.0');
    expect(again.code).toBe(0);
    expect(again.err).toBe('promote: production already follows v1.9.0; nothing changed');
  });
});

describe('npm run promote --to <commit>', () => {
  afterEach(() => git('checkout', '-q', '--', '.'));

  test('an abbreviated SHA is written as the full SHA, in markdown for the pull request', () => {
    const r = promote('--env', 'production', '--to', release.slice(0, 10), '--format', 'markdown');
    expect(r.code).toBe(0);
    expect(r.err.split('\n')[0]).toBe(`promote: note: ${release.slice(0, 10)} is commit ${release}; production follows the full SHA`);
    expect(fs.readFileSync(path.join(config, 'production.yaml'), 'utf8')).toContain(`\n  ref: ${release}\n`);
    expect(r.out).toMatch(/^### Rendered manifests: `.*dist\/ at [0-9a-f]{7}` → .*dist\/ at [0-9a-f]{7}/);
    expect(r.out).toMatch(/^\| production \| 0 \| 0 \| [1-9]\d* \|$/m);
    expect(r.out).toContain(`- registry.betts.example/ctis/api:1.8.2${API_DIGEST}\n+ registry.betts.example/ctis/api:1.9.0${API_DIGEST}`);
  });

  test('going back to an older commit says it is a rollback', () => {
    expect(promote('--env', 'production', '--to', 'v1.9.0').code).toBe(0);
    git('commit', '-q', '-am', 'promote production to v1.9.0');
    try {
      const r = promote('--env', 'production', '--to', first);
      expect(r.code).toBe(0);
      expect(r.err).toContain(`promote: note: ${first.slice(0, 7)} is older than the current v1.9.0 (${release.slice(0, 7)}): this rolls production back`);
      expect(r.out).toContain('- registry.betts.example/ctis/api:1.9.0');
    } finally {
      git('reset', '-q', '--hard', 'HEAD~1');
    }
  });
});

describe('npm run promote --to <a release whose configuration this version no longer reads>', () => {
  afterAll(() => git('checkout', '-q', '--', '.'));

  test("its output is validated against the working tree's configuration, with a note", () => {
    const r = promote('--env', 'production', '--to', 'v1.9.2');
    expect(r.code).toBe(0);
    expect(r.err.split('\n')[0]).toMatch(
      /^promote: note: v1\.9\.2:config\/production\.yaml does not load with this version \(.*field argocd\.legacyField: is not a known field.*\): dist\/production at v1\.9\.2 is validated against .*config\/production\.yaml$/,
    );
    expect(r.err).toContain('is not on main');
  });
});

describe('editing one scalar of a YAML file', () => {
  const text = '# top\nargocd:\n  # the ref\n  ref: abc   # moved by promote\n  other: { a: 1 }\n';

  test('keeps comments and layout, and the quoting style', () => {
    expect(replaceScalar(text, ['argocd', 'ref'], 'v2.0.0')).toBe('# top\nargocd:\n  # the ref\n  ref: v2.0.0   # moved by promote\n  other: { a: 1 }\n');
    expect(replaceScalar("argocd:\n  ref: 'abc'\n", ['argocd', 'ref'], 'v2.0.0')).toBe("argocd:\n  ref: 'v2.0.0'\n");
    expect(replaceScalar('argocd: { ref: "abc", x: 1 }\n', ['argocd', 'ref'], 'v2.0.0')).toBe('argocd: { ref: "v2.0.0", x: 1 }\n');
  });

  test('quotes a value that would not read back as the same string', () => {
    const digits = '1234567890123456789012345678901234567890';
    expect(replaceScalar(text, ['argocd', 'ref'], digits)).toContain(`  ref: "${digits}"   # moved by promote`);
    expect(replaceScalar(text, ['argocd', 'ref'], '1e10')).toContain('ref: "1e10"');
  });

  test('refuses a missing field or a structure', () => {
    expect(() => replaceScalar(text, ['argocd', 'missing'], 'x')).toThrow('has no field argocd.missing');
    expect(() => replaceScalar(text, ['argocd', 'other'], 'x')).toThrow('field argocd.other is not a single value');
  });
});
