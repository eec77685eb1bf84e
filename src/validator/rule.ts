import type { LoadedObject } from '../manifests';
import type { PodTemplate, ValidationContext } from './context';

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
   * A document that is not a Kubernetes object (e.g. a `kustomization.yaml`): the finding is
   * located at it and names no resource; `on` and `path` do not apply.
   */
  readonly document?: { readonly file: string; readonly line: number };
  /**
   * The object the finding is about when it is not the subject: environment rules (which are
   * handed no object) name a well-defined anchor, e.g. the destination's workload.
   * @default - the subject (for an environment rule: the environment's Namespace, else the first object)
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

/** The metadata every rule carries; `docs/rules.md` is generated from it. */
export interface RuleMetadata {
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
}

/**
 * A rule about single objects: called once per object whose kind is listed (`['*']`: every
 * object), and reports about that object.
 */
export interface ObjectRule extends RuleMetadata {
  readonly scope: { readonly kinds: readonly string[] };
  /**
   * Called for malformed objects too (wrong field types, missing required fields): read fields
   * through the accessors of `src/manifests` or check `ctx.schema.readable(o, path)` first; a
   * failure on a malformed object is dropped (the schema rules report the structure).
   */
  check(subject: LoadedObject, context: ValidationContext): RuleFinding[];
}

/**
 * A rule about pods: called once per pod template whose structure is sound (every kind of
 * `WORKLOAD_KINDS`, bare Pods included; whatever is wrong elsewhere in the workload), and reports
 * about the workload (`template.owner`).
 */
export interface PodTemplateRule extends RuleMetadata {
  readonly scope: { readonly podTemplates: true };
  check(template: PodTemplate, context: ValidationContext): RuleFinding[];
}

/**
 * A rule about the environment as a whole (the topology, the network, the edge): called once;
 * each finding names the object it is reported on (`on`).
 */
export interface EnvironmentRule extends RuleMetadata {
  readonly scope: { readonly environment: true };
  /**
   * When the rule reports an error, every other finding follows from it (e.g. manifests judged
   * against the wrong environment): they are folded into its findings, counted in the summary.
   * @default false
   */
  readonly foldsOthers?: boolean;
  check(context: ValidationContext): RuleFinding[];
}

/** A validator rule: metadata as data plus one pure check, typed by what it is handed. */
export type Rule = ObjectRule | PodTemplateRule | EnvironmentRule;

type Spec<R extends RuleMetadata> = Omit<R, 'docsAnchor' | 'scope'> & { docsAnchor?: string };

/** An {@link ObjectRule}: `check(object, ctx)` for each object of the listed kinds. */
export function defineRule(rule: Spec<ObjectRule> & { scope: ObjectRule['scope'] }): ObjectRule {
  return { ...rule, docsAnchor: rule.docsAnchor ?? rule.id };
}

/** A {@link PodTemplateRule}: `check(template, ctx)` for each pod template. */
export function definePodRule(rule: Spec<PodTemplateRule>): PodTemplateRule {
  return { ...rule, scope: { podTemplates: true }, docsAnchor: rule.docsAnchor ?? rule.id };
}

/** An {@link EnvironmentRule}: `check(ctx)` once per validation. */
export function defineEnvironmentRule(rule: Spec<EnvironmentRule>): EnvironmentRule {
  return { ...rule, scope: { environment: true }, docsAnchor: rule.docsAnchor ?? rule.id };
}

/** Whether a rule is an {@link EnvironmentRule}. */
export function isEnvironmentRule(r: Rule): r is EnvironmentRule {
  return 'environment' in r.scope;
}

/** Whether a rule is a {@link PodTemplateRule}. */
export function isPodTemplateRule(r: Rule): r is PodTemplateRule {
  return 'podTemplates' in r.scope;
}
