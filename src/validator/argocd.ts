import type { EnvironmentConfig } from '../config/schema';
import type { LoadedObject, NotAnObject } from '../manifests';
import type { Topology } from '../topology/model';
import { compareFindings, Finding, runRules, SuppressedFinding, Summary } from './engine';
import { allRules, RULE_REGISTRY } from './rules';

/** The kinds of the Argo CD output (`dist/argocd`). */
export const ARGOCD_KINDS: readonly string[] = ['Application', 'ApplicationSet', 'AppProject'];

/**
 * Rules that also apply to the Argo CD output: documents that are not objects, the parameter files
 * of the ApplicationSet, schema, served versions, duplicates, suppressions.
 */
const GENERIC_RULES = [
  'kubernetes-object',
  'argocd-parameter-file',
  'schema-valid',
  'api-version-served',
  'unknown-kind',
  'duplicate-object',
  'suppression-needs-reason',
  'suppression-unknown-rule',
];

/** Ids of the rules that judge the Argo CD output: every rule scoped to an Argo CD kind, and the generic ones. */
export function argoCdRuleIds(): string[] {
  const specific = allRules()
    .filter((r) => 'kinds' in r.scope && r.scope.kinds.some((k) => ARGOCD_KINDS.includes(k)))
    .map((r) => r.id);
  return [...specific, ...GENERIC_RULES];
}

/** Whether a set of objects is Argo CD output only (Applications, ApplicationSets, AppProjects). */
export function isArgoCdOutput(objects: readonly LoadedObject[]): boolean {
  return objects.length > 0 && objects.every((o) => ARGOCD_KINDS.includes(o.object.kind));
}

function identity(f: Finding): string {
  return `${f.rule}\u0000${f.resource}\u0000${f.file}:${f.line}\u0000${f.message}`;
}

/**
 * Validates the Argo CD objects of every environment at once (the project, the Applications and
 * the ApplicationSet of `dist/argocd`): the Argo CD rules run once per environment, each judging
 * that environment's Applications against its configuration, and the findings are merged. The
 * documents that are not Kubernetes objects (`documents`) are either the ApplicationSet's
 * parameter files (checked against its templates) or findings; `root` is the validated
 * directory, which the generators' repository paths are matched against.
 */
export function validateArgoCd(
  objects: readonly LoadedObject[],
  options: { envs: readonly EnvironmentConfig[]; topology: Topology; documents?: readonly NotAnObject[]; root?: string; rules?: readonly string[] },
): { findings: Finding[]; suppressed: SuppressedFinding[]; summary: Summary } {
  const rules = (options.rules ?? argoCdRuleIds()).map((id) => RULE_REGISTRY.get(id)!);
  const ids = new Set(RULE_REGISTRY.keys());
  const findings = new Map<string, Finding>();
  const suppressed = new Map<string, SuppressedFinding>();
  for (const env of options.envs) {
    const report = runRules(objects, { env, topology: options.topology, documents: options.documents, root: options.root }, rules, ids);
    for (const f of report.findings) findings.set(identity(f), f);
    for (const f of report.suppressed) suppressed.set(identity(f), f);
  }
  const all = [...findings.values()].sort(compareFindings);
  return {
    findings: all,
    suppressed: [...suppressed.values()].sort(compareFindings),
    summary: {
      errors: all.filter((f) => f.severity === 'error').length,
      warnings: all.filter((f) => f.severity === 'warning').length,
      suppressed: suppressed.size,
      objects: objects.length,
      files: new Set([...objects.map((o) => o.location.file), ...(options.documents ?? []).map((d) => d.file)]).size,
      environment: options.envs.map((e) => e.name).join(', '),
      folded: 0,
    },
  };
}
