import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { parseText } from './parse';
import { LoadedObject, LoadOptions, ManifestError } from './types';

/** Default of {@link LoadOptions.maxFileBytes}. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err.code ? `cannot read (${err.code})` : `cannot read: ${err.message}`;
  }
}

/** Manifest files under `dir` as paths relative to it (posix separators), sorted. */
function listFiles(root: string): string[] {
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
      else if (isFile && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) out.push(childRel);
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

/** Reads one file as text, rejecting binary content and files over the size limit. */
function readText(abs: string, shown: string, maxBytes: number): string {
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

/**
 * Loads every Kubernetes object from the `.yaml`, `.yml` and `.json` files under `dir`
 * (recursively, following symbolic links, in sorted path order so the result is deterministic).
 *
 * - YAML files may hold several documents (`---`); empty documents are skipped.
 * - `List` kinds (`List`, `PodList`, any kind ending in `List` with `items`) are replaced by their
 *   items; items of a typed list without `kind`/`apiVersion` get them from the list.
 * - YAML 1.2 core schema with merge keys; timestamps stay strings; duplicate keys are errors.
 * - `dir` may also name a single file.
 *
 * @throws ManifestError for an unreadable path, a binary file, a file over `maxFileBytes`, YAML
 *   that does not parse, a document that is not a mapping or lacks `apiVersion`/`kind`, and a
 *   directory that holds no object at all. Its `file` is `dir` joined with the file's relative
 *   path, its `line` 1-based.
 */
export function loadManifests(dir: string, options: LoadOptions = {}): LoadedObject[] {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new ManifestError(errnoMessage(e), dir);
  }
  const files: { abs: string; rel: string; shown: string }[] = [];
  if (st.isDirectory()) {
    for (const rel of listFiles(dir)) {
      const abs = path.join(dir, ...rel.split('/'));
      files.push({ abs, rel, shown: abs });
    }
  } else if (st.isFile()) {
    files.push({ abs: dir, rel: path.basename(dir), shown: dir });
  } else {
    throw new ManifestError('not a directory or a regular file', dir);
  }
  const out: LoadedObject[] = [];
  for (const f of files) {
    const text = readText(f.abs, f.shown, maxBytes);
    const json = f.rel.toLowerCase().endsWith('.json');
    for (const o of parseText(text, f.rel, f.shown, json)) out.push(o);
  }
  if (out.length === 0) {
    throw new ManifestError(
      files.length === 0
        ? 'no manifests found (no .yaml, .yml or .json file)'
        : 'no manifests found (the files hold no Kubernetes object)',
      dir,
    );
  }
  return out;
}
