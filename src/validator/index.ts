/**
 * The companion validator: judges rendered (or hand-edited) manifests against the topology
 * declared in code and an environment's configuration, on its own reading of Kubernetes
 * semantics. Pure: nothing here prints or exits.
 *
 * ```ts
 * const report = validateDirectory('dist/production');              // env inferred from the name
 * if (report.summary.errors > 0) ...
 * const again = validateObjects(parsed, { env, topology: CTIS_TOPOLOGY });  // the synth gate
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, inferEnvironment, loadEnvironment } from '../config/load';
import { UsageError } from '../errors';
import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName } from '../config/schema';
import { LoadedObject, loadManifests, ManifestError, NotAnObject } from '../manifests';
import { CTIS_TOPOLOGY } from '../topology/ctis';
import type { Topology } from '../topology/model';
import { Finding, runRules, Summary, SuppressedFinding } from './engine';
import { ConnectivityGraph, networkAnalysis } from './network';
import { RULE_REGISTRY } from './rules';
import { argoCdRuleIds, isArgoCdOutput, validateArgoCd } from './argocd';
import type { Rule } from './rule';

export type { Finding, Summary, SuppressedFinding } from './engine';
export type { Rule, RuleFinding, Severity } from './rule';
export type { ConnectivityGraph, GraphEdge, GraphNode } from './network';
export { RULE_REGISTRY, allRules } from './rules';
export { SUPPRESS_PREFIX } from './suppression';
export { PRE_PROVISIONED_ANNOTATION } from './rules/secrets';
export { ManifestError } from '../manifests';
export { inferEnvironment };
export { ARGOCD_KINDS, argoCdRuleIds, isArgoCdOutput, validateArgoCd } from './argocd';

/** The result of a validation. */
export interface Report {
  /** Unsuppressed findings, sorted by file, line and rule. */
  readonly findings: Finding[];
  /** Findings silenced by a suppression annotation (counted in the summary). */
  readonly suppressed: SuppressedFinding[];
  readonly summary: Summary;
  /**
   * The directory finding files are relative to, as the caller named it (the validated directory,
   * or the folder of a validated file); absent for {@link validateObjects}.
   */
  readonly baseDir?: string;
  /** The allowed-connection graph, when asked for (`graph: true`). */
  readonly graph?: ConnectivityGraph;
}

/** Options of {@link validateObjects}. */
export interface ValidateObjectsOptions {
  readonly env: EnvironmentConfig;
  readonly topology: Topology;
  /** Run only these rule ids (e.g. in tests). @default - every rule */
  readonly rules?: readonly string[];
  /** Also return the allowed-connection graph. @default false */
  readonly graph?: boolean;
  /** Documents of the validated files that are not Kubernetes objects (each is a finding). @default none */
  readonly documents?: readonly NotAnObject[];
  /** The validated directory, absolute (repository paths are matched against it). */
  readonly root?: string;
}

/** Options of {@link validateDirectory}. */
export interface ValidateDirectoryOptions {
  /** @default - inferred from the directory name (`dist/production` -> production) */
  readonly env?: EnvironmentName;
  /** @default CTIS_TOPOLOGY */
  readonly topology?: Topology;
  /** Folder of `<env>.yaml`. @default - the project's `config/` */
  readonly configDir?: string;
  readonly rules?: readonly string[];
  readonly graph?: boolean;
  /** Largest manifest file read. @default - the loader's limit */
  readonly maxFileBytes?: number;
}

export { UsageError };

/** Input the validator cannot judge: unreadable/malformed manifests or configuration. */
export type InputError = ManifestError | ConfigError | UsageError;

/** Whether an error is one of the validator's typed input errors (exit 2) rather than a bug. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof ManifestError || e instanceof ConfigError || e instanceof UsageError;
}

/**
 * Validates already-loaded objects against an environment. Never throws for anything in the
 * objects; throws {@link UsageError} for an unknown rule id.
 */
export function validateObjects(objects: readonly LoadedObject[], options: ValidateObjectsOptions): Report {
  const rules = selectRules(options.rules);
  const result = runRules(objects, { env: options.env, topology: options.topology, documents: options.documents, root: options.root }, rules, new Set(RULE_REGISTRY.keys()));
  let graph: ConnectivityGraph | undefined;
  if (options.graph) {
    try {
      graph = networkAnalysis(result.context).graph;
    } catch {
      graph = undefined;
    }
  }
  return { findings: result.findings, suppressed: result.suppressed, summary: result.summary, ...(graph ? { graph } : {}) };
}

/** The rules to run: every rule, or the ones named (an unknown id is a usage error). */
function selectRules(ids: readonly string[] | undefined, among: readonly string[] = [...RULE_REGISTRY.keys()]): Rule[] {
  if (!ids) return among.map((r) => RULE_REGISTRY.get(r)!);
  const unknown = ids.filter((r) => !RULE_REGISTRY.has(r));
  if (unknown.length > 0) throw new UsageError(`unknown rule id ${unknown.join(', ')}`);
  return ids.filter((r) => among.includes(r)).map((r) => RULE_REGISTRY.get(r)!);
}

/**
 * Loads a directory of manifests and the environment's configuration, and validates. A directory
 * that holds only Argo CD objects (`dist/argocd`) is validated as the Argo CD output, against
 * every environment (or the one named): its Applications, ApplicationSet, project and the
 * ApplicationSet's parameter files. Documents that are not Kubernetes objects are findings, not
 * errors.
 * @throws ManifestError for unreadable files or YAML that does not parse, ConfigError for a bad
 *   configuration, UsageError when the environment is unknown or cannot be inferred
 */
export function validateDirectory(dir: string, options: ValidateDirectoryOptions = {}): Report {
  let isFile = false;
  try {
    isFile = fs.statSync(dir).isFile();
  } catch (e) {
    // Say so before anything else (the environment cannot be inferred from a path that is not there).
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ManifestError('path does not exist', dir);
  }
  if (options.env !== undefined && !ENVIRONMENT_NAMES.includes(options.env)) {
    throw new UsageError(`unknown environment "${String(options.env)}" (expected ${ENVIRONMENT_NAMES.join(', ')})`);
  }
  const topology = options.topology ?? CTIS_TOPOLOGY;
  const documents: NotAnObject[] = [];
  const objects = loadManifests(dir, { ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}), onNotAnObject: (d) => documents.push(d) });
  const baseDir = isFile ? path.dirname(dir) : dir;
  const root = path.resolve(baseDir);
  if (isArgoCdOutput(objects)) {
    const envs = (options.env ? [options.env] : ENVIRONMENT_NAMES).map((n) => loadEnvironment(n, topology, options.configDir));
    const ids = selectRules(options.rules, argoCdRuleIds()).map((r) => r.id);
    const report = validateArgoCd(objects, { envs, topology, documents, root, rules: ids });
    return { ...report, summary: { ...report.summary, target: dir }, baseDir };
  }
  const envName = options.env ?? inferEnvironment(dir);
  if (!envName) {
    throw new UsageError(`cannot tell the environment of ${dir}: pass --env (${ENVIRONMENT_NAMES.join(', ')})`);
  }
  const env = loadEnvironment(envName, topology, options.configDir);
  const report = validateObjects(objects, { env, topology, rules: options.rules, graph: options.graph, documents, root });
  return { ...report, summary: { ...report.summary, target: dir }, baseDir };
}
