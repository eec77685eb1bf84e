/**
 * The characters and lines of the block reader (`block-yaml.ts`): which scalars and keys it reads
 * itself and which it leaves to js-yaml, and the layout of the document being read.
 */

/**
 * What js-yaml rejects anywhere in a stream (its non-printable pattern), plus what this reader
 * leaves to js-yaml too: tabs, carriage returns, byte order marks and the characters other YAML
 * versions read as line breaks (NEL, the Unicode line and paragraph separators).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
export const NOT_READ_HERE = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** Quick test: printable ASCII and line feeds only (then {@link NOT_READ_HERE} cannot match). */
export const PLAIN_ASCII = /^[\n\x20-\x7e]*$/;

/** Plain scalars that read as null or a boolean in the core schema although they start with a letter. */
const SPECIAL_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
/** Characters that make a plain key worth js-yaml's attention. */
const ODD_KEY = /[[\]{},"'#]/;

/** Decimal integers every YAML schema reads as numbers, small enough to be exact. */
export const SMALL_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Flow indicators: where a plain scalar inside a flow collection ends (and brackets it may not hold). */
export const FLOW_INDICATOR = /[,[\]{}]/;
export const FLOW_STOP = new Uint8Array(128);
for (const c of ',[]{}') FLOW_STOP[c.charCodeAt(0)] = 1;

/** The longest implicit key js-yaml accepts. */
export const MAX_KEY = 1024;

/**
 * Line layout of the document being read, four numbers a line: where it starts, where it ends,
 * its indentation, and whether it holds content (not blank, not a comment). One buffer, reused by
 * every document.
 */
let layout = new Int32Array(4 * 1024);

/** Fills {@link layout} for `text`; returns the number of lines. */
export function layOut(text: string): number {
  let n = 0;
  let at = 0;
  while (at <= text.length) {
    let e = text.indexOf('\n', at);
    if (e === -1) e = text.length;
    let i = at;
    while (i < e && text.charCodeAt(i) === 32) i++;
    if (4 * n + 4 > layout.length) {
      const grown = new Int32Array(layout.length * 2);
      grown.set(layout);
      layout = grown;
    }
    const k = 4 * n++;
    layout[k] = at;
    layout[k + 1] = e;
    layout[k + 2] = i - at;
    layout[k + 3] = i < e && text.charCodeAt(i) !== 35 /* # */ ? 1 : 0;
    at = e + 1;
  }
  return n;
}

/** Character classes of the first character of a scalar (ASCII; others are plain). */
export const PLAIN = 0;
/** A number, `~`, `.inf`, `<<`, ...: js-yaml decides the type. */
const TYPED = 1;
/** One of YAML's indicators, which this reader leaves to js-yaml (`-` is handled where it matters). */
export const INDICATOR = 2;
const FIRST_CLASS = new Uint8Array(128);
for (const c of '0123456789+-.~<=') FIRST_CLASS[c.charCodeAt(0)] = TYPED;
for (const c of '?:,[]{}#&*!|>\'"%@`') FIRST_CLASS[c.charCodeAt(0)] = INDICATOR;

/** The class of the first character of `s` (an empty string is left to js-yaml, like an indicator). */
export function firstClass(s: string): number {
  if (s === '') return INDICATOR;
  const c = s.charCodeAt(0);
  return c < 128 ? FIRST_CLASS[c] : PLAIN;
}

/** Whether a string that starts like a word reads as null or a boolean. */
export function isSpecialWord(s: string): boolean {
  const c = s.charCodeAt(0) | 0x20; // lower case
  return (c === 0x6e /* n */ || c === 0x74 /* t */ || c === 0x66) /* f */ && s.length >= 4 && s.length <= 5 && SPECIAL_WORDS.has(s);
}

/** Plain keys already found to be plain strings js-yaml reads as they are (keys repeat a lot). */
const plainKeys = new Set<string>();
/** Bounds {@link plainKeys}: beyond this many, keys are checked every time. */
const PLAIN_KEYS_MAX = 50_000;

/** Whether js-yaml reads the plain key `key` as the string itself. */
export function isPlainKey(key: string): boolean {
  if (plainKeys.has(key)) return true;
  if (firstClass(key) !== PLAIN || ODD_KEY.test(key) || isSpecialWord(key) || key === '__proto__' || key.length > MAX_KEY) return false;
  if (plainKeys.size < PLAIN_KEYS_MAX) plainKeys.add(key);
  return true;
}

export function startOf(line: number): number {
  return layout[4 * line];
}

export function endOf(line: number): number {
  return layout[4 * line + 1];
}

export function indentOf(line: number): number {
  return layout[4 * line + 2];
}

/** Where the line's content starts. */
export function columnOf(line: number): number {
  return layout[4 * line] + layout[4 * line + 2];
}

/** Whether the line holds content (it is not blank and not a comment). */
export function hasContent(line: number): boolean {
  return layout[4 * line + 3] === 1;
}
