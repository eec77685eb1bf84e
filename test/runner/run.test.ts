/**
 * `scripts/run.js`, through which every npm command runs: a fresh checkout builds and runs, an
 * unchanged tree reuses the bundle and its code cache, any edit is picked up by the next
 * command, a syntax error stops the command with the file and line (and never runs old code),
 * and a type error does not stop it (type-checking is `npm test`'s job). Each case runs the
 * real script in a scratch project that borrows this project's node_modules.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

let project: string;

function write(rel: string, text: string): void {
  const file = path.join(project, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Writes `rel` with a modification time in the past or future, as an editor's save may leave it. */
function rewrite(rel: string, text: string): void {
  write(rel, text);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(project, rel), later, later);
}

function run(entry: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(project, 'scripts', 'run.js'), entry, ...args], { cwd: project, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bundle = (entry: string) => path.join(project, 'lib', entry.replace(/\.ts$/, '.js'));

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-runner-'));
  fs.mkdirSync(path.join(project, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'run.js'), path.join(project, 'scripts', 'run.js'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  write('package.json', '{"name":"scratch","private":true}\n');
  write('tsconfig.json', '{"compilerOptions":{"target":"ES2022","module":"commonjs","strict":true}}\n');
  write('src/greeting.ts', "// Grüße: the greeting ✓\nexport const GREETING: string = 'hello';\n");
  write(
    'src/cli/hello.ts',
    [
      "import * as yaml from 'js-yaml';",
      "import { GREETING } from '../greeting';",
      'export function main(argv: string[]): number {',
      "  process.stdout.write(yaml.dump({ greeting: GREETING, argv, main: require.main === module }));",
      '  return argv.length;',
      '}',
      'if (require.main === module) process.exitCode = main(process.argv.slice(2));',
      '',
    ].join('\n'),
  );
});

afterEach(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

describe('scripts/run.js', () => {
  it('builds a fresh checkout and runs the entry as the main module, with its arguments and exit code', () => {
    expect(fs.existsSync(path.join(project, 'lib'))).toBe(false);
    const r = run('src/cli/hello.ts', 'a', '--b');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("greeting: hello\nargv:\n  - a\n  - '--b'\nmain: true\n");
    expect(r.status).toBe(2);
    expect(fs.existsSync(bundle('src/cli/hello.ts'))).toBe(true);
    // The packages are inside the bundle: nothing is resolved from node_modules at run time.
    expect(fs.readFileSync(bundle('src/cli/hello.ts'), 'utf8')).toMatch(/function dump/);
  });

  it('reuses an unchanged bundle and the code cache written by the first run', () => {
    run('src/cli/hello.ts');
    const file = bundle('src/cli/hello.ts');
    const first = fs.statSync(file);
    const cache = file.replace(/\.js$/, '.v8');
    expect(fs.existsSync(cache)).toBe(true);
    const [, id] = /\/\/# build ([0-9a-f]{40})\n$/.exec(fs.readFileSync(file, 'utf8'))!;
    // Plain ASCII, so it can be read as latin1.
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^[^\x80-\uffff]*$/);
    expect(fs.readFileSync(cache).subarray(0, 41).toString()).toBe(`${id}\n`);
    const cached = fs.statSync(cache);

    expect(run('src/cli/hello.ts').stdout).toMatch(/greeting: hello/);
    expect(fs.statSync(file).mtimeMs).toBe(first.mtimeMs);
    expect(fs.statSync(cache).mtimeMs).toBe(cached.mtimeMs);
  });

  it('runs the edited code on the next command after any source change', () => {
    run('src/cli/hello.ts');
    rewrite('src/greeting.ts', "export const GREETING: string = 'grüße, ✓';\n");
    expect(run('src/cli/hello.ts').stdout).toMatch(/greeting: grüße, ✓/);
    // A change of the same size and an older time still counts.
    write('src/greeting.ts', "export const GREETING: string = 'chanGed';\n");
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(project, 'src/greeting.ts'), past, past);
    expect(run('src/cli/hello.ts').stdout).toMatch(/greeting: chanGed/);
  });

  it('notices a file added beside the sources that changes what an import resolves to', () => {
    run('src/cli/hello.ts');
    // esbuild prefers greeting.tsx to greeting.ts; greeting.ts itself is unchanged.
    write('src/greeting.tsx', "export const GREETING: string = 'from the new file';\n");
    expect(run('src/cli/hello.ts').stdout).toMatch(/greeting: from the new file/);
  });

  it('rebuilds when the compiler settings or the installed packages change', () => {
    run('src/cli/hello.ts');
    const manifest = bundle('src/cli/hello.ts').replace(/\.js$/, '.build.json');
    const built = fs.statSync(manifest).mtimeMs;
    rewrite('tsconfig.json', '{"compilerOptions":{"target":"ES2020","module":"commonjs","strict":true}}\n');
    run('src/cli/hello.ts');
    expect(fs.statSync(manifest).mtimeMs).toBeGreaterThan(built);
    const recorded = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, unknown> }).files;
    expect(Object.keys(recorded)).toEqual(expect.arrayContaining(['node_modules/.package-lock.json', 'scripts/run.js', 'src/greeting.ts', 'src']));
  });

  it('stops on a syntax error with file, line and column, and never runs the previous build', () => {
    expect(run('src/cli/hello.ts').status).toBe(0);
    rewrite('src/greeting.ts', "export const GREETING: string = 'hello'\nexport const = 2;\n");
    const r = run('src/cli/hello.ts');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^hello: src\/greeting\.ts:2:14: Expected identifier but found "="\n/);
    expect(r.stderr).toMatch(/hello: not run: the sources do not build\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs code with a type error as written (npm test is what type-checks)', () => {
    rewrite('src/greeting.ts', 'export const GREETING: string = 42 as unknown as number;\n');
    const r = run('src/cli/hello.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/greeting: 42/);
  });

  it('refuses an entry that is not a TypeScript file of the project', () => {
    const r = run('src/cli/missing.ts');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^missing: src\/cli\/missing\.ts: no such TypeScript entry point/);
  });
});

describe('the npm commands', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it.each(['synth', 'validate', 'connectivity', 'diff', 'promote', 'bench'])('%s runs an existing entry through scripts/run.js', (name) => {
    const m = /^node scripts\/run\.js (\S+\.ts)$/.exec(pkg.scripts[name]);
    expect(m).not.toBeNull();
    expect(fs.existsSync(path.join(ROOT, m![1]))).toBe(true);
  });

  it('cdk8s synth runs the same app the same way', () => {
    const app = /^app: (.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'))?.[1];
    expect(app).toBe(pkg.scripts.synth);
  });

  it('type-checking stays in npm test', () => {
    expect(pkg.scripts.test).toMatch(/^npm run -s typecheck && /);
    expect(pkg.scripts.typecheck).toMatch(/^tsc -p tsconfig\.json/);
  });
});
