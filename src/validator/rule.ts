import type { LoadedObject } from '../manifests';
import type { ValidationContext } from './context';

/** How bad a finding is: errors fail validation (exit 1), warnings are reported only. */
export type Severity = 'error' | 'warning';

/** What a rule's check returns: the engine adds rule id, severity, remediation and location. */
export interface RuleFinding {
  readonly message: string;
  /**
   * Path of the offending field inside the reported object, for the line number
   * (e.g. `['spec', 'template', 'spec', 'containers', 0, 'image']`).
   * @default - the object's first line
   */
  readonly path?: (string | number)[];
  /** An exact line when the rule knows it better than `path` does. @default - from `path` */
  readonly line?: number;
  /**
   * The object the finding is about when it is not the subject: topology-level rules (which
   * are handed no object) name a well-defined anchor, e.g. the destination's workload.
   * @default - the subject
   */
  readonly on?: LoadedObject;
  /**
   * Severity for this finding when it differs from the rule's default (e.g. a hint that a
   * rule reports as a warning in development).
   * @default - the rule's severity
   */
  readonly severity?: Severity;
  /**
   * What to change for this finding, when the rule covers cases with different fixes.
   * @default - the rule's remediation
   */
  readonly remediation?: string;
}

/** Which objects a rule is handed. */
export type RuleScope =
  /** Called once per object whose kind is listed (`['*']`: every object). */
  | { readonly kinds: readonly string[] }
  /** Called once per validation with no subject; findings must name an anchor (`on`). */
  | { readonly topology: true };

/**
 * A validator rule: metadata as data plus one pure check. A rule may read every object through
 * the context but reports only about the object it was handed (or, for topology rules, about a
 * well-defined anchor object).
 */
export interface Rule {
  /** Kebab-case identifier, used in output, suppressions and the docs anchor. */
  readonly id: string;
  readonly severity: Severity;
  /** The runbook item the rule enforces, e.g. `SPEC §2 rule 1`. */
  readonly runbookItem: string;
  /** One sentence: what must hold. */
  readonly description: string;
  /** What to change when the rule fires. */
  readonly remediation: string;
  /** Anchor of the rule's section in `docs/rules.md`. */
  readonly docsAnchor: string;
  readonly scope: RuleScope;
  /**
   * Whether the rule also runs on objects whose structure is broken (wrong field types, missing
   * required fields). Only the rules that read nothing typed (schema, suppression) set it.
   * @default false
   */
  readonly runsOnMalformed?: boolean;
  check(subject: LoadedObject | undefined, context: ValidationContext): RuleFinding[];
}

/** Helper that keeps rule modules short and typed. */
export function defineRule(rule: Omit<Rule, 'docsAnchor'> & { docsAnchor?: string }): Rule {
  return { ...rule, docsAnchor: rule.docsAnchor ?? rule.id };
}
