import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, errnoMessage, listManifestFiles } from './files';
import { readInParallel, worthAWorker } from './parallel';
import { objectsOf } from './parse';
import { ManifestFile, readDocuments } from './read';
import { LoadedObject, LoadOptions, ManifestError, NotAnObject } from './types';

export { DEFAULT_MAX_FILE_BYTES };

/**
 * Loads every Kubernetes object from the `.yaml`, `.yml` and `.json` files under `dir`
 * (recursively, following symbolic links, in sorted path order so the result is deterministic).
 *
 * - YAML files may hold several documents (`---`); empty documents are skipped.
 * - `List` kinds (`List`, `PodList`, any kind ending in `List` with `items`) are replaced by their
 *   items; items of a typed list without `kind`/`apiVersion` get them from the list.
 * - YAML 1.2 core schema with merge keys; timestamps stay strings; duplicate keys are errors.
 * - `dir` may also name a single file.
 * - Many megabytes of files are read on two threads (see `parallel.ts`), with the same result.
 * - A document that is not a Kubernetes object (not a mapping, no `apiVersion` or `kind`) goes to
 *   `options.onNotAnObject` and is skipped; without that option it is an error.
 *
 * @throws ManifestError for an unreadable path, a binary file, a file over `maxFileBytes`, YAML
 *   that does not parse, a document that is not a Kubernetes object (without
 *   `onNotAnObject`), and a directory that holds no document at all. Its `file` is `dir` joined with the file's relative
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
  const files: ManifestFile[] = [];
  if (st.isDirectory()) {
    for (const rel of listManifestFiles(dir)) {
      const abs = path.join(dir, ...rel.split('/'));
      files.push({ abs, rel, shown: abs });
    }
  } else if (st.isFile()) {
    files.push({ abs: dir, rel: path.basename(dir), shown: dir });
  } else {
    throw new ManifestError('not a directory or a regular file', dir);
  }
  const out: LoadedObject[] = [];
  let rejected = 0;
  const collect = options.onNotAnObject;
  const onNotAnObject = collect
    ? (d: NotAnObject) => {
        rejected++;
        collect(d);
      }
    : undefined;
  const sizes = options.worker === false || files.length < 2 ? undefined : files.map((f) => fs.statSync(f.abs, { throwIfNoEntry: false })?.size ?? 0);
  // Sizes as the file system says now; reading checks them again.
  const readings = sizes && (options.worker ?? worthAWorker(sizes)) ? readInParallel(files, { maxBytes, sizes }).readings : undefined;
  files.forEach((f, i) => {
    const docs = readings ? readings[i] : readDocuments(f, maxBytes);
    if (docs instanceof ManifestError) throw docs;
    for (const o of objectsOf(docs, f.rel, f.shown, onNotAnObject)) out.push(o);
  });
  if (out.length === 0 && rejected === 0) {
    throw new ManifestError(
      files.length === 0
        ? 'no manifests found (no .yaml, .yml or .json file)'
        : 'no manifests found (the files hold no Kubernetes object)',
      dir,
    );
  }
  return out;
}

