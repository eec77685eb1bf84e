/**
 * Best-effort line lookup of a field inside one YAML (or JSON) document, by a cheap scan of its
 * text guided by indentation. It understands block mappings and sequences (including compact
 * `- key: value` items and sequences at the same indentation as their key); for flow
 * collections (JSON, `{...}`) it falls back to finding the keys in order. It never throws.
 */

const CONTENT_START = /\S/;

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

function isBlankOrComment(s: string, from = 0): boolean {
  const m = CONTENT_START.exec(from === 0 ? s : s.slice(from));
  return m === null || m[0] === '#';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Index of the first line that starts the document's content (skips comments, directives, a bare `---`). */
function firstContentLine(lines: string[]): { line: number; col: number } | undefined {
  for (let l = 0; l < lines.length; l++) {
    const s = lines[l];
    if (isBlankOrComment(s) || s.startsWith('%')) continue;
    if (/^---(?:\s|$)/.test(s)) {
      const rest = s.slice(3);
      if (isBlankOrComment(rest)) continue;
      return { line: l, col: 3 + indentOf(rest.replace(/\t/g, ' ')) };
    }
    return { line: l, col: indentOf(s) };
  }
  return undefined;
}

function nextContentLine(lines: string[], from: number): number | undefined {
  for (let l = from; l < lines.length; l++) {
    if (!isBlankOrComment(lines[l])) return l;
  }
  return undefined;
}

/** Where a node's value starts after `key:` or `- ` ending at column `after` of line `l`. */
function valueStart(
  lines: string[],
  l: number,
  after: number,
  parentCol: number,
  parentIsSequenceItem: boolean,
): { line: number; col: number } | 'scalar' | undefined {
  const s = lines[l];
  let c = after;
  while (c < s.length && (s[c] === ' ' || s[c] === '\t')) c++;
  // Skip anchors and tags that precede the value.
  while (c < s.length && (s[c] === '&' || s[c] === '!')) {
    while (c < s.length && s[c] !== ' ' && s[c] !== '\t') c++;
    while (c < s.length && (s[c] === ' ' || s[c] === '\t')) c++;
  }
  if (c < s.length && s[c] !== '#') {
    if (s[c] === '|' || s[c] === '>') return 'scalar';
    return { line: l, col: c };
  }
  const next = nextContentLine(lines, l + 1);
  if (next === undefined) return undefined;
  const ind = indentOf(lines[next]);
  const startsSeq = /^-(?:\s|$)/.test(lines[next].slice(ind));
  if (ind > parentCol || (ind === parentCol && startsSeq && !parentIsSequenceItem)) {
    return { line: next, col: ind };
  }
  return undefined;
}

function flowFallback(
  lines: string[],
  from: number,
  rest: readonly (string | number)[],
  found: number | undefined,
): number | undefined {
  let line = found;
  let start = from;
  for (const seg of rest) {
    if (typeof seg !== 'string') return line;
    const re = new RegExp(`(?:^|[\\s{,])(?:"${escapeRegExp(seg)}"|'${escapeRegExp(seg)}'|${escapeRegExp(seg)})\\s*:`);
    let hit: number | undefined;
    for (let l = start; l < lines.length; l++) {
      if (re.test(lines[l])) {
        hit = l;
        break;
      }
    }
    if (hit === undefined) return line;
    line = hit;
    start = hit;
  }
  return line;
}

/**
 * 0-based index (into `lines`) of the line holding the deepest field of `path` that could be
 * found, or undefined when not even the first segment was found.
 */
export function locateField(lines: string[], path: readonly (string | number)[]): number | undefined {
  return walk(lines, path).found;
}

/**
 * The lines of a block at column `col` starting at line `li` (whose content starts at `col`): the
 * following lines indented exactly `col`, until one is indented less. Blank lines, comments and
 * deeper lines are skipped.
 */
function* siblings(lines: string[], li: number, col: number): Generator<{ line: number; content: string; ind: number }> {
  for (let l = li; l < lines.length; l++) {
    const s = lines[l];
    let ind = col;
    if (l !== li) {
      if (isBlankOrComment(s)) continue;
      ind = indentOf(s);
      if (ind < col) return;
      if (ind > col) continue;
    }
    yield { line: l, content: s.slice(ind), ind };
  }
}

/** The mapping key `key` among the siblings, with where its value may start. */
function findKey(lines: string[], li: number, col: number, key: string): { line: number; after: number } | undefined {
  const re = new RegExp(`^(?:"${escapeRegExp(key)}"|'${escapeRegExp(key)}'|${escapeRegExp(key)})[ \\t]*:(?=\\s|$)`);
  for (const s of siblings(lines, li, col)) {
    const m = re.exec(s.content);
    if (m) return { line: s.line, after: s.ind + m[0].length };
  }
  return undefined;
}

const SEQUENCE_ITEM = /^-(?:\s|$)/;

/** The lines of the block sequence items among the siblings (stopping at the first sibling that is none). */
function* sequenceItems(lines: string[], li: number, col: number): Generator<{ line: number; ind: number }> {
  for (const s of siblings(lines, li, col)) {
    if (!SEQUENCE_ITEM.test(s.content)) return;
    yield s;
  }
}

/** The `index`th item of the block sequence among the siblings. */
function findItem(lines: string[], li: number, col: number, index: number): { line: number; after: number } | undefined {
  let k = 0;
  for (const s of sequenceItems(lines, li, col)) {
    if (k++ === index) return { line: s.line, after: s.ind + 1 };
  }
  return undefined;
}

interface WalkResult {
  /** Line of the deepest segment found. */
  found: number | undefined;
  /** Where the value of the full path starts, when the whole path was found in block style. */
  node?: { line: number; col: number };
}

function walk(lines: string[], path: readonly (string | number)[]): WalkResult {
  const start = firstContentLine(lines);
  if (start === undefined) return { found: undefined };
  let li = start.line;
  let col = start.col;
  let found: number | undefined;

  for (let p = 0; p < path.length; p++) {
    const seg = path[p];
    const head = lines[li].slice(col);
    if (head.startsWith('{') || head.startsWith('[')) {
      return { found: flowFallback(lines, li, path.slice(p), found) };
    }
    const hit = typeof seg === 'string' ? findKey(lines, li, col, seg) : findItem(lines, li, col, seg);
    if (!hit) return { found };
    found = hit.line;
    const v = valueStart(lines, hit.line, hit.after, col, typeof seg !== 'string');
    if (v === undefined || v === 'scalar') return { found };
    if (p === path.length - 1) return { found, node: v };
    li = v.line;
    col = v.col;
  }
  return { found, node: start };
}

/**
 * 0-based lines of the entries of the block sequence at `path` (e.g. a List's `items`), in one
 * scan; undefined when the path is not found or the sequence is not in block style.
 */
export function sequenceItemLines(lines: string[], path: readonly (string | number)[]): number[] | undefined {
  const r = walk(lines, path);
  if (!r.node) return undefined;
  const out = [...sequenceItems(lines, r.node.line, r.node.col)].map((s) => s.line);
  return out.length > 0 ? out : undefined;
}
