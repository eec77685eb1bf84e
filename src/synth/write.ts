import * as fs from 'fs';
import * as path from 'path';
import { RenderedFiles } from './render';

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
