/** Golden-file helpers shared by the connectivity tests (not a test file itself). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/connectivity';

export const SCENARIOS = path.join(__dirname, 'scenarios');

/** Scenario directories with manifests under `manifests/` and `expected.<format>` beside them. */
export const SCENARIO_NAMES = ['ctis', 'ctis-holes', 'ctis-v2', 'ipblocks', 'pods-and-lists', 'shop'];

/** Diffs: expected files in `scenarios/<name>/expected.<format>`. */
export const DIFFS = [
  { name: 'diff-ctis-v1-v2', base: 'ctis', head: 'ctis-v2' },
  { name: 'diff-ctis-holes', base: 'ctis', head: 'ctis-holes' },
];

export const FORMATS = ['txt', 'json', 'mermaid', 'dot'] as const;

export function manifestsOf(scenario: string): string {
  return path.join(SCENARIOS, scenario, 'manifests');
}

/**
 * Compares `actual` with the golden file. With `UPDATE_GOLDEN=1` the golden file is rewritten;
 * on a mismatch `<file>.actual` is written beside it (gitignored) so the difference can be read
 * with any diff tool.
 */
export function expectGolden(file: string, actual: string): void {
  const actualFile = `${file}.actual`;
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(file, actual);
    fs.rmSync(actualFile, { force: true });
    return;
  }
  if (!fs.existsSync(file)) {
    fs.writeFileSync(actualFile, actual);
    throw new Error(`golden file ${file} is missing; wrote ${actualFile} (run with UPDATE_GOLDEN=1 to accept)`);
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== actual) {
    fs.writeFileSync(actualFile, actual);
  } else {
    fs.rmSync(actualFile, { force: true });
  }
  expect(actual).toBe(expected);
}

/** Runs the connectivity command in-process: exit code and what it wrote. */
export function runConnectivity(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}
