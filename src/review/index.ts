/**
 * Review of rendered output: a semantic, per-resource diff between two renders (committed
 * `dist/`, a git revision, a fresh in-memory render), and its text and markdown reports.
 *
 * ```ts
 * const report = diffSets(
 *   { label: 'dist/', set: fromDirectory('dist') },
 *   { label: 'fresh render', set: fromRenderedFiles(renderFromConfig(CTIS_TOPOLOGY)) },
 * );
 * if (hasChanges(report)) console.log(formatText(report));
 * ```
 */
export * from './model';
export { deepEqual, diffSets, diffValues, environmentsOf, formatPath } from './compare';
export type { DiffOptions } from './compare';
export { fromDirectory, fromGitRef, fromRenderedFiles, fromRenderedObjects, readCommitted, resourceKey, ReviewInputError } from './sources';
export type { CommittedSet } from './sources';
export { FORMATTERS, formatMarkdown, formatText } from './formatters';
export type { Formatter } from './formatters';
