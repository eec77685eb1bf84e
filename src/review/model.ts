/**
 * The data a review works on: rendered output indexed per environment and per resource, and
 * the semantic differences between two such sets. Formatters turn a {@link DiffReport} into
 * text; nothing here prints.
 */

/** One document of a rendered output, indexed by {@link resourceKey}. */
export interface ResourceDoc {
  /** `apiVersion kind namespace/name` (`apiVersion kind name` when cluster-scoped or without a namespace). */
  readonly key: string;
  /** Top-level folder of the output the document is in: the environment, or `argocd`. */
  readonly env: string;
  /** Path of the file relative to the output folder, `/`-separated. */
  readonly file: string;
  /** The parsed document. */
  readonly object: unknown;
}

/** Documents per environment, each keyed by resource. */
export type ManifestSet = Map<string, Map<string, ResourceDoc>>;

/** A readable label of where a {@link ManifestSet} came from (for report headers). */
export interface LabelledSet {
  readonly label: string;
  readonly set: ManifestSet;
}

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One field that differs between two versions of a resource. */
export interface FieldChange {
  /** e.g. `spec.template.spec.containers[name=api].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  readonly path: string;
  readonly kind: ChangeKind;
  /** The base value (absent for `added`). */
  readonly old?: unknown;
  /** The head value (absent for `removed`). */
  readonly new?: unknown;
}

export interface ResourceChange {
  readonly key: string;
  /** File of the resource in the head output (where a reviewer finds the new version). */
  readonly file: string;
  readonly changes: readonly FieldChange[];
}

export interface EnvironmentDiff {
  readonly env: string;
  /** In the head output only. */
  readonly added: readonly ResourceDoc[];
  /** In the base output only. */
  readonly removed: readonly ResourceDoc[];
  readonly changed: readonly ResourceChange[];
}

export interface DiffReport {
  /** What the changes are relative to, e.g. `dist/` or `origin/main:dist/`. */
  readonly base: string;
  /** What was compared with it, e.g. `fresh render`. */
  readonly head: string;
  /** Every environment present in either output, in output order, including those without changes. */
  readonly environments: readonly EnvironmentDiff[];
}

export function envHasChanges(e: EnvironmentDiff): boolean {
  return e.added.length + e.removed.length + e.changed.length > 0;
}

export function hasChanges(report: DiffReport): boolean {
  return report.environments.some(envHasChanges);
}

/** Totals over every environment. */
export function totals(report: DiffReport): { added: number; removed: number; changed: number } {
  let added = 0;
  let removed = 0;
  let changed = 0;
  for (const e of report.environments) {
    added += e.added.length;
    removed += e.removed.length;
    changed += e.changed.length;
  }
  return { added, removed, changed };
}
