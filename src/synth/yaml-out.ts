/**
 * How rendered objects are written as YAML: exactly what js-yaml's `dump` writes with
 * {@link DUMP_OPTIONS}, byte for byte, only faster in a short-lived process.
 *
 * Most of `dump`'s time goes into choosing each scalar's style, again for every occurrence of the
 * same key or value (`name`, `app.kubernetes.io/name`, ...), in code too cold to be optimised
 * during one synth. Here plain words and integers, which js-yaml always writes as they are, are
 * written directly, and so are most single-line strings, whose style follows from their first
 * character and a few pairs of characters (`styledLine`: js-yaml's rules, without walking each
 * string character by character); js-yaml chooses the style of every other distinct scalar, once, all
 * of a file's new scalars in one call (the choice for a single-line scalar does not depend on
 * where it stands), and of each multi-line string once (its literal block is indented for where
 * it stands); and the block layout of mappings and sequences, which is fixed for these options,
 * is written directly. A document holding anything else (a multi-line key, a very long key, or a
 * value that is not plain JSON data) is written by `dump` itself. A test
 * compares both writers on every rendered object and on generated data.
 *
 * A document written directly holds plain data only (strings, numbers, booleans, null, lists and
 * mappings with the usual prototype), each scalar as js-yaml writes it, so reading its text back
 * gives exactly the value written: {@link writeYaml} says so, and the synth gate validates such
 * values without parsing them again.
 */
import * as yaml from 'js-yaml';

/** Rendered output: relative path (posix) -> file content. Sorted by path when written. */
export type RenderedFiles = Map<string, string>;

/** js-yaml settings that make output stable and readable: no anchors, no folding, quoted where needed. */
export const DUMP_OPTIONS: yaml.DumpOptions = { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' };

/** Raised inside the fast writer when a document needs js-yaml's full treatment. */
class NeedsDump extends Error {}

/** js-yaml's rendering of each scalar seen so far (strings without line breaks, numbers). */
const scalars = new Map<unknown, string>();

/** The longest key js-yaml writes as an implicit key (longer ones become `? key`). */
const MAX_IMPLICIT_KEY = 1024;

/**
 * Words js-yaml always writes plain: a letter, then letters, digits, `_`, `.`, `/` or `-`, unless
 * the word reads as null or a boolean (YAML 1.1's included). Nothing else can make such a word
 * ambiguous: numbers, timestamps and `.inf`-style floats start with a digit, a sign or a dot.
 */
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const QUOTED_WORDS = new Set(
  ['null', 'true', 'false', 'y', 'yes', 'n', 'no', 'on', 'off'].flatMap((w) => [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase()]),
);

/** One line of characters js-yaml writes as they are (printable, no tab, no line separator, no BOM). */
const PRINTABLE_LINE = /^[\x20-\x7e\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+$/;
/** Characters a plain scalar cannot start with: YAML's indicators and the space. */
const INDICATOR_FIRST = /^[-?:,[\]{}#&*!|=>'"%@` ]/;
/** First characters of a number, a timestamp, `~` (null), `<<` (merge) or a sexagesimal number. */
const OTHER_TYPE_FIRST = /^[0-9+.~<_]/;
/** What keeps such a line from being plain: `: ` or ` #` (a key or a comment), a space or colon at the end. */
const NOT_PLAIN = /: | #|[ :]$/;

/**
 * How js-yaml writes a single-line string of printable characters, decided here where its rules
 * allow without walking the string character by character; undefined where js-yaml must decide
 * (a line that starts like a number, a timestamp, `~` or `<<`, or holds other characters). In
 * block style such a line is plain unless it starts with an indicator or a space, holds `: ` or
 * ` #`, ends in a space or a colon, or reads as null or a boolean (only the words of
 * {@link QUOTED_WORDS} do, given the first character); otherwise it is double-quoted, where only
 * `"` and `\` need escaping.
 */
function styledLine(value: string): string | undefined {
  if (value === '') return '""';
  if (!PRINTABLE_LINE.test(value)) return undefined;
  if (!INDICATOR_FIRST.test(value)) {
    if (OTHER_TYPE_FIRST.test(value)) return undefined;
    if (!NOT_PLAIN.test(value) && !QUOTED_WORDS.has(value)) return value;
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function scalar(value: string | number): string {
  if (typeof value === 'string' ? PLAIN_WORD.test(value) && !QUOTED_WORDS.has(value) : Number.isSafeInteger(value) && !Object.is(value, -0)) {
    return String(value);
  }
  // The cache cannot tell 0 from -0 (js-yaml writes `-0.0`).
  if (Object.is(value, -0)) return yaml.dump(value, DUMP_OPTIONS).slice(0, -1);
  let text = scalars.get(value);
  if (text === undefined) {
    if (typeof value === 'string' && value.includes('\n')) throw new NeedsDump();
    text = (typeof value === 'string' ? styledLine(value) : undefined) ?? yaml.dump(value, DUMP_OPTIONS).slice(0, -1);
    scalars.set(value, text);
  }
  return text;
}

/**
 * Has js-yaml write every scalar of `values` not seen before in one call, as the items of one
 * sequence (`- <scalar>` per line), and remembers each.
 */
function learnScalars(values: readonly unknown[]): void {
  const pending = new Set<string | number>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (scalars.has(v) || (PLAIN_WORD.test(v) && !QUOTED_WORDS.has(v)) || v.includes('\n')) return;
      const text = styledLine(v);
      if (text === undefined) pending.add(v);
      else scalars.set(v, text);
    } else if (typeof v === 'number') {
      if (!scalars.has(v) && !Object.is(v, -0) && !Number.isSafeInteger(v)) pending.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        visit(k);
        visit(x);
      }
    }
  };
  for (const v of values) visit(v);
  if (pending.size === 0) return;
  const items = [...pending];
  const lines = yaml.dump(items, DUMP_OPTIONS).split('\n');
  if (lines.length !== items.length + 1) return; // not one line each: leave them to `scalar`
  items.forEach((item, i) => {
    if (lines[i].startsWith('- ')) scalars.set(item, lines[i].slice(2));
  });
}

/** js-yaml's rendering of each multi-line string seen so far, as a document of its own. */
const multiLines = new Map<string, string>();

/**
 * A string with line breaks as js-yaml writes it at `level`: its style does not depend on the
 * level (no line is ever folded), so js-yaml chooses it once per string; a literal block's lines
 * are then indented as js-yaml's `writeScalar` indents them (two spaces a level, at least one
 * level; empty lines stay empty).
 */
function multiLine(value: string, level: number): string {
  let alone = multiLines.get(value);
  if (alone === undefined) {
    alone = yaml.dump(value, DUMP_OPTIONS).slice(0, -1);
    multiLines.set(value, alone);
  }
  if (alone.startsWith('"')) return alone; // escaped on one line
  if (!alone.startsWith('|')) throw new NeedsDump();
  const indent = ' '.repeat(2 * Math.max(1, level));
  let body = '';
  for (let at = 0; at < value.length; ) {
    const next = value.indexOf('\n', at) + 1 || value.length;
    const line = value.slice(at, next);
    body += line === '\n' ? line : indent + line;
    at = next;
  }
  return `${alone.slice(0, alone.indexOf('\n') + 1)}${body.endsWith('\n') ? body.slice(0, -1) : body}`;
}

/** A line break and the indentation of `level`, by level. */
const NEWLINES: string[] = [];
const newline = (level: number) => (NEWLINES[level] ??= `\n${' '.repeat(2 * level)}`);

/**
 * Set by {@link node}: whether what it just wrote is a non-empty mapping or sequence (which, not
 * compact, starts on a new line). Kept here because reading the first character of the text
 * would copy the whole nested text of every level into one string.
 */
let wroteBlock = false;

/** A node as js-yaml's `writeNode` leaves it in `state.dump` (block style, 2-space indent). */
function node(value: unknown, level: number, compact: boolean): string {
  switch (typeof value) {
    case 'string':
      wroteBlock = false;
      return !scalars.has(value) && value.includes('\n') ? multiLine(value, level) : scalar(value);
    case 'number':
      wroteBlock = false;
      return scalar(value);
    case 'boolean':
      wroteBlock = false;
      return value ? 'true' : 'false';
    case 'object': {
      wroteBlock = false;
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        const text = sequence(value, level, compact);
        wroteBlock = true;
        return text;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new NeedsDump();
      // Read back, a mapping without prototype has the usual one.
      if (proto === null) plainData = false;
      const keys = Object.keys(value);
      if (keys.length === 0) return '{}';
      const text = mapping(value as Record<string, unknown>, keys, level, compact);
      wroteBlock = true;
      return text;
    }
    default:
      throw new NeedsDump();
  }
}

function sequence(items: readonly unknown[], level: number, compact: boolean): string {
  let out = '';
  for (const item of items) {
    // Compact: an item never starts with a line break.
    const text = node(item, level + 1, true);
    if (!compact || out !== '') out += newline(level);
    out += `- ${text}`;
  }
  return out;
}

function mapping(object: Record<string, unknown>, keys: readonly string[], level: number, compact: boolean): string {
  let out = '';
  for (const key of keys) {
    const keyText = scalar(key);
    if (keyText.length > MAX_IMPLICIT_KEY) throw new NeedsDump();
    const text = node(object[key], level + 1, false);
    out += `${!compact || out !== '' ? newline(level) : ''}${keyText}${wroteBlock ? ':' : ': '}${text}`;
  }
  return out;
}

/** Cleared while a document is written directly when it holds a mapping without prototype. */
let plainData = true;

/** One document as `yaml.dump(value, DUMP_OPTIONS)` writes it, and whether it reads back as `value`. */
function writeDocument(value: unknown): { text: string; exact: boolean } {
  plainData = true;
  try {
    return { text: `${node(value, 0, true)}\n`, exact: plainData };
  } catch (e) {
    if (!(e instanceof NeedsDump)) throw e;
    return { text: yaml.dump(value, DUMP_OPTIONS), exact: false };
  }
}

/** One document, exactly as `yaml.dump(value, DUMP_OPTIONS)` writes it. */
export function dumpDocument(value: unknown): string {
  return writeDocument(value).text;
}

/** A multi-document YAML file as written, with what its documents read back as. */
export interface WrittenYaml {
  readonly text: string;
  /**
   * Per document, in order: the value written, where reading the text back gives exactly that
   * value (plain data written directly); undefined where it may not (js-yaml wrote the document).
   */
  readonly values: readonly unknown[];
}

/** Serialises manifests as a multi-document YAML file, saying which documents read back exactly. */
export function writeYaml(objects: readonly unknown[]): WrittenYaml {
  learnScalars(objects);
  let text = '';
  const values: unknown[] = [];
  for (const o of objects) {
    const doc = writeDocument(o);
    text += `---\n${doc.text}`;
    values.push(doc.exact ? o : undefined);
  }
  return { text, values };
}

/** Serialises manifests as a multi-document YAML file. */
export function toYaml(objects: readonly unknown[]): string {
  return writeYaml(objects).text;
}
