import * as path from 'node:path';
import { filesAtRef, locateInRepository, RepositoryError, RepositoryPath, resolveCommit } from '../git/repository';
import { isManifestFile, isRecord, listManifestFiles, ManifestError, parseYamlDocuments, readManifestText, text } from '../manifests';
import { ManifestSet, ResourceDoc } from './model';

/** Input that cannot be read or parsed; its message is one line, fit for the command line. */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewInputError';
  }
}

/** Runs `read`, turning a reading-layer error into a {@link ReviewInputError} with the same one line. */
function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ManifestError) throw new ReviewInputError(e.describe());
    throw e;
  }
}

/**
 * `apiVersion kind namespace/name` of a Kubernetes object (`apiVersion kind name` without a
 * namespace), or `undefined` for a document that is not one (a parameter file).
 */
export function resourceKey(doc: unknown): string | undefined {
  if (!isRecord(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return undefined;
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
  return `${doc.apiVersion} ${doc.kind} ${ns}${meta.name === undefined || meta.name === null ? '' : text(meta.name)}`;
}

/** Adds the documents of one file (path relative to the output folder) to `set`. */
function addFile(set: ManifestSet, rel: string, text: string, shownAs: string): void {
  addDocuments(set, rel, reading(() => parseYamlDocuments(text, shownAs, rel.toLowerCase().endsWith('.json'))).map((d) => d.value));
}

/** Adds the documents of the file `rel` (relative to the output folder) to `set`. */
function addDocuments(set: ManifestSet, rel: string, docs: readonly unknown[]): void {
  const env = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
  let byKey = set.get(env);
  if (!byKey) set.set(env, (byKey = new Map<string, ResourceDoc>()));
  let plain = 0;
  for (const object of docs) {
    let key = resourceKey(object) ?? `document ${rel}${plain++ > 0 ? `#${plain}` : ''}`;
    // The same resource twice (a hand edit): keep both, so neither copy goes unnoticed.
    for (let n = 2; byKey.has(key); n++) key = `${key.replace(/ \(copy \d+\)$/, '')} (copy ${n})`;
    byKey.set(key, { key, env, file: rel, object } satisfies ResourceDoc);
  }
}

/** Indexes rendered files (relative path -> text), e.g. the result of `renderFromConfig`. */
export function fromRenderedFiles(files: ReadonlyMap<string, string>, shownPrefix = ''): ManifestSet {
  const set: ManifestSet = new Map();
  for (const rel of [...files.keys()].sort()) {
    if (isManifestFile(rel)) addFile(set, rel, files.get(rel)!, `${shownPrefix}${rel}`);
  }
  return set;
}

/**
 * Indexes rendered objects (relative path -> documents), e.g. the result of
 * `renderObjectsFromConfig`, as `fromRenderedFiles` would index them once written as YAML and read
 * back, without writing and reading: each document as JSON data (no `undefined` fields).
 */
export function fromRenderedObjects(files: ReadonlyMap<string, readonly unknown[]>): ManifestSet {
  const set: ManifestSet = new Map();
  for (const rel of [...files.keys()].sort()) {
    if (isManifestFile(rel)) addDocuments(set, rel, files.get(rel)!.map((d) => JSON.parse(JSON.stringify(d)) as unknown));
  }
  return set;
}

/** Reads an output folder such as `dist/` from disk. */
export function fromDirectory(dir: string): ManifestSet {
  const shown = path.relative(process.cwd(), dir) || '.';
  const files = new Map<string, string>();
  for (const rel of reading(() => listManifestFiles(dir))) {
    files.set(rel, reading(() => readManifestText(path.join(dir, ...rel.split('/')), path.join(shown, rel))));
  }
  return fromRenderedFiles(files, `${shown}/`);
}

/** An output folder as committed at a revision, with the commit the revision resolved to. */
export interface CommittedSet {
  readonly set: ManifestSet;
  /** Full SHA of the commit read. */
  readonly commit: string;
}

/**
 * Reads the output folder `dir` as committed at `ref` (`git ls-tree` + `git show`), without
 * touching the working tree. A ref without that folder gives an empty set.
 */
export function fromGitRef(dir: string, ref: string): ManifestSet {
  return readCommitted(dir, ref).set;
}

/** {@link fromGitRef}, also returning the commit `ref` resolved to (for labels such as `HEAD (1a2b3c4)`). */
export function readCommitted(dir: string, ref: string): CommittedSet {
  let where: RepositoryPath;
  try {
    where = locateInRepository(dir);
  } catch (e) {
    throw e instanceof RepositoryError ? new ReviewInputError(e.message) : e;
  }
  if (ref.startsWith('-')) throw new ReviewInputError(`"${ref}" is not a git revision`);
  const commit = resolveCommit(where.root, ref);
  if (!commit) throw new ReviewInputError(`unknown git revision "${ref}"`);
  const under = where.prefix === '' ? '' : `${where.prefix}/`;
  const files = filesAtRef(where, commit, isManifestFile);
  return { set: fromRenderedFiles(files, `${ref}:${under}`), commit };
}
