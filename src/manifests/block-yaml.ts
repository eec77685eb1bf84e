/**
 * A fast reader for the block-style YAML that manifests are almost always written in: mappings
 * and sequences laid out by indentation (sequences also at their key's indentation), plain and
 * quoted single-line scalars, literal block scalars (`|`, `|-`), flow collections of scalars on
 * one line (`{ cpu: "1", memory: 512Mi }`, `[a, b]`), comments. It reads such a document several
 * times faster than js-yaml, whose general parser walks the text one character at a time.
 *
 * It gives exactly the value js-yaml gives with the schema it is handed, or nothing: whatever is
 * outside that subset, or could mean something else (anchors, aliases, tags, nested or
 * multi-line flow collections, folded or kept block scalars, multi-line plain or quoted scalars,
 * tabs, carriage returns, complex or non-string keys, duplicate keys, anything irregular in the
 * indentation) makes {@link readBlockYaml} return undefined, and the caller reads the document
 * with js-yaml, which also reports its errors. The type of a scalar that does not start with a
 * letter (a number, `~`, `.inf`, ...) or reads as null or a boolean is js-yaml's own choice, asked
 * once per distinct scalar (small decimal integers excepted). Tests compare both readers on every
 * manifest and environment file of the project and on generated documents, valid and broken.
 */
import * as yaml from 'js-yaml';
import {
  columnOf,
  endOf,
  firstClass,
  FLOW_INDICATOR,
  FLOW_STOP,
  hasContent,
  indentOf,
  INDICATOR,
  isPlainKey,
  isSpecialWord,
  layOut,
  MAX_KEY,
  NOT_READ_HERE,
  PLAIN,
  PLAIN_ASCII,
  SMALL_INTEGER,
  startOf,
} from './block-yaml-text';

/** Thrown inside the reader when the document must be read by js-yaml. */
class Unsupported extends Error {}

/** The type js-yaml gives a plain scalar, or the string itself; asked of js-yaml once per scalar. */
type Resolve = (plain: string) => unknown;

/**
 * The reader's state: the document's text, the number of its lines (laid out by `layOut` in
 * `block-yaml-text.ts`), and the next line to read. `owner` below is the indentation of the collection an entry belongs to (a sequence's
 * dash, a mapping's keys).
 */
class BlockReader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lines: number,
    private readonly resolve: Resolve,
  ) {}

  /** The whole document's value. */
  document(): unknown {
    let first = this.nextContent(0);
    if (first < 0) throw new Unsupported();
    if (indentOf(first) === 0 && this.text.startsWith('---', startOf(first))) {
      if (this.text.slice(startOf(first), endOf(first)).trimEnd() !== '---') throw new Unsupported();
      first = this.nextContent(first + 1);
      if (first < 0) throw new Unsupported();
    }
    const value = this.node(first, -1);
    if (this.nextContent(this.pos) >= 0) throw new Unsupported();
    return value;
  }

  /** Index of the first content line at or after `from`, or -1. */
  private nextContent(from: number): number {
    for (let i = from; i < this.lines; i++) if (hasContent(i)) return i;
    return -1;
  }

  /** Whether the content at `at` (on a line ending at `end`) is a sequence entry's dash. */
  private isDash(at: number, end: number): boolean {
    const t = this.text;
    return t.charCodeAt(at) === 45 /* - */ && (at + 1 === end || t.charCodeAt(at + 1) === 32);
  }

  /** A block collection starting on content line `line`, more indented than `owner`. */
  private node(line: number, owner: number): unknown {
    const at = columnOf(line);
    if (indentOf(line) <= owner) throw new Unsupported();
    if (this.isDash(at, endOf(line))) return this.sequence(line);
    if (this.keyEnd(at, endOf(line)) < 0) throw new Unsupported();
    return this.mapping(line, indentOf(line));
  }

  /** A block sequence whose dashes stand at the indentation of `line`. */
  private sequence(line: number): unknown[] {
    const out: unknown[] = [];
    const indent = indentOf(line);
    for (let i = line; i >= 0; ) {
      const end = endOf(i);
      let at = columnOf(i) + 1;
      while (at < end && this.text.charCodeAt(at) === 32) at++;
      if (at === end || this.isComment(at)) out.push(this.emptyEntry(i, indent));
      else if (this.isDash(at, end)) throw new Unsupported();
      else if (this.text.charCodeAt(at) !== 123 /* { */ && this.text.charCodeAt(at) !== 91 /* [ */ && this.keyEnd(at, end) >= 0) out.push(this.mapping(i, at - startOf(i)));
      else out.push(this.inline(i, at, indent));
      i = this.nextContent(this.pos);
      if (i < 0 || indentOf(i) < indent) break;
      if (indentOf(i) > indent) throw new Unsupported();
      if (!this.isDash(columnOf(i), endOf(i))) break; // the owning mapping's next key
    }
    return out;
  }

  /**
   * The value of a dash with nothing after it on `line`. js-yaml reads an entry on a later line
   * that is less indented than the dash as the next entry of the dash's sequence; such documents
   * are left to it.
   */
  private emptyEntry(line: number, indent: number): unknown {
    const value = this.nested(line, indent, false);
    if (value === null) {
      const next = this.nextContent(this.pos);
      if (next >= 0 && (indentOf(next) !== indent || !this.isDash(columnOf(next), endOf(next)))) throw new Unsupported();
    }
    return value;
  }

  /**
   * A block mapping whose keys stand at column `indent`; its first key is on `line` at that
   * column (after a sequence's dash when the mapping is the entry's value).
   */
  private mapping(line: number, indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = line; i >= 0; ) {
      const at = startOf(i) + indent;
      const end = endOf(i);
      const colon = this.keyEnd(at, end);
      if (colon < 0) throw new Unsupported();
      const key = this.key(at, colon);
      // Also true for Object.prototype's names: those keys are left to js-yaml.
      if (out[key] !== undefined) throw new Unsupported();
      let v = colon + 1;
      while (v < end && this.text.charCodeAt(v) === 32) v++;
      out[key] = v === end || this.isComment(v) ? this.nested(i, indent, true) : this.inline(i, v, indent);
      i = this.nextContent(this.pos);
      if (i < 0 || indentOf(i) < indent) break;
      if (indentOf(i) > indent || this.isDash(columnOf(i), endOf(i))) throw new Unsupported();
    }
    return out;
  }

  /** Whether a comment starts at `at`, after a space. */
  private isComment(at: number): boolean {
    return this.text.charCodeAt(at) === 35 /* # */ && this.text.charCodeAt(at - 1) === 32;
  }

  /**
   * The value of an entry with nothing after its `:` or dash on `line`: the collection on the
   * next lines (a mapping's sequence may stand at the mapping's indentation), or null.
   */
  private nested(line: number, owner: number, inMapping: boolean): unknown {
    this.pos = line + 1;
    const next = this.nextContent(line + 1);
    if (next < 0) return null;
    if (indentOf(next) > owner) return this.node(next, owner);
    if (inMapping && indentOf(next) === owner && this.isDash(columnOf(next), endOf(next))) return this.sequence(next);
    return null;
  }

  /**
   * Where the `:` ending a key that starts at `at` stands, or -1 when the line holds no key.
   * @throws Unsupported for keys this reader leaves to js-yaml
   */
  private keyEnd(at: number, end: number): number {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = c === 34 ? this.doubleQuoteEnd(at, end) : this.singleQuoteEnd(at, end);
      return t.charCodeAt(close) === 58 /* : */ && (close + 1 === end || t.charCodeAt(close + 1) === 32) ? close : -1;
    }
    for (let i = t.indexOf(':', at); i >= 0 && i < end; i = t.indexOf(':', i + 1)) {
      if (i + 1 === end || t.charCodeAt(i + 1) === 32) return i;
    }
    return -1;
  }

  /** The key that starts at `at` and ends before the `:` at `colon`, as js-yaml names the property. */
  private key(at: number, colon: number): string {
    const t = this.text;
    const c = t.charCodeAt(at);
    let key: string;
    if (c === 34 /* " */) key = this.doubleQuoted(at, colon);
    else if (c === 39 /* ' */) key = this.singleQuoted(at, colon);
    else {
      key = t.charCodeAt(colon - 1) === 32 ? t.slice(at, colon).trimEnd() : t.slice(at, colon);
      if (!isPlainKey(key)) throw new Unsupported();
      return key;
    }
    if (key.length > MAX_KEY || key === '__proto__') throw new Unsupported();
    return key;
  }

  /** A value written on the line of its key or dash, starting at `at`. */
  private inline(line: number, at: number, owner: number): unknown {
    const t = this.text;
    const end = endOf(line);
    this.pos = line + 1;
    const c = t.charCodeAt(at);
    let value: unknown;
    if (c === 34 /* " */) value = this.doubleQuoted(at, this.afterQuoted(this.doubleQuoteEnd(at, end), end));
    else if (c === 39 /* ' */) value = this.singleQuoted(at, this.afterQuoted(this.singleQuoteEnd(at, end), end));
    else if (c === 124 /* | */) return this.literal(line, at, owner);
    else if (c === 123 /* { */ || c === 91 /* [ */) value = this.flow(at, end);
    else value = this.plain(at, end);
    // What follows on more indented lines would continue the scalar (or be an error).
    const next = this.nextContent(this.pos);
    if (next >= 0 && indentOf(next) > owner) throw new Unsupported();
    return value;
  }

  /**
   * A flow collection on one line, alone or before a comment: `{}`, `[]`, or scalars
   * (`{ cpu: "1", memory: 512Mi }`, `[a, "b"]`). Nested collections are left to js-yaml.
   */
  private flow(at: number, end: number): unknown {
    const t = this.text;
    const isMap = t.charCodeAt(at) === 123; /* { */
    const closer = isMap ? 125 : 93; /* } ] */
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    let i = this.spaces(at + 1, end);
    if (t.charCodeAt(i) === closer) {
      this.afterQuoted(i + 1, end);
      return isMap ? map : list;
    }
    for (;;) {
      let key = '';
      if (isMap) [key, i] = this.flowKey(i, end);
      const [value, next] = this.flowScalar(i, end);
      if (!isMap) list.push(value);
      else if (map[key] !== undefined) throw new Unsupported();
      else map[key] = value;
      const c = t.charCodeAt(next);
      if (c === closer) {
        this.afterQuoted(next + 1, end);
        return isMap ? map : list;
      }
      if (c !== 44 /* , */) throw new Unsupported();
      i = this.spaces(next + 1, end);
    }
  }

  /** The first index at or after `i` that is not a space. */
  private spaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === 32) i++;
    return i;
  }

  /** A flow mapping's key at `i` and where its value starts (after `: `). */
  private flowKey(i: number, end: number): [string, number] {
    const t = this.text;
    const c = t.charCodeAt(i);
    let key: string;
    let colon: number;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      colon = c === 34 ? this.doubleQuoteEnd(i, end) : this.singleQuoteEnd(i, end);
      key = c === 34 ? this.doubleQuoted(i, colon) : this.singleQuoted(i, colon);
      if (key === '__proto__' || key.length > MAX_KEY) throw new Unsupported();
    } else {
      colon = t.indexOf(': ', i);
      if (colon < 0 || colon >= end || FLOW_INDICATOR.test(t.slice(i, colon))) throw new Unsupported();
      key = t.slice(i, colon).trimEnd();
      if (!isPlainKey(key)) throw new Unsupported();
    }
    if (t.charCodeAt(colon) !== 58 /* : */ || t.charCodeAt(colon + 1) !== 32) throw new Unsupported();
    return [key, this.spaces(colon + 2, end)];
  }

  /** A scalar inside a flow collection at `i`, and the index of the `,` or bracket after it. */
  private flowScalar(i: number, end: number): [unknown, number] {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = c === 34 ? this.doubleQuoteEnd(i, end) : this.singleQuoteEnd(i, end);
      return [c === 34 ? this.doubleQuoted(i, close) : this.singleQuoted(i, close), this.spaces(close, end)];
    }
    let j = i;
    while (j < end && !FLOW_STOP[t.charCodeAt(j)]) j++;
    const stop = t.charCodeAt(j);
    if (j === end || stop === 91 /* [ */ || stop === 123 /* { */) throw new Unsupported();
    const s = t.slice(i, j).trimEnd();
    if (s.includes(' #')) throw new Unsupported();
    return [this.scalar(s), j];
  }

  /** The plain scalar in text[at, end), up to a comment (see {@link scalar}). */
  private plain(at: number, end: number): unknown {
    let s = this.text.slice(at, end);
    const hash = s.indexOf(' #');
    if (hash >= 0) s = s.slice(0, hash);
    return this.scalar(s.charCodeAt(s.length - 1) === 32 ? s.trimEnd() : s);
  }

  /**
   * A plain scalar's value: a string, a small integer, or js-yaml's reading of anything else that
   * may be another type.
   */
  private scalar(s: string): unknown {
    const kind = firstClass(s);
    if (kind === INDICATOR || s.includes(': ') || s.charCodeAt(s.length - 1) === 58 /* : */) throw new Unsupported();
    if (kind === PLAIN) return isSpecialWord(s) ? this.resolve(s) : s;
    if (SMALL_INTEGER.test(s)) return Number(s);
    if (s === '-' || s.startsWith('---') || s.startsWith('...')) throw new Unsupported();
    return this.resolve(s);
  }

  /** Index just after the closing quote of the double-quoted scalar opened at `at`. */
  private doubleQuoteEnd(at: number, end: number): number {
    const t = this.text;
    for (let i = at + 1; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c === 92 /* \ */) i++;
      else if (c === 34) return i + 1;
    }
    throw new Unsupported(); // continues on the next line
  }

  /** Index just after the closing quote of the single-quoted scalar opened at `at`. */
  private singleQuoteEnd(at: number, end: number): number {
    const t = this.text;
    for (let i = t.indexOf("'", at + 1); i >= 0 && i < end; i = t.indexOf("'", i + 2)) {
      if (t.charCodeAt(i + 1) !== 39) return i + 1;
    }
    throw new Unsupported();
  }

  /** `close` when nothing but spaces, and perhaps a comment after them, follows up to the line's end. */
  private afterQuoted(close: number, end: number): number {
    for (let i = close; i < end; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 35 /* # */ && i > close) break;
      if (c !== 32) throw new Unsupported();
    }
    return close;
  }

  /** The double-quoted scalar in text[at, close): its characters, or js-yaml's reading of its escapes. */
  private doubleQuoted(at: number, close: number): string {
    const body = this.text.slice(at + 1, close - 1);
    if (!body.includes('\\')) return body;
    const v = this.resolve(`"${body}"`);
    if (typeof v !== 'string') throw new Unsupported();
    return v;
  }

  private singleQuoted(at: number, close: number): string {
    const body = this.text.slice(at + 1, close - 1);
    return body.includes("'") ? body.replaceAll("''", "'") : body;
  }

  /**
   * A literal block scalar (`|` or `|-`) whose header is at `at`: the lines after it indented
   * more than `owner`, less the first one's indentation; clipped to one final line break (`|`) or
   * stripped of it (`|-`).
   */
  private literal(line: number, at: number, owner: number): string {
    const text = this.text;
    const strip = text.charCodeAt(at + 1) === 45; /* - */
    this.afterQuoted(at + (strip ? 2 : 1), endOf(line));
    let width = -1;
    let widestBlank = 0;
    const body: string[] = [];
    let i = line + 1;
    for (; i < this.lines; i++) {
      const indent = indentOf(i);
      if (columnOf(i) === endOf(i)) {
        if (width < 0) widestBlank = Math.max(widestBlank, indent);
        else if (indent > width) throw new Unsupported(); // spaces that belong to the text
        body.push('');
        continue;
      }
      if (width < 0) {
        if (indent <= owner) break;
        if (widestBlank > indent) throw new Unsupported();
        width = indent;
      } else if (indent < width) {
        if (indent > owner && hasContent(i)) throw new Unsupported();
        break;
      }
      body.push(text.slice(startOf(i) + width, endOf(i)));
    }
    this.pos = i;
    let last = body.length;
    while (last > 0 && body[last - 1] === '') last--;
    if (last === 0) throw new Unsupported();
    const lines = body.slice(0, last).join('\n');
    return strip ? lines : `${lines}\n`;
  }
}

/**
 * Reads one YAML document with the block reader, giving what `yaml.load(text, { schema })`
 * gives, or undefined when js-yaml must read it. `schema` must be the one the caller would hand
 * js-yaml; `cache` remembers its readings of scalars between calls.
 */
export function readBlockYaml(text: string, schema: yaml.Schema, cache: Map<string, unknown> = new Map()): unknown {
  if (!PLAIN_ASCII.test(text) && NOT_READ_HERE.test(text)) return undefined;
  const resolve: Resolve = (s) => {
    if (cache.has(s)) return cache.get(s);
    const v = yaml.load(s, { schema });
    if (v !== null && typeof v === 'object') throw new Unsupported();
    cache.set(s, v);
    return v;
  };
  try {
    return new BlockReader(text, layOut(text), resolve).document();
  } catch (e) {
    if (e instanceof Unsupported || e instanceof yaml.YAMLException) return undefined;
    throw e;
  }
}
