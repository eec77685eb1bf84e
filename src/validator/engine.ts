import { fieldLine, LoadedObject, NotAnObject } from '../manifests';
import type { EnvironmentConfig } from '../config/schema';
import type { Topology } from '../topology/model';
import { ValidationContext } from './context';
import { EnvironmentRule, isEnvironmentRule, isPodTemplateRule, ObjectRule, PodTemplateRule, Rule, RuleFinding, Severity } from './rule';
import { suppressionsOf } from './suppression';
import { ruleFailed } from './rules/internal';

/** One problem, located in a file. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** File relative to the validated directory (`Report.baseDir`), or as given to the parser. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** `Kind/namespace/name` of the object the finding is about (effective namespace). */
  readonly resource: string;
  readonly remediation: string;
}

/** A finding silenced by a suppression annotation, with its reason. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

export interface Summary {
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
  readonly objects: number;
  readonly files: number;
  readonly environment: string;
  /**
   * Findings not listed because a leading finding explains them (manifests judged against the
   * wrong environment): 0 otherwise.
   */
  readonly folded: number;
  /**
   * The validated directory (or file) as the caller named it; finding `file`s are relative to
   * it (to its folder for a file). Absent when objects were validated without a directory.
   */
  readonly target?: string;
}

/** Result of running the rules over a set of objects. */
export interface EngineResult {
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  readonly summary: Summary;
  readonly context: ValidationContext;
}


/** Report order: file, line, rule, resource, message. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Turns what the rules return into findings: location, de-duplication and suppressions. */
class FindingCollector {
  readonly findings: Finding[] = [];
  readonly suppressed: SuppressedFinding[] = [];
  private readonly seen = new Set<string>();
  private readonly suppressionCache = new Map<LoadedObject, ReturnType<typeof suppressionsOf>>();
  private readonly fallbackAnchor: LoadedObject | undefined;

  constructor(
    private readonly ctx: ValidationContext,
    objects: readonly LoadedObject[],
  ) {
    this.fallbackAnchor = ctx.objects.get('Namespace', '', ctx.namespace) ?? objects[0];
  }

  /** Records what a check returned about `subject`. */
  record(rule: Rule, subject: LoadedObject | undefined, result: readonly RuleFinding[]): void {
    for (const f of result) this.emit(rule, subject, f);
  }

  /** A check that threw: a `rule-failed` finding, except on a malformed object (schema-valid says why it cannot be read). */
  failed(rule: Rule, subject: LoadedObject | undefined, e: unknown, malformed = false): void {
    if (malformed) return;
    this.emit(ruleFailed, subject, { message: `rule ${rule.id} could not check this object: ${(e as Error)?.message ?? String(e)}` });
  }

  /** Records one finding of `rule` on `subject` (or on what it points at), once, unless suppressed there. */
  private emit(rule: Rule, subject: LoadedObject | undefined, f: RuleFinding): void {
    if (f.document) {
      const finding: Finding = { rule: rule.id, severity: f.severity ?? rule.severity, message: f.message, file: f.document.file, line: f.document.line, resource: '', remediation: f.remediation ?? rule.remediation };
      const id = `${finding.rule}\u0000${finding.file}:${finding.line}\u0000${finding.message}`;
      if (!this.seen.has(id)) this.findings.push(finding);
      this.seen.add(id);
      return;
    }
    const anchor = f.on ?? subject ?? this.fallbackAnchor;
    const line = anchor ? (f.line ?? (f.path ? fieldLine(anchor, f.path) : anchor.location.line)) : 0;
    const finding: Finding = {
      rule: rule.id,
      severity: f.severity ?? rule.severity,
      message: f.message,
      file: anchor?.location.file ?? '',
      line,
      resource: anchor ? this.ctx.objects.keyOf(anchor) : `Namespace//${this.ctx.namespace}`,
      remediation: f.remediation ?? rule.remediation,
    };
    const id = `${finding.rule}\u0000${finding.resource}\u0000${finding.file}:${finding.line}\u0000${finding.message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    if (anchor && !rule.id.startsWith('suppression-')) {
      let sup = this.suppressionCache.get(anchor);
      if (!sup) this.suppressionCache.set(anchor, (sup = suppressionsOf(anchor)));
      const s = sup.get(rule.id);
      if (s && s.reason !== '') {
        this.suppressed.push({ ...finding, reason: s.reason });
        return;
      }
    }
    this.findings.push(finding);
  }
}

/**
 * A leading finding that explains all others (the wrong environment) stands alone: when an error
 * of a rule that folds the others is found, only those remain, each saying how many it folds.
 */
function foldIntoLeading(
  rules: readonly Rule[],
  findings: Finding[],
  suppressed: SuppressedFinding[],
): { findings: Finding[]; suppressed: SuppressedFinding[]; folded: number } {
  const leading = new Set(rules.filter((r) => isEnvironmentRule(r) && r.foldsOthers).map((r) => r.id));
  const leads = findings.filter((f) => leading.has(f.rule) && f.severity === 'error');
  if (leads.length === 0) return { findings, suppressed, folded: 0 };
  const folded = findings.length - leads.length + suppressed.length;
  return {
    findings: leads.map((f) => (folded > 0 ? { ...f, message: `${f.message} (${folded} findings that follow from it are folded into this one)` } : f)),
    suppressed: [],
    folded,
  };
}

/** Runs an environment rule once (a failure is a finding). */
function runEnvironmentRule(rule: EnvironmentRule, ctx: ValidationContext, collector: FindingCollector): void {
  let result: RuleFinding[];
  try {
    result = rule.check(ctx);
  } catch (e) {
    collector.failed(rule, undefined, e);
    return;
  }
  collector.record(rule, undefined, result);
}

/** Runs a pod template rule on every pod template (a failure is a finding). */
function runPodRule(rule: PodTemplateRule, ctx: ValidationContext, collector: FindingCollector): void {
  const templates = ctx.pods.all();
  for (let i = 0; i < templates.length; i++) {
    const t = templates[i];
    let result: RuleFinding[];
    try {
      result = rule.check(t, ctx);
    } catch (e) {
      collector.failed(rule, t.owner, e);
      continue;
    }
    if (result.length > 0) collector.record(rule, t.owner, result);
  }
}

/** Runs an object rule on each of `subjects` (a failure is a finding unless the object is malformed). */
function runObjectRule(rule: ObjectRule, subjects: readonly LoadedObject[], ctx: ValidationContext, collector: FindingCollector): void {
  for (let i = 0; i < subjects.length; i++) {
    const o = subjects[i];
    let result: RuleFinding[];
    try {
      result = rule.check(o, ctx);
    } catch (e) {
      collector.failed(rule, o, e, ctx.schema.isMalformed(o));
      continue;
    }
    if (result.length > 0) collector.record(rule, o, result);
  }
}

/**
 * Runs `rules` over `objects`: hands each object to the object rules for its kind (malformed ones
 * too: what a rule cannot read there it skips silently, the schema rules report why), each pod
 * template whose structure is sound to the pod rules, calls environment rules once, then
 * adds rule id, severity, remediation, location and suppression handling. Never throws for
 * anything in the objects: a rule that fails is reported as a `rule-failed` finding.
 */
export function runRules(
  objects: readonly LoadedObject[],
  options: { env: EnvironmentConfig; topology: Topology; documents?: readonly NotAnObject[]; root?: string },
  rules: readonly Rule[],
  allRuleIds: ReadonlySet<string>,
): EngineResult {
  const ctx = new ValidationContext(objects, { ...options, ruleIds: allRuleIds });
  const collector = new FindingCollector(ctx, objects);
  for (const rule of rules) {
    if (isEnvironmentRule(rule)) {
      runEnvironmentRule(rule, ctx, collector);
    } else if (isPodTemplateRule(rule)) {
      runPodRule(rule, ctx, collector);
    } else {
      runObjectRule(rule, rule.scope.kinds.includes('*') ? objects : rule.scope.kinds.flatMap((k) => ctx.objects.ofKind(k)), ctx, collector);
    }
  }

  const { findings, suppressed, folded } = foldIntoLeading(rules, collector.findings, collector.suppressed);
  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  const files = new Set<string>();
  for (const o of objects) files.add(o.location.file);
  for (const d of options.documents ?? []) files.add(d.file);
  return {
    findings,
    suppressed,
    context: ctx,
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      suppressed: suppressed.length,
      objects: objects.length,
      files: files.size,
      environment: options.env.name,
      folded,
    },
  };
}
