import { entries, LoadedObject, text } from '../manifests';

/**
 * Suppressions are annotations on the object a finding is about:
 *
 * ```yaml
 * metadata:
 *   annotations:
 *     ctis.io/suppress.internal-not-exposed: "debug NodePort, removed after incident 4711"
 * ```
 *
 * The value is the mandatory reason; an empty reason suppresses nothing and is itself an error.
 */
export const SUPPRESS_PREFIX = 'ctis.io/suppress.';

export interface Suppression {
  readonly rule: string;
  readonly reason: string;
  /** The annotation key, for locations. */
  readonly annotation: string;
}

/** What objects without suppressions declare. */
const NONE: ReadonlyMap<string, Suppression> = new Map();

/** The suppressions an object declares, keyed by rule id. */
export function suppressionsOf(o: LoadedObject): ReadonlyMap<string, Suppression> {
  let out: Map<string, Suppression> | undefined;
  for (const [key, value] of entries(o.object.metadata?.annotations)) {
    if (!key.startsWith(SUPPRESS_PREFIX)) continue;
    const rule = key.slice(SUPPRESS_PREFIX.length);
    const reason = typeof value === 'string' ? value.trim() : value === null || value === undefined ? '' : text(value).trim();
    (out ??= new Map()).set(rule, { rule, reason, annotation: key });
  }
  return out ?? NONE;
}
