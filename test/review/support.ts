import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { renderAllObjects, renderFromConfig } from '../../charts/app';
import { main } from '../../src/cli/diff';
import { RenderedFiles, toYaml, writeAtomically } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { Manifest } from '../support/k8s';
import { capture } from '../support/cli';

/** A rendered document (narrow it with `isKind` to read more). */
export type Doc = Manifest;

let fresh: RenderedFiles | undefined;

/** What `npm run synth` renders from the shipped configuration (rendered once per test file). */
export function freshRender(): RenderedFiles {
  return (fresh ??= renderFromConfig(CTIS_TOPOLOGY));
}

/** A copy of the rendered files with one file's documents edited. */
export function editFile(files: RenderedFiles, rel: string, edit: (docs: Doc[]) => Doc[]): RenderedFiles {
  const copy = new Map(files);
  const docs = (yaml.loadAll(copy.get(rel)!, undefined, { schema: yaml.CORE_SCHEMA }) as Doc[]).filter(Boolean);
  copy.set(rel, toYaml(edit(docs)));
  return copy;
}

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A temporary folder holding `files` as a `dist/`, removed after the test file. */
export function writeDist(files: RenderedFiles): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-review-'));
  temporary.push(root);
  const dist = path.join(root, 'dist');
  writeAtomically(dist, files);
  return dist;
}

/** Runs `npm run diff` in process. */
export function runDiff(...argv: string[]): { code: number; out: string; err: string } {
  const { io, out, err } = capture();
  const code = main(argv, io, renderAllObjects);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
