import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { filesAtRef, locateInRepository, RepositoryError, RepositoryPath, resolveCommit } from '../git/repository';
import { ManifestSet, ResourceDoc } from './model';

/** Input that cannot be read or parsed; its message is one line, fit for the command line. */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewInputError';
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function isManifestFile(rel: string): boolean {
  return MANIFEST_EXTENSIONS.has(path.posix.extname(rel).toLowerCase());
}

function isMapping(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `apiVersion kind namespace/name` of a Kubernetes object (`apiVersion kind name` without a
 * namespace), or `undefined` for a document that is not one (a parameter file).
 */
export function resourceKey(doc: unknown): string | undefined {
  if (!isMapping(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return undefined;
  const meta = isMapping(doc.metadata) ? doc.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
  return `${doc.apiVersion} ${doc.kind} ${ns}${meta.name ?? ''}`;
}

/** Adds the documents of one file (path relative to the output folder) to `set`. */
function addFile(set: ManifestSet, rel: string, text: string, shownAs: string): void {
  let docs: unknown[];
  try {
    // The core schema keeps `2024-01-01` and `0755` as the Kubernetes API reads them.
    docs = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA, filename: shownAs });
  } catch (e) {
    const err = e as yaml.YAMLException;
    const line = err.mark ? `:${err.mark.line + 1}` : '';
    throw new ReviewInputError(`${shownAs}${line}: invalid YAML: ${err.reason ?? err.message}`);
  }
  addDocuments(set, rel, docs);
}

/** Adds the documents of the file `rel` (relative to the output folder) to `set`. */
function addDocuments(set: ManifestSet, rel: string, docs: readonly unknown[]): void {
  const env = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
  let byKey = set.get(env);
  if (!byKey) set.set(env, (byKey = new Map()));
  let plain = 0;
  for (const object of docs) {
    if (object === null || object === undefined) continue;
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

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ? `cannot read (${code})` : `cannot read: ${(e as Error).message}`;
}

/** Manifest files under `dir` as `/`-separated relative paths (hidden entries skipped). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (abs: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      const real = fs.realpathSync(abs);
      if (seen.has(real)) return; // a symbolic link back to a folder already read
      seen.add(real);
    } catch (e) {
      throw new ReviewInputError(`${abs}: ${errnoText(e)}`);
    }
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw new ReviewInputError(`${abs}: ${errnoText(e)}`);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childAbs = path.join(abs, entry.name);
      const stat = entry.isSymbolicLink() ? fs.statSync(childAbs, { throwIfNoEntry: false }) : entry;
      if (stat?.isDirectory()) visit(childAbs, childRel);
      else if (stat?.isFile() && isManifestFile(childRel)) out.push(childRel);
    }
  };
  visit(dir, '');
  return out;
}

/** Reads an output folder such as `dist/` from disk. */
export function fromDirectory(dir: string): ManifestSet {
  const shown = path.relative(process.cwd(), dir) || '.';
  const files = new Map<string, string>();
  for (const rel of listFiles(dir)) {
    try {
      files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
    } catch (e) {
      throw new ReviewInputError(`${path.join(shown, rel)}: ${errnoText(e)}`);
    }
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
