/**
 * Small, total accessors for parsed manifests, which may not have the shape their types promise:
 * every reader of Kubernetes objects uses these instead of trusting a field's type.
 */

/** A mapping as parsed from YAML or JSON: its fields may hold anything. */
export type Fields = Record<string, unknown>;

/** Whether `v` is a mapping (not null, not a list). */
export function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a mapping, otherwise an empty one: `record(o.spec).replicas`. */
export function record(v: unknown): Fields {
  return isRecord(v) ? v : {};
}

/** `v` when it is a list (typed like it when its type is known), otherwise an empty list. */
export function list<T>(v: readonly T[] | null | undefined): T[];
export function list(v: unknown): unknown[];
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** The mappings of a list (other items skipped), with their index in the list. */
export function records(v: unknown): { item: Fields; index: number }[] {
  const out: { item: Fields; index: number }[] = [];
  list(v).forEach((item, index) => {
    if (isRecord(item)) out.push({ item, index });
  });
  return out;
}

/** The entries of a mapping, or none. */
export function entries(v: unknown): [string, unknown][] {
  return isRecord(v) ? Object.entries(v) : [];
}

/** A string field, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A number field, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** A value as text for messages: strings as they are, other values as JSON would write them. */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? typeof v;
}

/** A scalar as the text Kubernetes would see after a lenient read: strings, numbers and booleans. */
export function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** A label/annotation map with only its string values (other values are dropped). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/** A label map read leniently: numbers and booleans become their text, other values are dropped. */
export function scalarMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const k of Object.keys(v)) {
    const s = scalarText(v[k]);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** The value at `path` below `v` (mappings by key, lists by index), or undefined. */
export function at(v: unknown, path: readonly (string | number)[]): unknown {
  let cur = v;
  // An index loop: `at` runs hundreds of thousands of times, much of it before it is optimised, where `for...of` allocates a step object per element.
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isRecord(cur) ? cur[p] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The API group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> `''`). */
export function apiGroup(apiVersion: unknown): string {
  const v = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = v.indexOf('/');
  return slash === -1 ? '' : v.slice(0, slash);
}
