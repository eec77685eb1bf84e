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

/** {@link kindStatus} of each kind and apiVersion asked so far (the tables are static), by kind and then apiVersion. */
const statuses = new Map<string, Map<string, KindStatus>>();

/** Schema of a kind at an apiVersion, or why there is none (the same object for the same pair). */
export function kindStatus(kind: string, apiVersion: string): KindStatus {
  let byVersion = statuses.get(kind);
  if (!byVersion) statuses.set(kind, (byVersion = new Map<string, KindStatus>()));
  let status = byVersion.get(apiVersion);
  if (status === undefined) byVersion.set(apiVersion, (status = findKindStatus(kind, apiVersion)));
  return status;
}

function findKindStatus(kind: string, apiVersion: string): KindStatus {
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

/** One run of {@link checkSchema}: the issues so far and the path of the value being checked. */
interface Run {
  readonly issues: SchemaIssue[];
  readonly path: (string | number)[];
}

/** Checks one value (never null or undefined) of a schema node, inside a run. */
type Check = (v: unknown, run: Run) => void;

function add(run: Run, path: readonly (string | number)[], message: string, structural: boolean): void {
  if (run.issues.length < MAX_ISSUES) run.issues.push({ path: [...path], message, structural });
}

function where(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the object' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
}

const NOTHING: Check = () => undefined;

/** A scalar type: `ok` says whether a value has it, `expected` what it must be. */
function scalar(ok: (v: unknown) => boolean, expected: string): Check {
  return (v, run) => {
    if (!ok(v)) add(run, run.path, `${where(run.path)} must be ${expected}, not ${describe(v)}`, true);
  };
}

const SCALARS: Record<string, Check> = {
  any: NOTHING,
  string: scalar((v) => typeof v === 'string', 'a string'),
  integer: scalar((v) => typeof v === 'number' && Number.isInteger(v), 'an integer'),
  number: scalar((v) => typeof v === 'number', 'a number'),
  boolean: scalar((v) => typeof v === 'boolean', 'true or false'),
  'int-or-string': scalar((v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)), 'an integer or a string'),
  quantity: scalar((v) => typeof v === 'string' || typeof v === 'number', 'a quantity such as 256Mi or 0.5'),
};

/**
 * A mapping with required fields and known fields (unknown ones are an issue unless `open`).
 * `field` names the known fields' checks; a name the mapping of known fields inherits (such as
 * `constructor`) is accepted unchecked.
 */
function fields(required: readonly string[], field: (k: string) => Check | undefined, open: boolean): Check {
  return (v, run) => {
    const path = run.path;
    if (!isMapping(v)) {
      add(run, path, `${where(path)} must be a mapping, not ${describe(v)}`, true);
      return;
    }
    for (let i = 0; i < required.length; i++) {
      const r = required[i];
      // At the missing field's own path: its parent and siblings stay readable (the line is the parent's).
      if (v[r] === undefined || v[r] === null) add(run, [...path, r], `${path.length === 0 ? '' : `${where(path)}.`}${r} is required`, true);
    }
    // Index loops here and below: the check visits every value of every object, mostly before it is optimised, where `for...of` allocates a step object per element.
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const child = field(k);
      path.push(k);
      if (child) visit(v[k], child, run);
      else if (!open) add(run, path, `unknown field ${where(path)}`, false);
      path.pop();
    }
  };
}

/** The checks of a mapping's known fields, compiled when first met. */
function fieldChecks<T>(types: Readonly<Record<string, T>>, compileField: (type: T) => Check): (k: string) => Check | undefined {
  const checks = new Map<string, Check>();
  return (k) => {
    let c = checks.get(k);
    if (c === undefined) {
      const type = types[k];
      if (!type) return undefined;
      c = Object.prototype.hasOwnProperty.call(types, k) ? compileField(type) : NOTHING;
      checks.set(k, c);
    }
    return c;
  };
}

/** Checks of schema nodes and of core models, compiled once for the process. */
const compiled = new WeakMap<SchemaNode, Check>();
const modelChecks = new Map<string, Check>();

function modelCheck(name: string): Check {
  let c = modelChecks.get(name);
  if (!c) {
    const m = MODELS[name];
    c = m ? fields(m.r ?? [], fieldChecks(m.f, (t: string) => compile(cachedCoreType(t))), false) : NOTHING;
    modelChecks.set(name, c);
  }
  return c;
}

function compile(node: SchemaNode): Check {
  let c = compiled.get(node);
  if (c) return c;
  switch (node.t) {
    case 'enum': {
      const values = node.values;
      c = (v, run) => {
        if (!values.includes(v as string | number)) add(run, run.path, `${where(run.path)} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, not ${describe(v)}`, true);
      };
      break;
    }
    case 'array':
      c = listCheck(node.items);
      break;
    case 'map':
      c = mapCheck(node.values);
      break;
    case 'object':
      c = fields(node.required ?? [], fieldChecks(node.props, (n: SchemaNode) => compile(n)), node.open === true);
      break;
    case 'model': {
      const name = node.name;
      let model: Check | undefined;
      c = (v, run) => (model ??= modelCheck(name))(v, run);
      break;
    }
    default:
      c = SCALARS[node.t];
  }
  compiled.set(node, c);
  return c;
}

/** The check of a list: each item passes the check of `items` (compiled when first needed); a null item is an issue. */
function listCheck(items: SchemaNode): Check {
  let itemCheck: Check | undefined;
  return (v, run) => {
    const path = run.path;
    if (!Array.isArray(v)) {
      add(run, path, `${where(path)} must be a list, not ${describe(v)}`, true);
      return;
    }
    const each = (itemCheck ??= compile(items));
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null) {
        add(run, [...path, i], `${where(path)}[${i}] is null`, true);
        continue;
      }
      path.push(i);
      visit(v[i], each, run);
      path.pop();
    }
  };
}

/** The check of a mapping of any keys: each value passes the check of `values`; a null value is an issue unless any value goes. */
function mapCheck(values: SchemaNode): Check {
  let valueCheck: Check | undefined;
  return (v, run) => {
    const path = run.path;
    if (!isMapping(v)) {
      add(run, path, `${where(path)} must be a mapping, not ${describe(v)}`, true);
      return;
    }
    const each = (valueCheck ??= compile(values));
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const x = v[k];
      path.push(k);
      if (x === null && values.t !== 'any') add(run, path, `${where(path)} is null`, values.t !== 'string');
      else visit(x, each, run);
      path.pop();
    }
  };
}

/** Runs a check on a value, unless the value is unset or enough issues were found. */
function visit(v: unknown, check: Check, run: Run): void {
  if (run.issues.length >= MAX_ISSUES || v === null || v === undefined) return;
  check(v, run);
}

/**
 * Checks `value` against `schema`, collecting at most a few dozen issues. `null` is accepted for
 * optional fields (the API server treats it as unset) but not for required ones. Each schema
 * node is compiled into a check once, when first met.
 */
export function checkSchema(value: unknown, schema: SchemaNode): SchemaIssue[] {
  const run: Run = { issues: [], path: [] };
  visit(value, compile(schema), run);
  return run.issues;
}
