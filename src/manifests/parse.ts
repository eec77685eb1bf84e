import * as yaml from 'js-yaml';
import { locateField, sequenceItemLines } from './lines';
import { LoadedObject, ManifestError } from './types';

/**
 * YAML 1.2 core schema plus merge keys (`<<`). Unlike js-yaml's default schema it keeps
 * timestamps such as `2024-01-01` as strings, as the Kubernetes API does.
 */
const SCHEMA = yaml.CORE_SCHEMA.extend({
  // `types` exists at run time but is missing from @types/js-yaml.
  implicit: [(yaml as unknown as { types: { merge: yaml.Type } }).types.merge],
});

/** Kinds that are never namespaced: their key is always `Kind//name`. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
  'PriorityClass',
  'RuntimeClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'VolumeSnapshotClass',
  'GatewayClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
]);

/** Whether objects of `kind` are cluster-scoped (a fixed list of well-known kinds). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

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

const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

interface Chunk {
  start: number;
  end: number;
  line: number;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  let i = text.indexOf('\n', from);
  while (i !== -1 && i < to) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  return n;
}

/** Whether text[from, to) has anything but blank lines, comments and directives. */
function hasContent(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    let e = text.indexOf('\n', i);
    if (e === -1 || e > to) e = to;
    const line = text.slice(i, e);
    const t = line.trimStart();
    if (t !== '' && !t.startsWith('#') && !line.startsWith('%')) return true;
    i = e + 1;
  }
  return false;
}

/** Splits a YAML stream into its documents at `---` and `...` lines (cheap, no parsing). */
function splitDocuments(text: string): Chunk[] {
  const bounds: { start: number; end: number }[] = [];
  let curStart = 0;
  let curHasMarker = false;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m !== null; m = MARKER.exec(text)) {
    const p = m.index;
    if (m[0] === '---') {
      if (curHasMarker || hasContent(text, curStart, p)) {
        bounds.push({ start: curStart, end: p });
        curStart = p;
      }
      curHasMarker = true;
    } else {
      let e = text.indexOf('\n', p);
      e = e === -1 ? text.length : e + 1;
      bounds.push({ start: curStart, end: e });
      curStart = e;
      curHasMarker = false;
      MARKER.lastIndex = e;
    }
  }
  bounds.push({ start: curStart, end: text.length });
  const chunks: Chunk[] = [];
  let line = 1;
  let at = 0;
  for (const b of bounds) {
    line += countNewlines(text, at, b.start);
    at = b.start;
    if (b.end > b.start) chunks.push({ start: b.start, end: b.end, line });
  }
  return chunks;
}

/** 1-based line, within the chunk, where the document's content starts. */
function contentStartLine(text: string): number {
  let i = 0;
  let line = 1;
  while (i < text.length) {
    let e = text.indexOf('\n', i);
    if (e === -1) e = text.length;
    const s = text.slice(i, e);
    const t = s.trim();
    const bareMarker = /^---(?:\s|$)/.test(s) && (t === '---' || t.slice(3).trimStart().startsWith('#'));
    if (t !== '' && !t.startsWith('#') && !s.startsWith('%') && !bareMarker) return line;
    i = e + 1;
    line++;
  }
  return 1;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a sequence';
  return `a ${typeof v}`;
}

function isMapping(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkObject(v: unknown, file: string, line: number, what: string): asserts v is Record<string, any> {
  if (!isMapping(v)) {
    throw new ManifestError(`${what} is ${describeType(v)}, not a mapping (a Kubernetes object)`, file, line);
  }
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') {
    throw new ManifestError(`${what} has no apiVersion`, file, line);
  }
  if (typeof v.kind !== 'string' || v.kind === '') {
    throw new ManifestError(`${what} has no kind`, file, line);
  }
  if (v.metadata !== undefined && v.metadata !== null && !isMapping(v.metadata)) {
    throw new ManifestError(`${what} has metadata that is not a mapping`, file, line);
  }
}

function isListKind(v: Record<string, any>): boolean {
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

/**
 * Parses one file's text into objects (see {@link loadManifests} for the rules). `file` is used
 * as the location's file and the error's file. Returns `[]` for a file with no documents.
 * @throws ManifestError on malformed input
 */
export function parseManifests(text: string, file: string): LoadedObject[] {
  return parseText(text, file, file);
}

/** @internal `errorFile` is the name errors carry, `file` the one locations carry. */
export function parseText(text: string, file: string, errorFile: string, json = false): LoadedObject[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const chunks = json ? [{ start: 0, end: text.length, line: 1 }] : splitDocuments(text);
  const out: LoadedObject[] = [];
  for (const c of chunks) {
    const docText = text.slice(c.start, c.end);
    let value: unknown;
    try {
      value = yaml.load(docText, { schema: SCHEMA, filename: errorFile });
    } catch (e) {
      if (e instanceof yaml.YAMLException) {
        const line = c.line + (e.mark?.line ?? 0);
        throw new ManifestError(`invalid YAML: ${e.reason ?? e.message}`, errorFile, line);
      }
      throw new ManifestError(`invalid YAML: ${(e as Error).message}`, errorFile, c.line);
    }
    if (value === null || value === undefined) continue;
    const docLine = c.line + contentStartLine(docText) - 1;
    checkObject(value, errorFile, docLine, 'document');
    const shared: { lines?: string[] } = {};
    if (isListKind(value)) {
      flattenList(value, [], { text: docText, baseLine: c.line, shared }, file, errorFile, docLine, out);
    } else {
      push(out, value, { file, line: docLine }, { text: docText, baseLine: c.line, basePath: [], shared });
    }
  }
  return out;
}

function push(
  out: LoadedObject[],
  object: Record<string, any>,
  location: { file: string; line: number },
  info: DocInfo,
): void {
  const loaded: LoadedObject = { object: object as LoadedObject['object'], location, key: objectKey(object) };
  docInfo.set(loaded, info);
  out.push(loaded);
}

function flattenList(
  list: Record<string, any>,
  basePath: (string | number)[],
  doc: { text: string; baseLine: number; shared: { lines?: string[] } },
  file: string,
  errorFile: string,
  listLine: number,
  out: LoadedObject[],
): void {
  const items = list.items as unknown[];
  // Typed lists (PodList, DeploymentList) as the API server returns them omit the items' kind.
  const itemKind = list.kind === 'List' ? undefined : (list.kind as string).slice(0, -'List'.length);
  const lines = (doc.shared.lines ??= doc.text.split('\n'));
  const itemLines = sequenceItemLines(lines, [...basePath, 'items']);
  for (let i = 0; i < items.length; i++) {
    const path = [...basePath, 'items', i];
    let item = items[i];
    const idx = itemLines?.[i];
    const line = idx === undefined ? listLine : doc.baseLine + idx;
    if (isMapping(item) && itemKind) {
      if (item.kind === undefined || item.apiVersion === undefined) {
        item = { apiVersion: list.apiVersion, kind: itemKind, ...item };
        items[i] = item;
      }
    }
    checkObject(item, errorFile, line, `item ${i} of ${list.kind}`);
    if (isListKind(item)) {
      flattenList(item, path, doc, file, errorFile, line, out);
    } else {
      push(out, item, { file, line }, { text: doc.text, baseLine: doc.baseLine, basePath: path, shared: doc.shared });
    }
  }
}
