/**
 * Reading manifest files from disk: the one directory walker and the one text reader (binary and
 * oversized files are errors with a line, never garbage objects).
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManifestError } from './types';

/** Extensions of the files manifests are read from. */
export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);

/** Whether a file name (or path) has a manifest extension. */
export function isManifestFile(name: string): boolean {
  return MANIFEST_EXTENSIONS.has(path.posix.extname(name).toLowerCase());
}

/** Default of the largest file read (see `LoadOptions.maxFileBytes`). */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/** One line for a file system error, e.g. `no such file or directory`. */
export function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err.code ? `cannot read (${err.code})` : `cannot read: ${err.message}`;
  }
}

/**
 * The one directory walker: the manifest files under `root` (`.yaml`, `.yml`, `.json`, any depth,
 * hidden files and folders included, as `kubectl apply -R` and Argo CD read them) as paths
 * relative to it with `/` separators, sorted. Symbolic links are followed; a link back to a folder
 * already read is skipped.
 * @throws ManifestError naming the path that cannot be read (a missing root, a broken link, a
 *   folder without permission); `root` must be a directory
 */
export function listManifestFiles(root: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (abs: string, rel: string): void => {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch (e) {
      throw new ManifestError(errnoMessage(e), abs);
    }
    if (seen.has(real)) return; // a symbolic link cycle
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw new ManifestError(errnoMessage(e), abs);
    }
    for (const entry of entries) {
      const childAbs = path.join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(childAbs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          throw new ManifestError(errnoMessage(e), childAbs);
        }
      }
      if (isDir) visit(childAbs, childRel);
      else if (isFile && isManifestFile(entry.name)) out.push(childRel);
    }
  };
  visit(root, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 1-based line of byte offset `at` in `buf`. */
function lineAt(buf: Buffer, at: number): number {
  let line = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < at; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

/** Offset of the first byte that is not valid UTF-8 (only called once the buffer is known bad). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > buf.length) return i;
    if (n > 1 && !isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return buf.length;
}

/**
 * Reads one manifest file as text, rejecting binary content and files over the size limit.
 * @param shown the name errors carry
 * @throws ManifestError
 */
export function readManifestText(abs: string, shown: string, maxBytes = DEFAULT_MAX_FILE_BYTES): string {
  let buf: Buffer;
  try {
    const st = fs.statSync(abs);
    if (st.size > maxBytes) {
      throw new ManifestError(`file is ${st.size} bytes, over the limit of ${maxBytes} bytes`, shown);
    }
    buf = fs.readFileSync(abs);
  } catch (e) {
    if (e instanceof ManifestError) throw e;
    throw new ManifestError(errnoMessage(e), shown);
  }
  if (buf.length > maxBytes) {
    throw new ManifestError(`file is ${buf.length} bytes, over the limit of ${maxBytes} bytes`, shown);
  }
  const nul = buf.indexOf(0);
  if (nul !== -1) throw new ManifestError('binary file (contains a NUL byte)', shown, lineAt(buf, nul));
  if (!isUtf8(buf)) {
    throw new ManifestError('binary file (not valid UTF-8)', shown, lineAt(buf, firstInvalidUtf8(buf)));
  }
  return buf.toString('utf8');
}

