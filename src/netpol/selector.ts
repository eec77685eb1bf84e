/** Label sets and Kubernetes label selectors. */

/** A set of labels (`key: value`). */
export type Labels = Readonly<Record<string, string>>;

/** A label selector requirement as written in a manifest. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** A label selector as written in a manifest. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

type Requirement =
  | { op: 'In' | 'NotIn'; key: string; values: ReadonlySet<string> }
  | { op: 'Exists' | 'DoesNotExist'; key: string };

/** The requirements of a selector without `matchExpressions` (shared: nothing adds to it). */
const NO_REQUIREMENTS: Requirement[] = [];

/**
 * Where to look a selector's candidates up in a label index: any pod with one of `pairs`
 * (`key=value`), or any pod with label `key`. Absent when the selector has no positive
 * constraint (it can match pods without any particular label).
 */
export type SelectorAnchor = { pairs: readonly [string, string][] } | { key: string };

/**
 * A compiled label selector: `matchLabels` AND every `matchExpressions` requirement
 * (`In`, `NotIn`, `Exists`, `DoesNotExist`). The empty selector matches everything.
 */
export class Selector {
  private constructor(
    private readonly labels: readonly [string, string][],
    private readonly requirements: readonly Requirement[],
    /** Set when the selector can never match (an unknown operator). */
    private readonly never: boolean,
  ) {}

  /** The selector that matches everything. */
  static readonly EVERYTHING = new Selector([], [], false);

  /**
   * Compiles a selector; problems (an unknown operator, a malformed requirement) are reported to
   * `problem` and make the selector match nothing, the safe reading of an invalid policy.
   */
  static compile(raw: unknown, problem: (message: string) => void = () => undefined): Selector {
    if (raw === undefined || raw === null) return Selector.EVERYTHING;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problem('label selector is not a mapping');
      return new Selector([], [], true);
    }
    const sel = raw as LabelSelector;
    let never = false;
    let labels: [string, string][] = [];
    if (sel.matchLabels !== undefined && sel.matchLabels !== null) {
      if (typeof sel.matchLabels !== 'object') {
        problem('matchLabels is not a mapping');
        never = true;
      } else {
        const m = sel.matchLabels;
        for (const k of Object.keys(m)) labels.push([k, String(m[k])]);
        // A copy of its own size (the grown list has room for more).
        labels = labels.slice();
      }
    }
    let requirements: Requirement[] = NO_REQUIREMENTS;
    for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
      const key = e && typeof e.key === 'string' ? e.key : undefined;
      if (key === undefined) {
        problem('matchExpressions entry without a key');
        never = true;
        continue;
      }
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      switch (e.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) problem(`matchExpressions ${e.operator} on "${key}" has no values`);
          if (requirements === NO_REQUIREMENTS) requirements = [];
          requirements.push({ op: e.operator, key, values: new Set(values) });
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (requirements === NO_REQUIREMENTS) requirements = [];
          requirements.push({ op: e.operator, key });
          break;
        default:
          problem(`unknown matchExpressions operator "${String(e.operator)}" on "${key}"`);
          never = true;
      }
    }
    if (!never && labels.length === 0 && requirements.length === 0) return Selector.EVERYTHING;
    return new Selector(labels, requirements, never);
  }

  /** Whether the selector matches every label set. */
  get matchesEverything(): boolean {
    return !this.never && this.labels.length === 0 && this.requirements.length === 0;
  }

  /** Whether the selector can never match. */
  get matchesNothing(): boolean {
    return this.never || this.requirements.some((r) => r.op === 'In' && r.values.size === 0);
  }

  /** Whether the selector selects a pod (or namespace) with these labels. */
  matches(labels: Labels): boolean {
    if (this.never) return false;
    const pairs = this.labels;
    for (let i = 0; i < pairs.length; i++) {
      if (labels[pairs[i][0]] !== pairs[i][1]) return false;
    }
    const requirements = this.requirements;
    for (let i = 0; i < requirements.length; i++) {
      const r = requirements[i];
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.op) {
        case 'In':
          if (!has || !r.values.has(labels[r.key])) return false;
          break;
        case 'NotIn':
          if (has && r.values.has(labels[r.key])) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
      }
    }
    return true;
  }

  /** The `matchLabels` pairs; every selected pod carries all of them. */
  get requiredPairs(): readonly (readonly [string, string])[] {
    return this.labels;
  }

  /**
   * The values label `key` must have to match (from `matchLabels` and `In`), sorted; undefined
   * when the selector does not pin `key` to a finite set of values.
   */
  pinnedValues(key: string): string[] | undefined {
    if (this.never) return [];
    let values: Set<string> | undefined;
    const narrow = (allowed: ReadonlySet<string>) => {
      values = values ? new Set([...values].filter((v) => allowed.has(v))) : new Set(allowed);
    };
    for (const [k, v] of this.labels) if (k === key) narrow(new Set([v]));
    for (const r of this.requirements) if (r.op === 'In' && r.key === key) narrow(r.values);
    return values ? [...values].sort() : undefined;
  }

  /**
   * The smallest label set the selector matches: the `matchLabels` pairs, the first value (in
   * sort order) of each `In`, an empty value for each `Exists`; undefined when that set does not
   * match (a contradictory or invalid selector).
   */
  example(): Labels | undefined {
    if (this.never) return undefined;
    const labels: Record<string, string> = {};
    for (const [k, v] of this.labels) labels[k] = v;
    for (const r of this.requirements) {
      if (Object.prototype.hasOwnProperty.call(labels, r.key)) continue;
      if (r.op === 'In' && r.values.size > 0) labels[r.key] = [...r.values].sort()[0];
      else if (r.op === 'Exists') labels[r.key] = '';
    }
    return this.matches(labels) ? labels : undefined;
  }

  /** The most selective positive constraint, for index lookups (see {@link SelectorAnchor}). */
  anchor(): SelectorAnchor | undefined {
    if (this.labels.length > 0) return { pairs: [this.labels[0]] };
    let best: SelectorAnchor | undefined;
    for (const r of this.requirements) {
      if (r.op === 'In') {
        const pairs = [...r.values].map((v) => [r.key, v] as [string, string]);
        if (!best || !('pairs' in best) || pairs.length < best.pairs.length) best = { pairs };
      } else if (r.op === 'Exists' && !best) {
        best = { key: r.key };
      }
    }
    return best;
  }

  /** Human-readable form, e.g. `{app=api,tier In (a,b),debug DoesNotExist}`. */
  toString(): string {
    if (this.never) return '{<invalid>}';
    const parts = this.labels.map(([k, v]) => `${k}=${v}`);
    for (const r of this.requirements) {
      parts.push(
        r.op === 'In' || r.op === 'NotIn' ? `${r.key} ${r.op} (${[...r.values].sort().join(',')})` : `${r.key} ${r.op}`,
      );
    }
    return `{${parts.join(',')}}`;
  }
}

/** A node of {@link SelectorCache}'s trie: the selector of the label pairs on the path to it, and the pairs that may follow. */
interface LabelTrie {
  selector?: Selector;
  /** The next label pair's key, then its value. */
  next?: Map<string, Map<string, LabelTrie>>;
}

/**
 * Compiled selectors by what they say, for one set of manifests: the `matchLabels` selector of a
 * workload is written in the policy of every workload it talks to, and compiled once. Only
 * selectors that cannot have a problem to report are shared (a mapping of labels, no
 * requirements); others are compiled each time.
 */
export class SelectorCache {
  /** Shared selectors by their label pairs, in the order they are written. */
  private readonly root: LabelTrie = {};

  compile(raw: unknown, problem?: (message: string) => void): Selector {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return Selector.compile(raw, problem);
    const sel = raw as LabelSelector;
    const m = sel.matchLabels as unknown;
    const noRequirements = sel.matchExpressions === undefined || sel.matchExpressions === null || (Array.isArray(sel.matchExpressions) && sel.matchExpressions.length === 0);
    if (typeof m !== 'object' || m === null || !noRequirements) return Selector.compile(raw, problem);
    let node = this.root;
    for (const k of Object.keys(m)) {
      const v = String((m as Record<string, unknown>)[k]);
      node.next ??= new Map();
      let values = node.next.get(k);
      if (!values) node.next.set(k, (values = new Map<string, LabelTrie>()));
      let child = values.get(v);
      if (!child) values.set(v, (child = {}));
      node = child;
    }
    return (node.selector ??= Selector.compile(raw, problem));
  }
}
