import * as fs from 'fs';
import * as path from 'path';
import { RenderedFiles } from './render';

/**
 * Replaces `outDir` with exactly `files`, atomically as far as the file system allows:
 * everything is written to a sibling temporary folder first and swapped in by rename, so a
 * failure at any point leaves the previous output untouched.
 */
export function writeAtomically(outDir: string, files: RenderedFiles): void {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${base}-new-`));
  try {
    for (const rel of [...files.keys()].sort()) {
      const target = path.join(staging, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, files.get(rel)!);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = `${path.join(parent, `.${base}-old-`)}${process.pid}`;
  const hadPrevious = fs.existsSync(outDir);
  if (hadPrevious) fs.renameSync(outDir, old);
  try {
    fs.renameSync(staging, outDir);
  } catch (e) {
    if (hadPrevious) fs.renameSync(old, outDir);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (hadPrevious) fs.rmSync(old, { recursive: true, force: true });
}
