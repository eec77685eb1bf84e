/**
 * Argo CD ApplicationSets as the validator reads them: which files their git `files` generators
 * read as parameters (documents that are not Kubernetes objects, and need not be), and which
 * parameters their Go templates use.
 */
import * as path from 'node:path';
import { at, isRecord, list, LoadedObject, NotAnObject, str, text } from '../../manifests';
import type { ValidationContext } from '../context';

/** A git `files` generator of an ApplicationSet (nested in a matrix or merge generator too). */
export interface FilesGenerator {
  /** The path pattern, relative to the repository root (Go templates stand for one path segment). */
  readonly pattern: string;
  readonly exclude: boolean;
  /** Where the file's own path parameters go (`.path` without a prefix). */
  readonly pathParamPrefix?: string;
}

/** Every generator of an ApplicationSet, nested ones included, as raw mappings. */
function generators(appset: LoadedObject): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (gens: unknown) => {
    for (const g of list(gens)) {
      if (!isRecord(g)) continue;
      out.push(g);
      visit(at(g, ['matrix', 'generators']));
      visit(at(g, ['merge', 'generators']));
    }
  };
  visit(at(appset.object, ['spec', 'generators']));
  return out;
}

/** The git files generators of an ApplicationSet. */
export function filesGenerators(appset: LoadedObject): FilesGenerator[] {
  const out: FilesGenerator[] = [];
  for (const g of generators(appset)) {
    const prefix = str(at(g, ['git', 'pathParamPrefix']));
    for (const f of list(at(g, ['git', 'files']))) {
      const pattern = str(at(f, ['path']));
      if (pattern) out.push({ pattern, exclude: at(f, ['exclude']) === true, ...(prefix ? { pathParamPrefix: prefix } : {}) });
    }
  }
  return out;
}

/** A path pattern of a generator as a regular expression (`*` one segment, `**` any, a template one segment). */
function patternRegex(pattern: string): RegExp {
  let re = '';
  for (const part of pattern.split(/(\{\{.*?\}\}|\*\*|\*|\?)/)) {
    if (part === '**') re += '.*';
    else if (part === '*' || part.startsWith('{{')) re += '[^/]*';
    else if (part === '?') re += '[^/]';
    else re += part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a generator's repository path pattern names a validated file. Where the validated
 * directory sits in the repository is not known (it may be a copy), so the pattern's last
 * segments are matched against the directory's name and the file's path in it
 * (`dist/argocd/environments/*.yaml` names `environments/staging.yaml` of a directory named
 * `argocd`); a pattern with `**` is matched against every tail of the directory's path.
 */
function names(pattern: string, file: string, root: string | undefined): boolean {
  const dirs = root === undefined ? [] : path.resolve(root).split(path.sep).filter((s) => s !== '');
  const segments = pattern.split('/');
  if (segments.includes('**')) {
    const re = patternRegex(pattern);
    return [file, ...dirs.map((_, i) => `${dirs.slice(i).join('/')}/${file}`)].some((c) => re.test(c));
  }
  const candidate = [...dirs.slice(-1), ...file.split('/')];
  return segments.length >= candidate.length && patternRegex(segments.slice(-candidate.length).join('/')).test(candidate.join('/'));
}

/** The ApplicationSet (and generator) that reads a document as a parameter file, if any. */
export function parameterFileOf(ctx: ValidationContext, doc: NotAnObject): { appset: LoadedObject; generator: FilesGenerator } | undefined {
  for (const appset of ctx.objects.ofKind('ApplicationSet')) {
    const gens = filesGenerators(appset);
    const matches = (g: FilesGenerator) => names(g.pattern, doc.file, ctx.root);
    if (gens.some((g) => g.exclude && matches(g))) continue;
    const generator = gens.find((g) => !g.exclude && matches(g));
    if (generator) return { appset, generator };
  }
  return undefined;
}

/**
 * The parameters the Go templates of an ApplicationSet use (`.destination.namespace` ->
 * `['destination', 'namespace']`), from `spec.template` and `spec.templatePatch`; undefined when
 * it does not use Go templates.
 */
export function templateParameters(appset: LoadedObject): string[][] | undefined {
  if (at(appset.object, ['spec', 'goTemplate']) !== true) return undefined;
  const sources = [JSON.stringify(at(appset.object, ['spec', 'template']) ?? {}), text(at(appset.object, ['spec', 'templatePatch']) ?? '')];
  const found = new Map<string, string[]>();
  for (const source of sources) {
    for (const action of source.match(/\{\{.*?\}\}/gs) ?? []) {
      // `.a.b` not preceded by a word character or `)` (a field of a function's result is no parameter).
      for (const m of action.matchAll(/(?<![\w)\]])\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/g)) found.set(m[1], m[1].split('.'));
    }
  }
  return [...found.values()];
}

/**
 * The parameter heads other generators of the ApplicationSet provide (`path` from git
 * generators, the files generator's `pathParamPrefix`), or undefined when a generator of another
 * type (list, clusters, ...) provides parameters the validator does not know.
 */
export function generatedParameters(appset: LoadedObject): Set<string> | undefined {
  const heads = new Set<string>();
  for (const g of generators(appset)) {
    if (isRecord(g.matrix) || isRecord(g.merge)) continue;
    if (!isRecord(g.git)) return undefined;
    const prefix = str(g.git.pathParamPrefix);
    heads.add(prefix ?? 'path');
    if (list(g.git.directories).length > 0) heads.add('path');
  }
  return heads;
}
