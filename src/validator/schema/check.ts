import { text } from '../../manifests';
import coreModels from './core-models.json';
import { crdSchema, crdVersions } from './crd-schemas';
import { CORE_KINDS, REMOVED_API_VERSIONS } from './kinds';
import { SchemaNode } from './types';

/** One structural problem inside an object. */
export interface SchemaIssue {
  /** Path of the offending field inside the object. */
  readonly path: (string | number)[];
  readonly message: string;
  /**
   * Whether the object's shape cannot be trusted (a wrong type or a missing required field);
   * other rules skip such objects. Unknown fields are not structural.
   */
  readonly structural: boolean;
}

/** How a kind/apiVersion pair is known. */
export type KindStatus =
  | { readonly known: true; readonly schema: SchemaNode }
  | { readonly known: false; readonly reason: 'removed'; readonly replacement: string }
  | { readonly known: false; readonly reason: 'unserved'; readonly served: readonly string[] }
  | { readonly known: false; readonly reason: 'unknown-kind' };

interface CoreModel {
  readonly f: Record<string, string>;
  readonly r?: string[];
}
const MODELS = (coreModels as { models: Record<string, CoreModel> }).models;

/** Schema of a kind at an apiVersion, or why there is none. */
export function kindStatus(kind: string, apiVersion: string): KindStatus {
  const removed = REMOVED_API_VERSIONS[kind]?.[apiVersion];
  if (removed) return { known: false, reason: 'removed', replacement: removed };
  const core = CORE_KINDS[kind];
  if (core) {
    const name = core[apiVersion];
    return name ? { known: true, schema: { t: 'model', name } } : { known: false, reason: 'unserved', served: Object.keys(core) };
  }
  const served = crdVersions(kind);
  if (served) {
    const schema = crdSchema(kind, apiVersion);
    return schema ? { known: true, schema } : { known: false, reason: 'unserved', served };
  }
  return { known: false, reason: 'unknown-kind' };
}

/** Whether a kind is one the validator has a schema for (at any version). */
export function isKnownKind(kind: string): boolean {
  return kind in CORE_KINDS || crdVersions(kind) !== undefined;
}

const MAX_ISSUES = 25;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string ("${v.length > 40 ? `${v.slice(0, 40)}...` : v}")`;
  return `${typeof v === 'number' ? 'a number' : `a ${typeof v}`} (${text(v)})`;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a model type string from core-models.json into a schema node. */
function coreType(t: string): SchemaNode {
  let m = /^Array<(.+)>$/.exec(t);
  if (m) return { t: 'array', items: coreType(m[1]) };
  m = /^Map<(.+)>$/.exec(t);
  if (m) return { t: 'map', values: coreType(m[1]) };
  switch (t) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'any':
    case 'int-or-string':
    case 'quantity':
      return { t };
    default:
      return { t: 'model', name: t };
  }
}
const typeCache = new Map<string, SchemaNode>();
function cachedCoreType(t: string): SchemaNode {
  let n = typeCache.get(t);
  if (!n) {
    n = coreType(t);
    typeCache.set(t, n);
  }
  return n;
}

/**
 * Checks `value` against `schema`, collecting at most a few dozen issues. `null` is accepted for
 * optional fields (the API server treats it as unset) but not for required ones.
 */
export function checkSchema(value: unknown, schema: SchemaNode): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (path: (string | number)[], message: string, structural: boolean) => {
    if (issues.length < MAX_ISSUES) issues.push({ path: [...path], message, structural });
  };
  const path: (string | number)[] = [];
  const where = () => (path.length === 0 ? 'the object' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1));

  /** A mapping with required fields and known fields (unknown ones are an issue unless `open`). */
  const visitFields = (v: unknown, required: readonly string[], field: (k: string) => SchemaNode | undefined, open: boolean): void => {
    if (!isMapping(v)) {
      add(path, `${where()} must be a mapping, not ${describe(v)}`, true);
      return;
    }
    for (const r of required) {
      // At the missing field's own path: its parent and siblings stay readable (the line is the parent's).
      if (v[r] === undefined || v[r] === null) add([...path, r], `${path.length === 0 ? '' : `${where()}.`}${r} is required`, true);
    }
    for (const [k, x] of Object.entries(v)) {
      const child = field(k);
      path.push(k);
      if (child) visit(x, child);
      else if (!open) add(path, `unknown field ${where()}`, false);
      path.pop();
    }
  };
  const visit = (v: unknown, node: SchemaNode): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (v === null || v === undefined) return;
    switch (node.t) {
      case 'any':
        return;
      case 'string':
        if (typeof v !== 'string') add(path, `${where()} must be a string, not ${describe(v)}`, true);
        return;
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v)) add(path, `${where()} must be an integer, not ${describe(v)}`, true);
        return;
      case 'number':
        if (typeof v !== 'number') add(path, `${where()} must be a number, not ${describe(v)}`, true);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') add(path, `${where()} must be true or false, not ${describe(v)}`, true);
        return;
      case 'int-or-string':
        if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
          add(path, `${where()} must be an integer or a string, not ${describe(v)}`, true);
        }
        return;
      case 'quantity':
        if (!(typeof v === 'string' || typeof v === 'number')) add(path, `${where()} must be a quantity such as 256Mi or 0.5, not ${describe(v)}`, true);
        return;
      case 'enum':
        if (!node.values.includes(v as string | number)) {
          add(path, `${where()} must be one of ${node.values.map((x) => JSON.stringify(x)).join(', ')}, not ${describe(v)}`, true);
        }
        return;
      case 'array':
        if (!Array.isArray(v)) {
          add(path, `${where()} must be a list, not ${describe(v)}`, true);
          return;
        }
        for (let i = 0; i < v.length; i++) {
          if (v[i] === null) {
            add([...path, i], `${where()}[${i}] is null`, true);
            continue;
          }
          path.push(i);
          visit(v[i], node.items);
          path.pop();
        }
        return;
      case 'map':
        if (!isMapping(v)) {
          add(path, `${where()} must be a mapping, not ${describe(v)}`, true);
          return;
        }
        for (const [k, x] of Object.entries(v)) {
          path.push(k);
          if (x === null && node.values.t !== 'any') add(path, `${where()} is null`, node.values.t !== 'string');
          else visit(x, node.values);
          path.pop();
        }
        return;
      case 'object':
        visitFields(v, node.required ?? [], (k) => node.props[k], node.open === true);
        return;
      case 'model': {
        const m = MODELS[node.name];
        if (!m) return;
        visitFields(v, m.r ?? [], (k) => (m.f[k] ? cachedCoreType(m.f[k]) : undefined), false);
        return;
      }
    }
  };
  visit(value, schema);
  return issues;
}
