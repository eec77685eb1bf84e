/**
 * Promotion of an environment that follows an immutable ref (`argocd.delivery: promoted`): check
 * the new ref and its committed output, then compute every file change and the semantic diff of
 * what the environment will receive. Nothing here writes; {@link Promotion.writes} is applied by
 * the command in one step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { targetRevision } from '../config/delivery';
import { ConfigEditError, replaceScalar } from '../config/edit';
import { ConfigError, loadAllEnvironments, parseEnvironment, readConfigYaml } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { fileAtRef, filesAtRef, isAncestor, locateInRepository, RepositoryError, RepositoryPath, resolveCommit } from '../git/repository';
import { LoadedObject, ManifestError, parseManifests } from '../manifests';
import { diffSets, DiffReport, readCommitted } from '../review';
import { isArgoCdObjectFile } from '../synth/gate';
import { ARGOCD_FOLDER, StackRenderer, toFiles } from '../synth';
import type { Topology } from '../topology/model';
import { validateArgoCd, validateObjects } from '../validator';
import { PromotionError, resolvePromotionRef, ResolvedRef } from './resolve';

export { PromotionError } from './resolve';

export interface PromoteOptions {
  readonly env: string;
  /** The ref to promote: a release tag or a commit SHA. */
  readonly to: string;
  /** Folder of `<env>.yaml`. */
  readonly configDir: string;
  /** The committed output folder (`dist/`), inside the git repository. */
  readonly distDir: string;
  readonly topology: Topology;
  /** Renders the environments (the charts, `charts/app.ts`): the Argo CD files follow the new ref. */
  readonly render: StackRenderer;
}

export interface Promotion {
  readonly env: string;
  /** The ref the environment follows now, and its commit. */
  readonly from: { readonly ref: string; readonly commit: string };
  readonly to: ResolvedRef;
  /** Absolute path -> new content, only for files that change. */
  readonly writes: ReadonlyMap<string, string>;
  /** What the environment will receive: its committed output at the current ref against the new one. */
  readonly diff: DiffReport;
  /** Things worth knowing that do not stop the promotion. */
  readonly notes: readonly string[];
}

/** A path as the user would write it (relative below the working folder). */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

function short(commit: string): string {
  return commit.slice(0, 7);
}

function describeRef(ref: string, commit: string): string {
  return ref === commit ? short(commit) : `${ref} (${short(commit)})`;
}

function locate(dir: string): RepositoryPath {
  try {
    return locateInRepository(dir);
  } catch (e) {
    throw e instanceof RepositoryError ? new PromotionError(e.message) : e;
  }
}

/** Loads every environment; the one promoted must be delivered by promotion. */
function loadTarget(options: PromoteOptions): { envs: EnvironmentConfig[]; env: EnvironmentConfig & { argocd: { delivery: 'promoted' } } } {
  const envs = loadAllEnvironments(options.topology, options.configDir);
  const env = envs.find((e) => e.name === options.env);
  if (!env) throw new PromotionError(`unknown environment "${options.env}"`);
  if (env.argocd.delivery !== 'promoted') {
    throw new PromotionError(
      `${env.name} follows the branch ${env.argocd.branch} (argocd.delivery: follow) and receives every merge; only environments with delivery: promoted are promoted`,
    );
  }
  return { envs, env: env as EnvironmentConfig & { argocd: { delivery: 'promoted' } } };
}

/**
 * The configuration `dist/<env>` at the new ref was rendered from: the environment file as
 * committed there when this version reads it, else the working tree's (with a note).
 */
function configAtRef(options: PromoteOptions, root: string, to: ResolvedRef, working: EnvironmentConfig, notes: string[]): EnvironmentConfig {
  const file = path.join(options.configDir, `${options.env}.yaml`);
  const dir = path.relative(root, fs.realpathSync(path.dirname(file))).split(path.sep).join('/');
  const inRepository = `${dir === '' ? '' : `${dir}/`}${options.env}.yaml`;
  const label = `${to.ref}:${inRepository}`;
  const text = dir.startsWith('..') ? undefined : fileAtRef(root, to.commit, inRepository);
  if (text === undefined) {
    notes.push(`${label} does not exist: dist/${options.env} at ${to.ref} is validated against ${shown(file)}`);
    return working;
  }
  try {
    return parseEnvironment(readConfigYaml(text), label, options.env, options.topology);
  } catch (e) {
    const why = e instanceof ConfigError || e instanceof yaml.YAMLException ? e.message.split('\n')[0] : String(e);
    notes.push(`${label} does not load with this version (${why}): dist/${options.env} at ${to.ref} is validated against ${shown(file)}`);
    return working;
  }
}

/** The committed `dist/<env>` at the new ref, which must be clean for the validator. */
function checkCommittedOutput(options: PromoteOptions, dist: RepositoryPath, to: ResolvedRef, env: EnvironmentConfig): void {
  const folder = `${dist.prefix === '' ? '' : `${dist.prefix}/`}${options.env}`;
  const files = filesAtRef({ root: dist.root, prefix: folder }, to.commit, (rel) => /\.ya?ml$/.test(rel));
  if (files.size === 0) throw new PromotionError(`${folder} does not exist at ${to.ref}: nothing to promote`);
  let objects: LoadedObject[];
  try {
    objects = [...files].flatMap(([rel, text]) => parseManifests(text, `${to.ref}:${folder}/${rel}`));
  } catch (e) {
    if (e instanceof ManifestError) throw new PromotionError(e.describe());
    throw e;
  }
  const errors = validateObjects(objects, { env, topology: options.topology }).findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const f = errors[0];
    throw new PromotionError(
      `${folder} at ${to.ref} has ${errors.length} validation error(s) and is not promoted; first: ${f.file}:${f.line}: ${f.rule}: ${f.resource}: ${f.message}`,
    );
  }
}

/** The environment file with `argocd.ref` replaced in place, checked to differ in nothing else. */
function editedConfig(options: PromoteOptions, env: EnvironmentConfig, ref: string): { file: string; text: string; env: EnvironmentConfig } {
  const file = path.join(options.configDir, `${options.env}.yaml`);
  const before = fs.readFileSync(file, 'utf8');
  let text: string;
  try {
    text = replaceScalar(before, ['argocd', 'ref'], ref);
  } catch (e) {
    if (e instanceof ConfigEditError) throw new PromotionError(`${shown(file)}: ${e.message}`);
    throw e;
  }
  const next = parseEnvironment(readConfigYaml(text), shown(file), options.env, options.topology);
  const expected = { ...env, argocd: { ...env.argocd, ref } };
  if (JSON.stringify(next) !== JSON.stringify(expected)) {
    throw new PromotionError(`${shown(file)}: replacing argocd.ref changed other fields; edit it by hand`);
  }
  return { file, text, env: next };
}

/** Where the new commit stands relative to the current one and to the branch changes are merged into. */
function historyNotes(root: string, env: EnvironmentConfig, from: { ref: string; commit: string }, to: ResolvedRef): string[] {
  const notes: string[] = [];
  if (to.commit !== from.commit && isAncestor(root, to.commit, from.commit)) {
    notes.push(`${describeRef(to.ref, to.commit)} is older than the current ${describeRef(from.ref, from.commit)}: this rolls ${env.name} back`);
  }
  const branch = env.argocd.branch;
  const tip = resolveCommit(root, `refs/heads/${branch}`) ?? resolveCommit(root, `refs/remotes/origin/${branch}`);
  if (tip && !isAncestor(root, to.commit, tip)) notes.push(`${describeRef(to.ref, to.commit)} is not on ${branch}: ${env.name} would receive a commit that was not merged there`);
  return notes;
}

/**
 * Plans the promotion of `options.env` to `options.to`. Every check runs before anything is
 * computed to write: an unknown or mutable ref, a current ref missing from the repository, an
 * output at the new ref that is missing or not clean for the validator, a configuration the
 * edit would break. Throws {@link PromotionError} or {@link ConfigError} (one line each).
 */
export function planPromotion(options: PromoteOptions): Promotion {
  const { envs, env } = loadTarget(options);
  const dist = locate(options.distDir);
  const to = resolvePromotionRef(dist.root, options.to, env.name);
  const notes: string[] = to.note ? [to.note] : [];
  const fromRef = env.argocd.ref;
  const fromCommit = resolveCommit(dist.root, fromRef);
  if (!fromCommit) {
    throw new PromotionError(
      `the current ref ${fromRef} of ${env.name} (argocd.ref) is not in this repository, so what ${env.name} would receive cannot be shown: fetch it (git fetch --tags)`,
    );
  }
  const from = { ref: fromRef, commit: fromCommit };
  checkCommittedOutput(options, dist, to, configAtRef(options, dist.root, to, env, notes));
  notes.push(...historyNotes(dist.root, env, from, to));

  const writes = new Map<string, string>();
  if (to.ref !== fromRef) {
    const edited = editedConfig(options, env, to.ref);
    writes.set(path.resolve(edited.file), edited.text);
    const next = envs.map((e) => (e.name === env.name ? edited.env : e));
    const rendered = options.render(options.topology, next);
    const argo = [...toFiles(new Map([...rendered].filter(([rel]) => rel.startsWith(`${ARGOCD_FOLDER}/`))))];
    const objects = argo.filter(([rel]) => isArgoCdObjectFile(rel)).flatMap(([rel, text]) => parseManifests(text, rel));
    const problems = validateArgoCd(objects, { envs: next, topology: options.topology }).findings.filter((f) => f.severity === 'error');
    if (problems.length > 0) throw new PromotionError(`the Argo CD output would not validate: ${problems[0].file}:${problems[0].line}: ${problems[0].message}`);
    for (const [rel, text] of argo) {
      const file = path.resolve(options.distDir, rel);
      if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) writes.set(file, text);
    }
    if (targetRevision(edited.env.argocd) !== to.ref) throw new PromotionError('internal: the edited configuration does not name the new ref');
  }

  const shownDist = `${shown(options.distDir)}/`;
  const base = readCommitted(options.distDir, from.commit);
  const head = readCommitted(options.distDir, to.commit);
  const diff = diffSets(
    { label: `${shownDist} at ${describeRef(from.ref, from.commit)}`, set: base.set },
    { label: `${shownDist} at ${describeRef(to.ref, to.commit)}`, set: head.set },
    { env: env.name },
  );
  return { env: env.name, from, to, writes, diff, notes };
}
