/**
 * Edits of a configuration as plain data, by dotted path (`workloads.api.image.tag`), the way a
 * person edits the YAML file: a test may write what the schema refuses, which typed models forbid.
 */

/** A document as plain data (a JSON copy of a configuration). */
export type Doc = Record<string, unknown>;

/** A JSON copy of `value`, to edit. */
export function copyOf(value: object): Doc {
  return JSON.parse(JSON.stringify(value)) as Doc;
}

function parentOf(doc: Doc, path: string): [Record<string, unknown>, string] {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: unknown = doc;
  for (const k of keys) {
    if (typeof node !== 'object' || node === null) throw new Error(`no ${k} on the way to ${path}`);
    node = (node as Record<string, unknown>)[k];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`nothing at the parent of ${path}`);
  return [node as Record<string, unknown>, last];
}

/** The value at `path`. */
export function get(doc: Doc, path: string): unknown {
  const [parent, key] = parentOf(doc, path);
  return parent[key];
}

/** Sets the value at `path` (returns it, like an assignment). */
export function set<T>(doc: Doc, path: string, value: T): T {
  const [parent, key] = parentOf(doc, path);
  parent[key] = value;
  return value;
}

/** Removes the field at `path` (returns whether it was removed, like `delete`). */
export function remove(doc: Doc, path: string): boolean {
  const [parent, key] = parentOf(doc, path);
  return delete parent[key];
}

/** Appends to the list at `path`. */
export function push(doc: Doc, path: string, ...values: unknown[]): number {
  const list = get(doc, path);
  if (!Array.isArray(list)) throw new Error(`${path} is not a list`);
  return list.push(...values);
}

/** The values of the mapping at `path` (each a document to edit in turn). */
export function valuesAt(doc: Doc, path: string): Doc[] {
  const map = get(doc, path);
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new Error(`${path} is not a mapping`);
  return Object.values(map) as Doc[];
}
