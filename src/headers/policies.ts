/**
 * The browser security headers besides CSP as browsers read them: Referrer-Policy,
 * Permissions-Policy, X-Frame-Options and X-Content-Type-Options, with the "no weaker than"
 * comparisons the configuration and the validator both need.
 */

export const REFERRER_POLICIES = [
  'no-referrer',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'origin',
  'origin-when-cross-origin',
  'no-referrer-when-downgrade',
  'unsafe-url',
] as const;
export type ReferrerPolicy = (typeof REFERRER_POLICIES)[number];

/** What a policy sends: 0 nothing, 1 the origin, 2 the full URL; to the same origin, cross-origin, and on a downgrade to http. */
const LEAKS: Record<ReferrerPolicy, readonly [number, number, number]> = {
  'no-referrer': [0, 0, 0],
  'same-origin': [2, 0, 0],
  'strict-origin': [1, 1, 0],
  origin: [1, 1, 1],
  'strict-origin-when-cross-origin': [2, 1, 0],
  'origin-when-cross-origin': [2, 1, 1],
  'no-referrer-when-downgrade': [2, 2, 0],
  'unsafe-url': [2, 2, 2],
};

/**
 * The policy a `Referrer-Policy` header value sets: the last token browsers recognise (the
 * header may list fallbacks), or undefined when none is recognised.
 */
export function parseReferrerPolicy(value: string): ReferrerPolicy | undefined {
  const tokens = value.split(',').map((t) => t.trim().toLowerCase());
  return [...tokens].reverse().find((t): t is ReferrerPolicy => (REFERRER_POLICIES as readonly string[]).includes(t));
}

/** Whether `actual` sends nothing `limit` would not send, in any of the three cases. */
export function referrerNoWeaker(actual: ReferrerPolicy, limit: ReferrerPolicy): boolean {
  return LEAKS[actual].every((v, i) => v <= LEAKS[limit][i]);
}

/** One feature of a Permissions-Policy and the origins it is allowed for (`*`, `self`, or quoted origins). */
export type PermissionsPolicy = ReadonlyMap<string, readonly string[]>;

/** Splits on `sep` outside parentheses and double quotes. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth = Math.max(0, depth - 1);
    if (ch === sep && depth === 0 && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Parses a Permissions-Policy (a structured-field dictionary: `camera=(), geolocation=(self "https://a.example")`).
 * Returns undefined when a member is not `feature=allowlist`; parameters (`;report-to=x`) are ignored.
 */
export function parsePermissionsPolicy(value: string): PermissionsPolicy | undefined {
  const out = new Map<string, string[]>();
  for (const member of splitTopLevel(value, ',')) {
    const m = member.trim();
    if (m === '') continue;
    const eq = m.indexOf('=');
    if (eq <= 0) return undefined;
    const feature = m.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9-]*$/.test(feature)) return undefined;
    const raw = splitTopLevel(m.slice(eq + 1), ';')[0].trim();
    let items: string[];
    if (raw.startsWith('(')) {
      if (!raw.endsWith(')')) return undefined;
      items = raw.slice(1, -1).trim().split(/\s+/).filter(Boolean);
    } else {
      items = raw === '' ? [] : [raw];
    }
    if (!out.has(feature)) out.set(feature, items.map((i) => (i.startsWith('"') ? i.slice(1, -1) : i.toLowerCase())));
  }
  return out;
}

/** Features `actual` allows for more origins than `limit` does (a feature `actual` does not name is allowed by default). */
export function permissionsWeakenings(actual: PermissionsPolicy, limit: PermissionsPolicy): string[] {
  const out: string[] = [];
  for (const [feature, allowed] of limit) {
    const given = actual.get(feature);
    if (given === undefined) {
      out.push(`${feature} (not restricted)`);
      continue;
    }
    if (allowed.includes('*')) continue;
    const extra = given.filter((o) => !allowed.includes(o));
    if (extra.length > 0) out.push(`${feature}=(${extra.join(' ')})`);
  }
  return out;
}

export const FRAME_OPTIONS = ['DENY', 'SAMEORIGIN'] as const;
export type FrameOptions = (typeof FRAME_OPTIONS)[number];

/**
 * What an `X-Frame-Options` header (possibly repeated and joined with commas) means to browsers:
 * one distinct value of DENY or SAMEORIGIN, otherwise nothing (HTML: several distinct values or
 * an unknown one, e.g. the obsolete ALLOW-FROM, give no protection).
 */
export function parseFrameOptions(values: readonly string[]): FrameOptions | undefined {
  const set = new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean));
  if (set.size !== 1) return undefined;
  const [v] = set;
  return (FRAME_OPTIONS as readonly string[]).includes(v) ? (v as FrameOptions) : undefined;
}

/** DENY forbids all framing, SAMEORIGIN framing by the same origin only. */
export function frameOptionsNoWeaker(actual: FrameOptions, limit: FrameOptions): boolean {
  return actual === 'DENY' || limit === 'SAMEORIGIN';
}

/** The `frame-ancestors` sources equivalent to an X-Frame-Options value. */
export function frameAncestorsFor(value: FrameOptions): string {
  return value === 'DENY' ? "'none'" : "'self'";
}

/** Whether `X-Content-Type-Options` values turn MIME sniffing off (the first value must be `nosniff`). */
export function isNosniff(values: readonly string[]): boolean {
  const first = values.flatMap((v) => v.split(','))[0];
  return first !== undefined && first.trim().toLowerCase() === 'nosniff';
}
