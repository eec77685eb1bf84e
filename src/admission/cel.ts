/**
 * Building blocks for CEL source text. Every expression the admission policies carry is
 * assembled from these, so values from the topology and the configuration are always quoted
 * the same way and never spliced in raw.
 *
 * Only CEL that Kubernetes' ValidatingAdmissionPolicy evaluates is used: the standard
 * operators, `has()`, the macros `all`/`exists`/`map`/`filter`, `size`, `in`, the standard
 * string functions `startsWith`/`endsWith`/`contains`/`matches` (RE2) and the Kubernetes
 * string library's `lowerAscii` and `join`. No optional types (`?.`), no `cel.bind`, and
 * comprehensions nest at most two deep, so every expression's cost grows with the size of the
 * object, never with a product of unbounded lists.
 */

/** A CEL string literal (single-quoted, backslash and quote escaped). */
export function lit(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list literal of strings. */
export function litList(values: readonly string[]): string {
  return `[${values.map(lit).join(', ')}]`;
}

/** `has(a.b.c)` for every prefix of a dotted field path below a root, joined with `&&`. */
export function hasPath(root: string, fields: readonly string[]): string {
  const out: string[] = [];
  let at = root;
  for (const f of fields) {
    at = `${at}.${f}`;
    out.push(`has(${at})`);
  }
  return out.join(' && ');
}

/** The value of an optional boolean field, false when unset: `(has(x.f) && x.f)`. */
export function flag(root: string, field: string): string {
  return `(has(${root}.${field}) && ${root}.${field} == true)`;
}

/** A list of lists of strings joined for a message: empty entries dropped. */
export function joinNonEmpty(listOfStrings: string, separator = ', '): string {
  return `${listOfStrings}.filter(s, s != '').join(${lit(separator)})`;
}

/** `!expr`, without a double negation when `expr` is itself `!( ... )`. */
export function not(expr: string): string {
  if (expr.startsWith('!(') && expr.endsWith(')')) {
    let depth = 0;
    for (let i = 1; i < expr.length; i++) {
      if (expr[i] === '(') depth++;
      else if (expr[i] === ')' && --depth === 0) return i === expr.length - 1 ? expr.slice(1) : `!${expr}`;
    }
  }
  return `!${expr}`;
}
