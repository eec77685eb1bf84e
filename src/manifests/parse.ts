import { isRecord } from './fields';
import { isClusterScoped } from './kinds';
import { locateField, sequenceItemLines } from './lines';
import { KubeObject, LoadedObject, ManifestError, NotAnObject } from './types';
import { parseYamlDocuments, YamlDocument } from './yaml';

/** `Kind/namespace/name` of an object (see {@link LoadedObject.key}). */
export function objectKey(obj: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  const kind = obj.kind ?? '';
  const ns = isClusterScoped(kind) ? '' : (obj.metadata?.namespace ?? '');
  return `${kind}/${ns}/${obj.metadata?.name ?? ''}`;
}

/** The document text an object came from, kept for {@link fieldLine}. */
interface DocInfo {
  readonly text: string;
  /** 1-based line of the first line of `text` in its file. */
  readonly baseLine: number;
  /** Path of the object inside the document (`['items', 3]` for a List item). */
  readonly basePath: readonly (string | number)[];
  /** Shared between the items of one List document so the text is split once. */
  readonly shared: { lines?: string[] };
}

const docInfo = new WeakMap<LoadedObject, DocInfo>();

/**
 * Best-effort 1-based line of a field inside an object's document, e.g.
 * `fieldLine(obj, ['spec', 'template', 'spec', 'containers', 0, 'image'])`. When the full path is
 * not found, the line of its deepest found ancestor; when nothing is found (or the object was not
 * produced by this loader), `obj.location.line`. The document text is scanned lazily, only when
 * this is called.
 */
export function fieldLine(obj: LoadedObject, path: (string | number)[]): number {
  const info = docInfo.get(obj);
  if (!info) return obj.location.line;
  const lines = (info.shared.lines ??= info.text.split('\n'));
  const idx = locateField(lines, [...info.basePath, ...path]);
  return idx === undefined ? obj.location.line : info.baseLine + idx;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a sequence';
  return `a ${typeof v}`;
}

/** Why a value is not a Kubernetes object, or undefined when it is one. */
function notAnObject(v: unknown, what: string): string | undefined {
  if (!isRecord(v)) return `${what} is ${describeType(v)}, not a mapping (a Kubernetes object)`;
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') return `${what} has no apiVersion`;
  if (typeof v.kind !== 'string' || v.kind === '') return `${what} has no kind`;
  if (v.metadata !== undefined && v.metadata !== null && !isRecord(v.metadata)) return `${what} has metadata that is not a mapping`;
  // Kustomize's own files carry an apiVersion and kind, but no API server serves them.
  if (v.apiVersion.startsWith('kustomize.config.k8s.io/')) return `${what} is a Kustomize ${v.kind} (${v.apiVersion}), not a Kubernetes object`;
  return undefined;
}

/** Where a document that is not an object goes: thrown (the default) or handed to the caller. */
interface Rejector {
  readonly file: string;
  readonly errorFile: string;
  readonly onNotAnObject?: (d: NotAnObject) => void;
}

/** Whether `v` is an object; otherwise reports it (throws without a collector) and returns false. */
function accept(v: unknown, line: number, what: string, r: Rejector): v is KubeObject {
  const reason = notAnObject(v, what);
  if (reason === undefined) return true;
  if (!r.onNotAnObject) throw new ManifestError(reason, r.errorFile, line);
  r.onNotAnObject({ file: r.file, line, reason, value: v });
  return false;
}

function isListKind(v: KubeObject): v is KubeObject & { items: unknown[] } {
  return v.kind.endsWith('List') && Array.isArray(v.items);
}

/**
 * Parses one file's text into objects (see {@link loadManifests} for the rules). `file` is used
 * as the location's file and the error's file. Returns `[]` for a file with no documents.
 * Documents that are not Kubernetes objects go to `onNotAnObject` when given.
 * @throws ManifestError on malformed input
 */
export function parseManifests(text: string, file: string, onNotAnObject?: (d: NotAnObject) => void): LoadedObject[] {
  return parseText(text, file, file, false, onNotAnObject);
}

/**
 * {@link parseManifests} of a file this process wrote, given what its documents read as (see
 * `writeYaml`): the same objects at the same lines, without parsing the documents whose value is
 * known.
 */
export function readWrittenManifests(text: string, file: string, values: readonly unknown[]): LoadedObject[] {
  return parseText(text, file, file, false, undefined, values);
}

/**
 * @internal `errorFile` is the name errors carry, `file` the one locations carry; documents that
 * are not objects go to `onNotAnObject` when given, else throw; `known` the values of documents
 * this process wrote (see {@link parseYamlDocuments}).
 */
export function parseText(
  text: string,
  file: string,
  errorFile: string,
  json = false,
  onNotAnObject?: (d: NotAnObject) => void,
  known?: readonly unknown[],
): LoadedObject[] {
  return objectsOf(parseYamlDocuments(text, errorFile, json, known), file, errorFile, onNotAnObject);
}

/**
 * @internal The objects of one file's parsed documents, in order: a `List` is replaced by its
 * items, a document that is not an object goes to `onNotAnObject` or throws (see
 * {@link parseText} for the names).
 */
export function objectsOf(
  docs: readonly YamlDocument[],
  file: string,
  errorFile: string,
  onNotAnObject?: (d: NotAnObject) => void,
): LoadedObject[] {
  const out: LoadedObject[] = [];
  const rejector: Rejector = { file, errorFile, ...(onNotAnObject ? { onNotAnObject } : {}) };
  for (const doc of docs) {
    const value = doc.value;
    if (!accept(value, doc.line, 'document', rejector)) continue;
    const shared: { lines?: string[] } = {};
    if (isListKind(value)) {
      flattenList(value, [], { text: doc.text, baseLine: doc.baseLine, shared }, rejector, doc.line, out);
    } else {
      push(out, value, { file, line: doc.line }, { text: doc.text, baseLine: doc.baseLine, basePath: [], shared });
    }
  }
  return out;
}

function push(
  out: LoadedObject[],
  object: KubeObject,
  location: { file: string; line: number },
  info: DocInfo,
): void {
  const loaded: LoadedObject = { object, location, key: objectKey(object) };
  docInfo.set(loaded, info);
  out.push(loaded);
}

function flattenList(
  list: KubeObject & { items: unknown[] },
  basePath: (string | number)[],
  doc: { text: string; baseLine: number; shared: { lines?: string[] } },
  rejector: Rejector,
  listLine: number,
  out: LoadedObject[],
): void {
  const items = list.items;
  // Typed lists (PodList, DeploymentList) as the API server returns them omit the items' kind.
  const itemKind = list.kind === 'List' ? undefined : list.kind.slice(0, -'List'.length);
  const lines = (doc.shared.lines ??= doc.text.split('\n'));
  const itemLines = sequenceItemLines(lines, [...basePath, 'items']);
  for (let i = 0; i < items.length; i++) {
    const path = [...basePath, 'items', i];
    let item = items[i];
    const idx = itemLines?.[i];
    const line = idx === undefined ? listLine : doc.baseLine + idx;
    if (isRecord(item) && itemKind) {
      if (item.kind === undefined || item.apiVersion === undefined) {
        item = { apiVersion: list.apiVersion, kind: itemKind, ...item };
        items[i] = item;
      }
    }
    if (!accept(item, line, `item ${i} of ${list.kind}`, rejector)) continue;
    if (isListKind(item)) {
      flattenList(item, path, doc, rejector, line, out);
    } else {
      push(out, item, { file: rejector.file, line }, { text: doc.text, baseLine: doc.baseLine, basePath: path, shared: doc.shared });
    }
  }
}
