import { ENVIRONMENT_NAMES } from '../config/schema';
import { RELEASE_KINDS } from '../manifests';
import { DiffReport, EnvironmentDiff, FieldChange, LabelledSet, ManifestSet, ResourceChange, ResourceDoc } from './model';

type Segment = string | number | { readonly name: string };

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of parsed YAML/JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMapping(a)) {
    if (!isMapping(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.template.spec.containers[name=api].image`; keys that are not identifiers in `["..."]`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object') out += `[name=${s.name}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Names of the items when every item is a mapping with a distinct string `name`. */
function itemNames(list: readonly unknown[]): string[] | undefined {
  const names = list.map((x) => (isMapping(x) && typeof x.name === 'string' ? x.name : undefined));
  if (names.some((n) => n === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function diffLists(a: readonly unknown[], b: readonly unknown[], at: Segment[], out: FieldChange[]): void {
  const na = itemNames(a);
  const nb = itemNames(b);
  if (na && nb && (a.length > 0 || b.length > 0)) {
    // Containers, env vars, ports, volumes: match items by name, so an insertion is one change.
    const inB = new Map(nb.map((n, i) => [n, b[i]]));
    const inA = new Map(na.map((n, i) => [n, a[i]]));
    na.forEach((n, i) => {
      const here = [...at, { name: n }];
      if (!inB.has(n)) out.push({ path: formatPath(here), kind: 'removed', old: a[i] });
      else diffValues(a[i], inB.get(n), here, out);
    });
    nb.forEach((n, i) => {
      if (!inA.has(n)) out.push({ path: formatPath([...at, { name: n }]), kind: 'added', new: b[i] });
    });
    return;
  }
  if ([...a, ...b].every((x) => !isMapping(x) && !Array.isArray(x))) {
    // Lists of scalars (args, sync options, CIDRs) read best whole.
    out.push({ path: formatPath(at), kind: 'changed', old: a, new: b });
    return;
  }
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diffValues(a[i], b[i], [...at, i], out);
  for (let i = common; i < a.length; i++) out.push({ path: formatPath([...at, i]), kind: 'removed', old: a[i] });
  for (let i = common; i < b.length; i++) out.push({ path: formatPath([...at, i]), kind: 'added', new: b[i] });
}

/**
 * Field-level differences from `a` to `b`, depth first in document order: a key or named
 * list item only in `b` is `added`, only in `a` `removed`; differing scalars (or a scalar
 * replaced by a structure) are `changed`.
 */
export function diffValues(a: unknown, b: unknown, at: Segment[] = [], out: FieldChange[] = []): FieldChange[] {
  if (deepEqual(a, b)) return out;
  if (isMapping(a) && isMapping(b)) {
    for (const k of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) out.push({ path: formatPath([...at, k]), kind: 'removed', old: a[k] });
      else diffValues(a[k], b[k], [...at, k], out);
    }
    for (const k of Object.keys(b)) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) out.push({ path: formatPath([...at, k]), kind: 'added', new: b[k] });
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    diffLists(a, b, at, out);
  } else {
    out.push({ path: formatPath(at), kind: 'changed', old: a, new: b });
  }
  return out;
}

/** Environments first in their configured order, then other folders (`argocd`) by name. */
function envOrder(a: string, b: string): number {
  const rank = (e: string) => {
    const i = (ENVIRONMENT_NAMES as readonly string[]).indexOf(e);
    return i < 0 ? ENVIRONMENT_NAMES.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export interface DiffOptions {
  /** Compare only this top-level folder (an environment, or `argocd`). @default - every folder */
  readonly env?: string;
}

function diffEnvironment(env: string, base: Map<string, ResourceDoc>, head: Map<string, ResourceDoc>): EnvironmentDiff {
  const added: ResourceDoc[] = [];
  const removed: ResourceDoc[] = [];
  const changed: ResourceChange[] = [];
  for (const [key, doc] of base) {
    const next = head.get(key);
    if (!next) {
      removed.push(doc);
      continue;
    }
    const changes = diffValues(doc.object, next.object);
    if (changes.length > 0) changed.push({ key, file: next.file, changes });
  }
  for (const [key, doc] of head) if (!base.has(key)) added.push(doc);
  pairReplacements(removed, added, changed);
  return { env, added: added.sort(byKey), removed: removed.sort(byKey), changed: changed.sort(byKey) };
}

/** `kind namespace/name` of a document whose kind is in {@link RELEASE_KINDS}, or undefined. */
function releaseWorkload(doc: ResourceDoc): { kind: string; id: string } | undefined {
  const o = doc.object;
  if (!isMapping(o) || typeof o.kind !== 'string' || !RELEASE_KINDS.has(o.kind)) return undefined;
  const meta = isMapping(o.metadata) ? o.metadata : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { kind: o.kind, id: `${text(meta.namespace)}/${text(meta.name)}` };
}

/**
 * A component switched between rolling and blue-green: the Deployment removed and the Rollout
 * of the same namespace and name added (or the other way round) become one change,
 * `<removed key> -> <added key>`, with the fields that differ: the kind and the strategy, and the
 * pod template only if it changed too.
 */
function pairReplacements(removed: ResourceDoc[], added: ResourceDoc[], changed: ResourceChange[]): void {
  for (const gone of [...removed]) {
    const w = releaseWorkload(gone);
    if (!w) continue;
    const i = added.findIndex((d) => {
      const x = releaseWorkload(d);
      return x !== undefined && x.id === w.id && x.kind !== w.kind;
    });
    if (i < 0) continue;
    const [next] = added.splice(i, 1);
    removed.splice(removed.indexOf(gone), 1);
    changed.push({ key: `${gone.key} -> ${next.key}`, file: next.file, changes: diffValues(gone.object, next.object) });
  }
}

/**
 * The semantic differences from `base` to `head`, per environment and per resource. File
 * names and document order do not matter; resources are matched by `apiVersion kind
 * namespace/name`, and a Deployment replaced by a Rollout of the same name (or back) by that name.
 */
export function diffSets(base: LabelledSet, head: LabelledSet, options: DiffOptions = {}): DiffReport {
  const envs = [...new Set([...base.set.keys(), ...head.set.keys()])]
    .filter((e) => options.env === undefined || e === options.env)
    .sort(envOrder);
  const none = new Map<string, ResourceDoc>();
  return {
    base: base.label,
    head: head.label,
    environments: envs.map((env) => diffEnvironment(env, base.set.get(env) ?? none, head.set.get(env) ?? none)),
  };
}

/** Environments (top-level folders) of a set. */
export function environmentsOf(set: ManifestSet): string[] {
  return [...set.keys()].sort(envOrder);
}
