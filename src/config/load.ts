import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { z } from 'zod';
import { readBlockYaml } from '../manifests/block-yaml';
import { projectRoot } from '../project-root';
import { Topology } from '../topology/model';
import { runbookIssues } from './runbook-checks';
import { ENVIRONMENT_NAMES, EnvironmentConfig, EnvironmentName, environmentSchema } from './schema';

/** A user-caused configuration problem: one line naming the file, environment and field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly environment: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: environment "${environment}": ${field ? `field ${field}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

/** Default folder of the environment files, `config/` of the project. */
export const CONFIG_DIR = path.join(projectRoot(), 'config');

type Issue = z.core.$ZodIssue;

/**
 * The most useful reading of a schema issue: unknown keys are named as fields, and for a
 * union (e.g. fixed replicas or HPA bounds) the branch that came closest is explained.
 */
function describeIssue(issue: Issue): { path: PropertyKey[]; message: string; issue: Issue } {
  if (issue.code === 'unrecognized_keys') {
    return { path: [...issue.path, issue.keys[0]], message: 'is not a known field (check the spelling)', issue };
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch with the fewest problems (each unknown key counts) is the one the author meant.
    const weight = (issues: Issue[]) => issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);
    const best = [...issue.errors].sort((a, b) => weight(a) - weight(b))[0];
    if (best.length > 0) {
      const inner = describeIssue(best[0]);
      return { path: [...issue.path, ...inner.path], message: inner.message, issue: inner.issue };
    }
  }
  return { path: issue.path, message: issue.message, issue };
}

/** What `data` holds at `path`: a value, an explicit null (`field:` with nothing after it), or nothing. */
function valueAt(data: unknown, path: readonly PropertyKey[]): 'value' | 'null' | 'absent' {
  let at: unknown = data;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return 'absent';
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at === undefined ? 'absent' : at === null ? 'null' : 'value';
}

/**
 * A field without a value says so (`is required (expected array)`, `has no value (expected
 * array)`), rather than the schema library's `Invalid input: expected array, received
 * undefined`; messages the schema words itself stay.
 */
function describeMissing(issue: Issue, message: string, found: 'null' | 'absent'): string {
  if (!/^Invalid (input|option)/.test(message)) return message;
  const what = found === 'absent' ? 'is required' : 'has no value';
  if (issue.code === 'invalid_type') return `${what} (expected ${issue.expected})`;
  if (issue.code === 'invalid_value') return `${what} (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
  return what;
}

/**
 * Parses and checks one environment's configuration (already read as data). Throws a
 * ConfigError naming the first bad field; nothing is rendered from an invalid file.
 */
export function parseEnvironment(data: unknown, file: string, expectedName: string, topology: Topology): EnvironmentConfig {
  // Interpreted: compiling a fast path (zod's `new Function`) costs more than it saves on the
  // few files of one run.
  const result = environmentSchema.safeParse(data, { jitless: true });
  if (!result.success) {
    if (data === undefined || data === null) throw new ConfigError(file, expectedName, '', 'the file holds no configuration (expected a mapping of fields)');
    const { path, message, issue } = describeIssue(result.error.issues[0]);
    const found = valueAt(data, path);
    throw new ConfigError(file, expectedName, path.join('.'), found === 'value' ? message : describeMissing(issue, message, found));
  }
  const env = result.data;
  if (env.name !== expectedName) {
    throw new ConfigError(file, expectedName, 'name', `must be "${expectedName}" to match the file name, got "${env.name}"`);
  }
  const issues = runbookIssues(env, topology);
  if (issues.length > 0) throw new ConfigError(file, expectedName, issues[0].path, issues[0].message);
  return env;
}

/** js-yaml's readings of the scalars whose type it decides, shared by every configuration file. */
const scalarTypes = new Map<string, unknown>();

/**
 * The value of an environment file's YAML, read with the YAML 1.2 core schema (the block reader
 * where it can, else js-yaml).
 * @throws yaml.YAMLException for malformed YAML
 */
export function readConfigYaml(text: string, filename?: string): unknown {
  return readBlockYaml(text, yaml.CORE_SCHEMA, scalarTypes) ?? yaml.load(text, { filename, schema: yaml.CORE_SCHEMA });
}

/** Reads `config/<name>.yaml` and checks it. */
export function loadEnvironment(name: EnvironmentName, topology: Topology, dir: string = CONFIG_DIR): EnvironmentConfig {
  const file = path.join(dir, `${name}.yaml`);
  // Relative to the working folder when inside it, else as an absolute path (never `../../tmp/...`).
  const relative = path.relative(process.cwd(), file);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(shown, name, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = readConfigYaml(text, shown);
  } catch (e) {
    const err = e as yaml.YAMLException;
    throw new ConfigError(`${shown}:${(err.mark?.line ?? 0) + 1}`, name, '', `malformed YAML: ${err.reason}`);
  }
  return parseEnvironment(data, shown, name, topology);
}

/** Loads every environment; the first invalid one stops everything. */
export function loadAllEnvironments(topology: Topology, dir?: string): EnvironmentConfig[] {
  return ENVIRONMENT_NAMES.map((name) => loadEnvironment(name, topology, dir));
}

/**
 * The environment a path belongs to, guessed from its own name or its parent's: `dist/production`,
 * `dist/production/` and `dist/production/api.yaml` are production. The one guess every command
 * makes from a folder name.
 */
export function inferEnvironment(dir: string): EnvironmentName | undefined {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean).reverse();
  for (const p of parts.slice(0, 2)) {
    const hit = ENVIRONMENT_NAMES.find((n) => n === p);
    if (hit) return hit;
  }
  return undefined;
}
