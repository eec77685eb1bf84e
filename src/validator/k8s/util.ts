/** Small, total accessors for objects that may not have the shape their types promise. */

export function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a list, otherwise an empty list. */
export function list<T = any>(v: T[] | undefined | null | unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The entries of a mapping, or none. */
export function entries(v: unknown): [string, any][] {
  return isRecord(v) ? Object.entries(v) : [];
}

/** A string field, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A label/annotation map with only string values. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** `Kind/namespace/name` for messages. */
export function describeKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Joins words as `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
