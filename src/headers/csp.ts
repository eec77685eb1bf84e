/**
 * Content-Security-Policy as browsers read it (CSP Level 3): parsing a serialized policy, the
 * directive fallback lists, and whether one policy allows no more than another. Used by the
 * configuration checks and by the validator, which both need to read policies; neither builds one
 * here.
 */

/** One parsed policy: directive name (lower case) -> its source expressions, in order. */
export type CspPolicy = ReadonlyMap<string, readonly string[]>;

/**
 * Parses a serialized policy (CSP3 §2.2.1): directives split on `;`, names lower-cased, a repeated
 * directive ignored after its first occurrence, values split on whitespace.
 */
export function parseCsp(text: string): CspPolicy {
  const out = new Map<string, string[]>();
  for (const raw of text.split(';')) {
    const tokens = raw.trim().split(/[\t\n\f\r ]+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0].toLowerCase();
    if (!/^[a-z0-9-]+$/.test(name) || out.has(name)) continue;
    out.set(name, tokens.slice(1));
  }
  return out;
}

/**
 * Fetch directives with their fallback lists (CSP3 §6.8.3): a directive a policy does not name
 * is governed by the first one of its list the policy names, or by nothing at all.
 */
const FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  'default-src': ['default-src'],
  'script-src': ['script-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'style-src': ['style-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'worker-src': ['worker-src', 'child-src', 'script-src', 'default-src'],
  'child-src': ['child-src', 'default-src'],
  'frame-src': ['frame-src', 'child-src', 'default-src'],
  'connect-src': ['connect-src', 'default-src'],
  'img-src': ['img-src', 'default-src'],
  'font-src': ['font-src', 'default-src'],
  'media-src': ['media-src', 'default-src'],
  'manifest-src': ['manifest-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
  // Document and navigation directives: no fallback, unrestricted when absent.
  'base-uri': ['base-uri'],
  'form-action': ['form-action'],
  'frame-ancestors': ['frame-ancestors'],
};

/** Directives without a value whose presence restricts the page. */
const FLAGS = ['upgrade-insecure-requests', 'block-all-mixed-content'];

/**
 * The sources a policy allows for `directive` after fallback: undefined when nothing restricts it.
 * `'none'` is dropped (it allows nothing by itself).
 */
export function effectiveSources(policy: CspPolicy, directive: string): readonly string[] | undefined {
  const d = governing(policy, directive);
  return d === undefined ? undefined : policy.get(d)!.filter((s) => s.toLowerCase() !== "'none'");
}

/** The directive of `policy` that governs `directive` after fallback, if any. */
function governing(policy: CspPolicy, directive: string): string | undefined {
  return (FALLBACKS[directive] ?? [directive]).find((d) => policy.has(d));
}

interface HostSource {
  readonly scheme?: string;
  readonly host: string;
  readonly port?: string;
  readonly path?: string;
}

const KEYWORD = /^'[^']*'$/;
const SCHEME_SOURCE = /^([a-z][a-z0-9+.-]*):$/i;
const HOST_SOURCE = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\d+|\*))?(\/[^?#]*)?$/i;

/** Secure pages load over https only (HSTS): `http`, no scheme and `https` are the same, likewise `ws`/`wss`. */
function secureScheme(scheme: string | undefined): string {
  const s = (scheme ?? 'https').toLowerCase();
  return s === 'http' ? 'https' : s === 'ws' ? 'wss' : s;
}

function parseHost(source: string): HostSource | undefined {
  const m = HOST_SOURCE.exec(source);
  if (!m) return undefined;
  return { scheme: m[1]?.toLowerCase(), host: m[2].toLowerCase(), port: m[3], path: m[4] };
}

function hostCovers(outer: string, inner: string): boolean {
  if (outer === '*') return true;
  if (outer.startsWith('*.')) {
    const suffix = outer.slice(1);
    const innerBase = inner.startsWith('*.') ? inner.slice(1) : inner;
    return innerBase.endsWith(suffix) && innerBase.length > suffix.length;
  }
  return outer === inner;
}

/** Whether source expression `inner` matches nothing that `outer` does not also match. */
function sourceCovers(outer: string, inner: string): boolean {
  const o = outer.toLowerCase();
  const i = inner.toLowerCase();
  if (KEYWORD.test(inner) || KEYWORD.test(outer)) {
    // Keywords, nonces and hashes: only the same expression (nonce and hash values are case-sensitive).
    return KEYWORD.test(inner) && KEYWORD.test(outer) && (/^'(nonce|sha\d+)-/i.test(inner) ? outer === inner : o === i);
  }
  const innerScheme = SCHEME_SOURCE.exec(inner)?.[1];
  const outerScheme = SCHEME_SOURCE.exec(outer)?.[1];
  if (outerScheme) {
    if (innerScheme) return secureScheme(innerScheme) === secureScheme(outerScheme);
    const h = parseHost(inner);
    return !!h && h.host !== '*' && secureScheme(h.scheme) === secureScheme(outerScheme);
  }
  if (innerScheme) {
    // `*` matches the network schemes only, never data:, blob: or filesystem:.
    return o === '*' && ['https', 'wss'].includes(secureScheme(innerScheme));
  }
  const oh = parseHost(outer);
  const ih = parseHost(inner);
  if (!oh || !ih) return o === i;
  if (oh.host !== '*' || oh.scheme !== undefined) {
    if (secureScheme(oh.scheme) !== secureScheme(ih.scheme)) return false;
  }
  if (!hostCovers(oh.host, ih.host)) return false;
  if (oh.port !== '*' && (ih.port ?? '') !== (oh.port ?? '')) return false;
  if (oh.path !== undefined) {
    if (ih.path === undefined) return false;
    if (oh.path.endsWith('/') ? !ih.path.startsWith(oh.path) : ih.path !== oh.path) return false;
  }
  return true;
}

/** One way `actual` allows more than `limit`. */
export interface CspWeakening {
  readonly directive: string;
  /** What `actual` allows beyond `limit`: source expressions, or `any source` when unrestricted. */
  readonly allows: string;
}

/**
 * Where `actual` allows more than `limit`: for every directive `limit` restricts (after fallback),
 * `actual` restricts it too and each of its sources is matched by a source of `limit`; every flag
 * `limit` sets (`upgrade-insecure-requests`), `actual` sets. Empty: `actual` is at least as strict.
 * Conservative: a source it cannot prove covered counts as more.
 */
export function cspWeakenings(actual: CspPolicy, limit: CspPolicy): CspWeakening[] {
  const out: CspWeakening[] = [];
  // Directives that fall back to the same pair of directives are reported once, under the first.
  const reported = new Set<string>();
  for (const directive of Object.keys(FALLBACKS)) {
    const allowed = effectiveSources(limit, directive);
    if (allowed === undefined) continue;
    const pair = `${governing(actual, directive)}|${governing(limit, directive)}`;
    if (reported.has(pair)) continue;
    reported.add(pair);
    const given = effectiveSources(actual, directive);
    if (given === undefined) {
      out.push({ directive, allows: 'any source' });
      continue;
    }
    const extra = given.filter((s) => !allowed.some((a) => sourceCovers(a, s)));
    if (extra.length > 0) out.push({ directive, allows: extra.join(' ') });
  }
  for (const flag of FLAGS) if (limit.has(flag) && !actual.has(flag)) out.push({ directive: flag, allows: 'mixed content (the flag is missing)' });
  return out;
}

/** The network schemes a bare scheme source opens to every host. */
const NETWORK_SCHEMES = ['http', 'https', 'ws', 'wss'];

/** Source expressions that allow any host: `*`, host or port wildcards, bare network schemes (`https:`). */
export function wildcardSources(policy: CspPolicy): string[] {
  const out: string[] = [];
  for (const sources of policy.values()) {
    for (const s of sources) {
      if (KEYWORD.test(s)) continue;
      const scheme = SCHEME_SOURCE.exec(s)?.[1];
      if (s.includes('*') || (scheme && NETWORK_SCHEMES.includes(scheme.toLowerCase()))) out.push(s);
    }
  }
  return [...new Set(out)];
}

/** Whether any directive allows `'unsafe-eval'`. */
export function allowsUnsafeEval(policy: CspPolicy): boolean {
  return [...policy.values()].some((sources) => sources.some((s) => s.toLowerCase() === "'unsafe-eval'"));
}
