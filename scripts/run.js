#!/usr/bin/env node
/**
 * `node scripts/run.js <entry.ts> [args...]`: runs a TypeScript entry point of the project (a
 * command in `src/cli/`, the benchmark) without type-checking it first, and never as stale code.
 *
 * Every npm command goes through here. The entry is bundled with esbuild (transpile only, types
 * are stripped, never checked: `npm test` and CI type-check) into `lib/<entry>.js`, together with
 * the packages it uses, and run from there with a V8 code cache beside it, so a warm start
 * neither resolves hundreds of module files nor compiles them again. Next to each bundle a
 * manifest lists the files that went into it with their modification time and size; the
 * bundle is rebuilt when any of them changes (or a file appears or disappears beside one of
 * ours, the build settings change, or npm installs anything). That check is a few hundred
 * `stat` calls. A syntax error stops the command with `file:line:column: message`, exit 1.
 *
 * Plain JavaScript on purpose: it runs before anything is built.
 */
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const ROOT = path.resolve(__dirname, '..');

/**
 * Files whose change rebuilds every bundle although they are not the project's own inputs:
 * this recipe, the compiler settings esbuild honours (class fields, target), and npm's record
 * of the last install, which stands for every package file (npm rewrites it on each install,
 * update or removal; the packages themselves are not checked one by one).
 */
const RECIPE_FILES = ['scripts/run.js', 'tsconfig.json', 'package.json', 'node_modules/.package-lock.json'];

/** Marks the end of every bundle with its build id; the code cache carries the same id. */
const BUILD_MARK = '\n//# build ';

/** A build failure the user caused (a syntax error, a missing file): printed as one line each. */
class BuildError extends Error {}

/** Where the bundle, its manifest and its code cache of `entry` (relative to root) live. */
function outputsOf(root, entry) {
  const base = path.join(root, 'lib', entry.replace(/\.ts$/, ''));
  return { bundle: `${base}.js`, manifest: `${base}.build.json`, cache: `${base}.v8` };
}

/** `[mtimeMs, size]` of a file or folder, or null when it does not exist. */
function stamp(file) {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s ? [s.mtimeMs, s.size] : null;
}

/** True when nothing recorded in the manifest changed since the bundle was built. */
function isFresh(root, manifest) {
  for (const [rel, recorded] of Object.entries(manifest.files)) {
    const now = stamp(path.join(root, rel));
    if (now === null || recorded === null ? now !== recorded : now[0] !== recorded[0] || now[1] !== recorded[1]) return false;
  }
  return true;
}

function readManifest(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so no reader ever sees half a file. */
function writeAtomically(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function loadEsbuild() {
  try {
    return require('esbuild');
  } catch {
    throw new BuildError('esbuild is not installed; run `npm ci` first');
  }
}

/** Bundles `entry` and records what went into it. */
function build(root, entry) {
  const esbuild = loadEsbuild();
  const out = outputsOf(root, entry);
  const started = Date.now();
  let result;
  try {
    result = esbuild.buildSync({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      tsconfig: path.join(root, 'tsconfig.json'),
      write: false,
      metafile: true,
      // Not minified: a crash shows a readable line. Strings are escaped to ASCII.
      charset: 'ascii',
      legalComments: 'none',
      logLevel: 'silent',
      outfile: out.bundle,
    });
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    const lines = e.errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text));
    throw new BuildError(lines.join('\n'));
  }
  // What is not ASCII by now sits in comments; escaping it there lets the bundle be read as
  // latin1, which is several times faster than decoding UTF-8.
  const code = result.outputFiles[0].text.replace(/[\x80-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const id = require('crypto').createHash('sha1').update(code).digest('hex');
  // Inputs, the folders that hold the project's own ones (a file added beside them can change
  // what an import resolves to), and the recipe. A file changed while esbuild read it is
  // recorded as changed, so the next run builds again.
  const files = {};
  const record = (rel) => {
    const s = stamp(path.join(root, rel));
    files[rel] = s && s[0] >= started && s[0] <= Date.now() ? [-1, -1] : s;
  };
  for (const rel of Object.keys(result.metafile.inputs)) {
    if (rel.startsWith('node_modules/')) continue;
    record(rel);
    record(path.dirname(rel));
  }
  for (const rel of RECIPE_FILES) record(rel);
  writeAtomically(out.bundle, `${code}${BUILD_MARK}${id}\n`);
  writeAtomically(out.manifest, `${JSON.stringify({ entry, id, node: process.version, files })}\n`);
  fs.rmSync(out.cache, { force: true });
  return out.bundle;
}

/**
 * The bundle of `entry`, rebuilt first when its sources changed. `entry` is a path relative to
 * the project root, e.g. `src/cli/synth.ts`.
 */
function ensureBuilt(entry, root = ROOT) {
  const rel = path.relative(root, path.resolve(root, entry)).split(path.sep).join('/');
  if (!/\.ts$/.test(rel) || rel.startsWith('..') || !fs.existsSync(path.join(root, rel))) {
    throw new BuildError(`${entry}: no such TypeScript entry point in ${root}`);
  }
  const out = outputsOf(root, rel);
  const manifest = readManifest(out.manifest);
  if (manifest && manifest.entry === rel && isFresh(root, manifest) && fs.existsSync(out.bundle)) return out.bundle;
  return build(root, rel);
}

/**
 * How much V8's young generation grows each time it fills (V8's default is 2). A command keeps
 * most of what it allocates until it ends (the construct tree, the rendered and parsed objects),
 * so from a 1 MB start each of the many early scavenges copies the same survivors again, and the
 * old generation soon reaches its first limit and is marked in full. Growing the young
 * generation to its usual maximum (16 MB) at the first scavenge instead halved the garbage
 * collection time of synth (13 scavenges and a full collection → 6 scavenges) and cut it by a
 * fifth when validating 10,000 objects; the peak stays the same or grows by at most the young
 * generation's 32 MB. Set before anything is compiled, as the code cache is tied to V8's flags.
 */
const YOUNG_GENERATION_GROWTH = 16;

/**
 * Runs a bundle as the main module, with V8's code cache: compiled code is read from
 * `<bundle>.v8` when it belongs to this very build, and written after the first run.
 */
function runBundle(bundle, args) {
  require('v8').setFlagsFromString(`--semi-space-growth-factor=${YOUNG_GENERATION_GROWTH}`);
  const code = fs.readFileSync(bundle, 'latin1'); // plain ASCII (see build)
  const id = code.slice(code.lastIndexOf(BUILD_MARK) + BUILD_MARK.length).trim();
  const cacheFile = bundle.replace(/\.js$/, '.v8');
  const header = Buffer.from(`${id}\n`);
  let cachedData;
  try {
    const data = fs.readFileSync(cacheFile);
    if (data.subarray(0, header.length).equals(header)) cachedData = data.subarray(header.length);
  } catch {
    // No cache yet: compile, and write one when the process ends.
  }
  const script = new vm.Script(Module.wrap(code), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, Buffer.concat([header, script.createCachedData()]));
      } catch {
        // A read-only checkout still runs, only without the cache.
      }
    });
  }
  const main = new Module(bundle, null);
  main.filename = bundle;
  main.paths = Module._nodeModulePaths(path.dirname(bundle));
  const req = Module.createRequire(bundle);
  req.main = main;
  process.argv = [process.argv[0], bundle, ...args];
  script.runInThisContext().call(main.exports, main.exports, req, main, bundle, path.dirname(bundle));
}

/** Runs the command line `<entry.ts> [args...]`; returns an exit code only when it cannot start. */
function cli(argv) {
  const [entry, ...args] = argv;
  if (!entry || entry === '-h' || entry === '--help') {
    process.stderr.write('usage: node scripts/run.js <entry.ts> [args...]\n');
    return 2;
  }
  let bundle;
  try {
    bundle = ensureBuilt(entry);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    const name = path.basename(entry, '.ts');
    for (const line of e.message.split('\n')) process.stderr.write(`${name}: ${line}\n`);
    process.stderr.write(`${name}: not run: the sources do not build\n`);
    return 1;
  }
  runBundle(bundle, args);
  return undefined;
}

module.exports = { ensureBuilt, runBundle, BuildError, outputsOf };

if (require.main === module) {
  const code = cli(process.argv.slice(2));
  if (code !== undefined) process.exitCode = code;
}
