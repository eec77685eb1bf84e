/**
 * The one YAML reader of the project: splits a stream into documents (cheaply, without parsing),
 * parses each with the schema Kubernetes tooling reads, and keeps where each document starts so
 * objects and errors can name their line.
 */
import * as yaml from 'js-yaml';
import { readBlockYaml } from './block-yaml';
import { ManifestError } from './types';

/**
 * YAML 1.2 core schema plus merge keys (`<<`). Unlike js-yaml's default schema it keeps
 * timestamps such as `2024-01-01` and octal-looking strings such as `0755` as the Kubernetes API
 * reads them.
 */
export const YAML_SCHEMA = yaml.CORE_SCHEMA.extend({
  // `types` exists at run time but is missing from @types/js-yaml.
  implicit: [(yaml as unknown as { types: { merge: yaml.Type } }).types.merge],
});

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

/** One non-empty document of a YAML stream. */
export interface YamlDocument {
  /** The parsed value (never null or undefined: empty documents are skipped). */
  readonly value: unknown;
  /** 1-based line in the file where the document's content starts. */
  readonly line: number;
  /** The document's text (from its `---` marker, when it has one). */
  readonly text: string;
  /** 1-based line in the file of the first line of {@link text}. */
  readonly baseLine: number;
}

/** js-yaml's readings of the scalars whose type it decides (see `readBlockYaml`), shared by every document. */
const scalarTypes = new Map<string, unknown>();

/**
 * Parses one document whose text starts on `line` of `file`: with the block reader where it
 * can, else with js-yaml (which reports what is wrong).
 */
function loadDocument(docText: string, file: string, line: number): unknown {
  const fast = readBlockYaml(docText, YAML_SCHEMA, scalarTypes);
  if (fast !== undefined) return fast;
  try {
    return yaml.load(docText, { schema: YAML_SCHEMA, filename: file });
  } catch (e) {
    if (e instanceof yaml.YAMLException) throw new ManifestError(`invalid YAML: ${e.reason ?? e.message}`, file, line + (e.mark?.line ?? 0));
    throw new ManifestError(`invalid YAML: ${(e as Error).message}`, file, line);
  }
}

/**
 * Parses every document of one file (`json`: the whole text is one document) with
 * {@link YAML_SCHEMA}; empty documents are skipped, a byte order mark is ignored, duplicate keys
 * are errors.
 * @param file the name errors carry
 * @param known what the documents read as, when the text was written by this process and says
 *   so (see `writeYaml`): per document, its value, or undefined where it must be parsed. The
 *   documents are still split and located here; only parsing a known value is skipped. Ignored
 *   when the number of documents differs.
 * @throws ManifestError `invalid YAML: <reason>` with the line of the problem
 */
export function parseYamlDocuments(text: string, file: string, json = false, known?: readonly unknown[]): YamlDocument[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const chunks = json ? [{ start: 0, end: text.length, line: 1 }] : splitDocuments(text);
  const values = known?.length === chunks.length ? known : undefined;
  const out: YamlDocument[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    const docText = text.slice(c.start, c.end);
    const value = values?.[i] ?? loadDocument(docText, file, c.line);
    if (value === null || value === undefined) continue;
    out.push({ value, line: c.line + contentStartLine(docText) - 1, text: docText, baseLine: c.line });
  }
  return out;
}
