/**
 * How one file's reading crosses from the parse worker to the thread that asked for it (see
 * `parallel.ts`): its documents (value, lines, text), or the error that stops reading it.
 *
 * Values go as JSON text where JSON carries them exactly: the receiving thread parses JSON about
 * twice as fast as it deserialises the same objects from a structured clone (measured on half of
 * a 10,000-object stack: 94 against 196 ms, and 480 ms to parse its YAML). A file with a value
 * JSON would change (a non-finite number, `-0`, a node reached twice through a YAML alias or a
 * merge key) goes as a structured clone, which keeps all of that.
 */
import type { ManifestFile } from './read';
import { ManifestError } from './types';
import type { YamlDocument } from './yaml';

/** One file's reading as it is posted. */
export type FileReading =
  | {
      readonly index: number;
      /** JSON of the documents' values, or the values themselves. */
      readonly values: string | readonly unknown[];
      readonly lines: readonly number[];
      readonly baseLines: readonly number[];
      readonly texts: readonly string[];
    }
  | { readonly index: number; readonly error: { readonly message: string; readonly file: string; readonly line?: number } }
  /** Anything but a `ManifestError` (a defect): the receiving thread reads the file again itself. */
  | { readonly index: number; readonly failed: string };

/**
 * Whether `JSON.parse(JSON.stringify(v))` is a value equal to `v` in every respect the readers
 * can see: strings, booleans, null, finite numbers other than `-0`, arrays and plain objects, no
 * node twice.
 */
export function isJsonExact(v: unknown, seen: Set<object> = new Set()): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (seen.has(v)) return false;
      seen.add(v);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isJsonExact(v[i], seen)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const key in v) if (!isJsonExact((v as Record<string, unknown>)[key], seen)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The posted form of a file's documents. */
export function encodeDocuments(index: number, docs: readonly YamlDocument[]): FileReading {
  const values = docs.map((d) => d.value);
  const seen = new Set<object>();
  return {
    index,
    values: values.every((v) => isJsonExact(v, seen)) ? JSON.stringify(values) : values,
    lines: docs.map((d) => d.line),
    baseLines: docs.map((d) => d.baseLine),
    texts: docs.map((d) => d.text),
  };
}

/** The posted form of an error that stops reading a file. */
export function encodeError(index: number, e: unknown): FileReading {
  if (e instanceof ManifestError) return { index, error: { message: e.message, file: e.file, ...(e.line !== undefined ? { line: e.line } : {}) } };
  return { index, failed: e instanceof Error ? e.message : String(e) };
}

/**
 * The documents of a posted reading; throws the `ManifestError` it carries. Undefined for a
 * reading that failed otherwise (read the file again).
 */
export function decodeReading(r: FileReading): YamlDocument[] | undefined {
  if ('failed' in r) return undefined;
  if ('error' in r) throw new ManifestError(r.error.message, r.error.file, r.error.line);
  const values = (typeof r.values === 'string' ? JSON.parse(r.values) : r.values) as unknown[];
  return values.map((value, i) => ({ value, line: r.lines[i], text: r.texts[i], baseLine: r.baseLines[i] }));
}

/** Slots of the state the reading threads share (an `Int32Array` over a `SharedArrayBuffer`). */
export const SLOT = {
  /** The next claim (a position in `order`): each thread takes the next one with `Atomics.add`. */
  next: 0,
  /** How many readings the worker has posted; it notifies on this slot after each. */
  posted: 1,
} as const;

/** What the parse worker is started with. */
export interface ParseWorkerData {
  readonly files: readonly ManifestFile[];
  /** The order files are taken in: claim `k` is file `order[k]`. */
  readonly order: readonly number[];
  readonly maxBytes: number;
  /** Two `Int32` slots (see {@link SLOT}). */
  readonly state: SharedArrayBuffer;
  /** Where the worker posts each {@link FileReading}. */
  readonly port: import('node:worker_threads').MessagePort;
}
