import * as yaml from 'js-yaml';
import type { AppSetGenerator, Application, ApplicationSet } from '../support/k8s';

/**
 * Just enough of the ApplicationSet controller to render our ApplicationSet offline: the Go
 * template actions it uses (`{{ .a.b }}`, `{{ toJson .a }}`, `missingkey=error`), the git
 * directory and file generators over a set of files, the matrix generator, the template and
 * its `templatePatch`, and the resources finalizer the controller adds to an Application whose
 * template names none (unless `preserveResourcesOnDeletion`). Anything else in a template is an
 * error, so a new construct in the ApplicationSet forces this model (and its test) to be extended.
 */

type Params = Record<string, unknown>;

function lookup(params: Params, dotted: string): unknown {
  let v: unknown = params;
  for (const part of dotted.split('.').slice(1)) {
    if (typeof v !== 'object' || v === null || !(part in v)) throw new Error(`map has no entry for key "${part}" (${dotted})`);
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Go's encoding/json: map keys sorted, compact. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function renderGoTemplate(text: string, params: Params): string {
  return text.replace(/\{\{(-?)\s*(.*?)\s*(-?)\}\}/g, (_m, trimLeft: string, action: string, trimRight: string) => {
    if (trimLeft || trimRight) throw new Error('whitespace trimming not modelled');
    let m = /^(\.[A-Za-z0-9_.]+)$/.exec(action);
    if (m) {
      const v = lookup(params, m[1]);
      if (typeof v === 'object' && v !== null) throw new Error(`{{ ${action} }} prints a structure`);
      return String(v);
    }
    m = /^toJson (\.[A-Za-z0-9_.]+)$/.exec(action);
    if (m) return goJson(lookup(params, m[1]));
    throw new Error(`template action not modelled: {{ ${action} }}`);
  });
}

function renderDeep(v: unknown, params: Params): unknown {
  if (typeof v === 'string') return renderGoTemplate(v, params);
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, params));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderDeep(x, params)]));
  return v;
}

const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Strategic merge as it applies to our patch: maps merge, `null` deletes, lists replace, except
 * `metadata.finalizers`, whose patch strategy is merge: the patch's finalizers are added to the
 * Application's, so an empty list in the patch removes none.
 */
function merge(base: unknown, patch: unknown, at = ''): unknown {
  if (at === '.metadata.finalizers' && Array.isArray(base) && Array.isArray(patch)) return [...new Set([...(base as unknown[]), ...(patch as unknown[])])];
  if (!patch || typeof patch !== 'object' || Array.isArray(patch) || !base || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v, `${at}.${k}`);
  }
  return out;
}

/**
 * The controller renders the template, then gives it the resources finalizer when it names no
 * finalizer and `syncPolicy.preserveResourcesOnDeletion` is not set, and only then applies the
 * templatePatch (Argo CD's RenderTemplateParams, then applyTemplatePatch).
 */
function withDefaultFinalizer(app: Application, appSet: ApplicationSet): Application {
  if (appSet.spec.syncPolicy?.preserveResourcesOnDeletion === true || (app.metadata.finalizers ?? []).length > 0) return app;
  return { ...app, metadata: { ...app.metadata, finalizers: [RESOURCES_FINALIZER] } };
}

/** What Go's `omitempty` drops when the controller writes the Application back. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => !(Array.isArray(x) && x.length === 0))
        .map(([k, x]) => [k, dropEmpty(x)]),
    );
  }
  return v;
}

/** What the git generators expose about a path: `.path.path`, `.path.basename`, ... */
function pathParams(p: string): Params {
  const segments = p.split('/');
  const basename = segments[segments.length - 1];
  return { path: p, basename, basenameNormalized: basename.replace(/[^a-zA-Z0-9-]/g, '-').toLowerCase(), segments };
}

/** Repository content: path from the repository root -> file text. */
export type Repository = ReadonlyMap<string, string>;

function directories(repo: Repository): string[] {
  const dirs = new Set<string>();
  for (const f of repo.keys()) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

function globMatch(pattern: string, p: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return re.test(p);
}

function gitGenerator(git: NonNullable<AppSetGenerator['git']>, repo: Repository, outer: Params): Params[] {
  const selected = git.directories;
  if (selected) {
    const dirs = directories(repo).filter(
      (d) => selected.some((e) => !e.exclude && globMatch(e.path, d)) && !selected.some((e) => e.exclude && globMatch(e.path, d)),
    );
    return dirs.map((d) => ({ path: pathParams(d) }));
  }
  const out: Params[] = [];
  for (const f of git.files ?? []) {
    const pattern = renderGoTemplate(f.path, outer);
    for (const file of [...repo.keys()].filter((k) => globMatch(pattern, k))) {
      const content = yaml.load(repo.get(file)!) as Params;
      const dir = file.slice(0, file.lastIndexOf('/'));
      const info = { ...pathParams(dir), filename: file.slice(dir.length + 1) };
      out.push({ ...content, ...(git.pathParamPrefix ? { [git.pathParamPrefix]: { path: info } } : { path: info }) });
    }
  }
  return out;
}

function generate(gen: AppSetGenerator, repo: Repository, outer: Params): Params[] {
  if (gen.git) return gitGenerator(gen.git, repo, outer);
  if (gen.matrix) {
    const [first, second] = gen.matrix.generators;
    // Earlier parameters win over later ones (mergo without override).
    return generate(first, repo, outer).flatMap((p) => generate(second, repo, p).map((q) => ({ ...q, ...p })));
  }
  throw new Error(`generator not modelled: ${Object.keys(gen).join(', ')}`);
}

/** The Applications an ApplicationSet generates from `repo`, as the controller would create them. */
export function generateApplications(appSet: ApplicationSet, repo: Repository): Application[] {
  const spec = appSet.spec;
  if (spec.goTemplate !== true || !spec.goTemplateOptions?.includes('missingkey=error')) throw new Error('only goTemplate with missingkey=error is modelled');
  return spec.generators.flatMap((g) =>
    generate(g, repo, {}).map((params) => {
      const app = withDefaultFinalizer({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...(renderDeep(spec.template, params) as object) } as Application, appSet);
      const patched = spec.templatePatch ? merge(app, yaml.load(renderGoTemplate(spec.templatePatch, params))) : app;
      return dropEmpty(patched) as Application;
    }),
  );
}
