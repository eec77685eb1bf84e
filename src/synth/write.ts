import * as fs from 'fs';
import * as path from 'path';
import type { RenderedFiles } from './yaml-out';

/** Mode of a folder created normally under the current umask. */
function defaultDirMode(): number {
  const mask = process.umask();
  return 0o777 & ~mask;
}

/**
 * Replaces `outDir` with exactly `files`, atomically as far as the file system allows:
 * everything is written to a sibling temporary folder first and swapped in by rename, so a
 * failure at any point leaves the previous output untouched and no temporary folder behind.
 */
export function writeAtomically(outDir: string, files: RenderedFiles): void {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${base}-new-`));
  let retired: string | undefined;
  try {
    // mkdtemp creates 0700; the output is read by reviewers and tools, so give it the usual mode.
    fs.chmodSync(staging, defaultDirMode());
    for (const rel of [...files.keys()].sort()) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, files.get(rel)!);
    }
    if (fs.existsSync(target)) {
      // A fresh, unique name: a folder left by an interrupted run can never be in the way.
      retired = fs.mkdtempSync(path.join(parent, `.${base}-old-`));
      fs.renameSync(target, path.join(retired, base));
    }
    fs.renameSync(staging, target);
  } catch (e) {
    if (retired && !fs.existsSync(target)) fs.renameSync(path.join(retired, base), target);
    if (retired) fs.rmSync(retired, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (retired) fs.rmSync(retired, { recursive: true, force: true });
}

/**
 * Why `outDir` must not be replaced by a synth, or undefined when it may: it is absent, or
 * it looks like rendered output (only folders at the top, only YAML files below, nothing
 * hidden). Anything else — a file, a repository, a folder of other work — is refused, since
 * the swap replaces the folder whole.
 */
export function notReplaceable(outDir: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(outDir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return 'it exists and is not a folder';
  const check = (dir: string, top: boolean): string | undefined => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = path.relative(outDir, path.join(dir, e.name));
      if (e.name.startsWith('.')) return `it holds ${rel}, which rendered output never does`;
      if (e.isDirectory()) {
        const why = check(path.join(dir, e.name), false);
        if (why) return why;
      } else if (top || !e.isFile() || !/\.ya?ml$/.test(e.name)) {
        return `it holds ${rel}, which rendered output never does`;
      }
    }
    return undefined;
  };
  return check(outDir, true);
}

/**
 * Replaces a few existing files (absolute path -> new content) as one change, as far as the file
 * system allows: every new content is written to a temporary sibling first, then each is renamed
 * over its file; if a rename fails, the files already replaced get their previous content back
 * and no temporary file is left behind.
 */
export function replaceFilesAtomically(files: ReadonlyMap<string, string>): void {
  const staged: Array<{ file: string; temp: string; previous: string | undefined }> = [];
  try {
    for (const [file, text] of files) {
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${staged.length}.tmp`);
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      const previous = stat?.isFile() ? fs.readFileSync(file, 'utf8') : undefined;
      staged.push({ file, temp, previous });
      fs.writeFileSync(temp, text);
      if (stat?.isFile()) fs.chmodSync(temp, stat.mode & 0o777);
    }
  } catch (e) {
    for (const s of staged) fs.rmSync(s.temp, { force: true });
    throw e;
  }
  const done: typeof staged = [];
  try {
    for (const s of staged) {
      fs.renameSync(s.temp, s.file);
      done.push(s);
    }
  } catch (e) {
    for (const s of done) {
      if (s.previous === undefined) fs.rmSync(s.file, { force: true });
      else fs.writeFileSync(s.file, s.previous);
    }
    for (const s of staged) fs.rmSync(s.temp, { force: true });
    throw e;
  }
}
