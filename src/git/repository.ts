/**
 * Reading a git repository without touching its working tree: where a folder sits in it, what a
 * revision names, and the files of a folder as committed at a revision (`git ls-tree`,
 * `git cat-file`). Used by `npm run diff` and `npm run promote`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A repository question with no answer (no repository, unknown revision); one line. */
export class RepositoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepositoryError';
  }
}

/** Runs git in `cwd` and returns its standard output. */
export function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', [...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs git and returns its output, or undefined when git exits non-zero. */
function tryGit(cwd: string, args: readonly string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** A folder of a repository: the repository's root and the folder's `/`-separated path in it (`''` for the root). */
export interface RepositoryPath {
  readonly root: string;
  readonly prefix: string;
}

/** Finds the git working tree that holds `dir` (which need not exist) and the path of `dir` inside it. */
export function locateInRepository(dir: string): RepositoryPath {
  const abs = path.resolve(dir);
  let existing = abs;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const root = tryGit(existing, ['rev-parse', '--show-toplevel'])?.trim();
  if (!root) throw new RepositoryError(`${dir}: not inside a git repository`);
  const inside = path.join(fs.realpathSync(existing), path.relative(existing, abs));
  const prefix = path.relative(fs.realpathSync(root), inside);
  if (prefix.startsWith('..') || path.isAbsolute(prefix)) throw new RepositoryError(`${dir}: not inside the git repository ${root}`);
  return { root, prefix: prefix.split(path.sep).join('/') };
}

/** The full SHA of the commit `ref` names (a tag is peeled), or undefined when it names none. */
export function resolveCommit(root: string, ref: string): string | undefined {
  if (ref === '' || ref.startsWith('-')) return undefined;
  return tryGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || undefined;
}

/** Whether `refs/<kind>/<name>` exists, e.g. `hasRef(root, 'tags', 'v1.2.3')`. */
export function hasRef(root: string, kind: 'tags' | 'heads', name: string): boolean {
  return tryGit(root, ['show-ref', '--verify', '--quiet', `refs/${kind}/${name}`]) !== undefined;
}

/** Remote-tracking branches named `name` (`origin/main` for `main`). */
export function remoteBranches(root: string, name: string): string[] {
  const out = tryGit(root, ['for-each-ref', '--format=%(refname:short)', 'refs/remotes/']) ?? '';
  return out.split('\n').filter((r) => r !== '' && r.slice(r.indexOf('/') + 1) === name);
}

/** Whether commit `a` is an ancestor of (or equal to) `b`. */
export function isAncestor(root: string, a: string, b: string): boolean {
  return tryGit(root, ['merge-base', '--is-ancestor', a, b]) !== undefined;
}

/** Whether the clone is shallow (its history is cut: old commits may be missing). */
export function isShallow(root: string): boolean {
  return tryGit(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true';
}

/** The text of one file as committed at `commit`, or undefined when it is not there. */
export function fileAtRef(root: string, commit: string, file: string): string | undefined {
  return tryGit(root, ['show', `${commit}:${file}`]);
}

/**
 * The files under a folder as committed at `commit` (paths relative to the folder), filtered by
 * `keep`. A revision without the folder gives none. The contents come from one
 * `git cat-file --batch`, not one git process per file.
 */
export function filesAtRef(where: RepositoryPath, commit: string, keep: (rel: string) => boolean = () => true): Map<string, string> {
  const under = where.prefix === '' ? '' : `${where.prefix}/`;
  const wanted: Array<{ rel: string; oid: string }> = [];
  for (const entry of git(where.root, ['ls-tree', '-r', '-z', commit, '--', under === '' ? '.' : under]).split('\0')) {
    // `<mode> <type> <oid>\t<path>`
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(' ');
    const rel = entry.slice(tab + 1).slice(under.length);
    if (type === 'blob' && keep(rel)) wanted.push({ rel, oid });
  }
  const files = new Map<string, string>();
  if (wanted.length === 0) return files;
  const out = execFileSync('git', ['cat-file', '--batch'], {
    cwd: where.root,
    input: wanted.map((w) => `${w.oid}\n`).join(''),
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Each object: `<oid> blob <size>\n<size bytes>\n`.
  let at = 0;
  for (const w of wanted) {
    const eol = out.indexOf(10, at);
    const size = Number(out.toString('latin1', at, eol).split(' ')[2]);
    if (!Number.isInteger(size)) throw new RepositoryError(`git cat-file could not read ${w.rel} at ${commit}`);
    files.set(w.rel, out.toString('utf8', eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
  }
  return files;
}
