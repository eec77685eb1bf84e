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
    let hit: { line: number; after: number } | undefined;
    if (typeof seg === 'string') {
      const re = new RegExp(`^(?:"${escapeRegExp(seg)}"|'${escapeRegExp(seg)}'|${escapeRegExp(seg)})[ \\t]*:(?=\\s|$)`);
      for (let l = li; l < lines.length; l++) {
        const s = lines[l];
        let ind: number;
        if (l === li) {
          ind = col;
        } else {
          if (isBlankOrComment(s)) continue;
          ind = indentOf(s);
          if (ind < col) break;
          if (ind > col) continue;
        }
        const content = s.slice(ind);
        const m = re.exec(content);
        if (m) {
          hit = { line: l, after: ind + m[0].length };
          break;
        }
      }
      if (!hit) return { found };
      found = hit.line;
      const v = valueStart(lines, hit.line, hit.after, col, false);
      if (v === undefined || v === 'scalar') return { found };
      if (p === path.length - 1) return { found, node: v };
      li = v.line;
      col = v.col;
    } else {
      let k = -1;
      for (let l = li; l < lines.length; l++) {
        const s = lines[l];
        let ind: number;
        if (l === li) {
          ind = col;
        } else {
          if (isBlankOrComment(s)) continue;
          ind = indentOf(s);
          if (ind < col) break;
          if (ind > col) continue;
        }
        const content = s.slice(ind);
        if (!/^-(?:\s|$)/.test(content)) break;
        k++;
        if (k === seg) {
          hit = { line: l, after: ind + 1 };
          break;
        }
      }
      if (!hit) return { found };
      found = hit.line;
      const v = valueStart(lines, hit.line, hit.after, col, true);
      if (v === undefined || v === 'scalar') return { found };
      if (p === path.length - 1) return { found, node: v };
      li = v.line;
      col = v.col;
    }
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
  const { line: li, col } = r.node;
  const out: number[] = [];
  for (let l = li; l < lines.length; l++) {
    const s = lines[l];
    let ind: number;
    if (l === li) {
      ind = col;
    } else {
      if (isBlankOrComment(s)) continue;
      ind = indentOf(s);
      if (ind < col) break;
      if (ind > col) continue;
    }
    if (!/^-(?:\s|$)/.test(s.slice(ind))) break;
    out.push(l);
  }
  return out.length > 0 ? out : undefined;
}
