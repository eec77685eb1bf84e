/**
 * Determinism: renders are byte-identical run to run and independent of what else is
 * rendered, and the checked-in `dist/` is exactly what the generator produces now.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { renderAll, renderEnvironment, renderFromConfig } from '../../charts/app';
import type { RenderedFiles } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { CONFIG_DIR, ctisConfigs, ENVIRONMENTS, listFiles, ROOT } from './helpers';

let first: RenderedFiles;
let second: RenderedFiles;

beforeAll(() => {
  first = renderFromConfig(CTIS_TOPOLOGY, CONFIG_DIR);
  second = renderFromConfig(CTIS_TOPOLOGY, CONFIG_DIR);
});

test('every environment is rendered into its own folder', () => {
  const folders = new Set([...first.keys()].map((k) => k.split('/')[0]));
  for (const name of ENVIRONMENTS) expect(folders).toContain(name);
  for (const name of ENVIRONMENTS) expect([...first.keys()].filter((k) => k.startsWith(`${name}/`)).length).toBeGreaterThanOrEqual(5);
});

test('two in-process renders give identical bytes', () => {
  expect(first.size).toBeGreaterThan(0);
  expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
  for (const [rel, text] of first) expect([rel, second.get(rel) === text]).toEqual([rel, true]);
});

test('an environment renders the same alone as together with the others', () => {
  const configs = ctisConfigs();
  expect(configs.length).toBe(ENVIRONMENTS.length);
  for (const config of configs) {
    // Only the environment's own folder: files describing the whole set (e.g. Argo CD) may differ.
    const own = (files: RenderedFiles) => [...files].filter(([rel]) => rel.startsWith(`${config.name}/`));
    const alone = own(renderAll(CTIS_TOPOLOGY, [config]));
    expect(alone.length).toBeGreaterThan(0);
    expect(alone.map(([rel]) => rel).sort()).toEqual(own(first).map(([rel]) => rel).sort());
    for (const [rel, text] of alone) expect([rel, first.get(rel) === text]).toEqual([rel, true]);
    const direct = own(renderEnvironment(CTIS_TOPOLOGY, config));
    expect(direct).toEqual(alone);
  }
  // Rendering the environments in the reverse order changes none of their folders either.
  const inEnvFolder = (rel: string) => ENVIRONMENTS.some((n) => rel.startsWith(`${n}/`));
  const reversed = [...renderAll(CTIS_TOPOLOGY, [...configs].reverse())].filter(([rel]) => inEnvFolder(rel));
  expect(reversed.map(([rel]) => rel).sort()).toEqual([...first.keys()].filter(inEnvFolder).sort());
  for (const [rel, text] of reversed) expect([rel, first.get(rel) === text]).toEqual([rel, true]);
});

test('every rendered file is well-formed multi-document YAML, with no anchors or aliases', () => {
  for (const [rel, text] of first) {
    expect(rel.endsWith('.yaml')).toBe(true);
    const docs = yaml.loadAll(text);
    expect([rel, docs.length > 0]).toEqual([rel, true]);
    expect(text.startsWith('---\n')).toBe(true);
    expect([rel, /(^|\s)[&*][A-Za-z0-9_-]+\s*$/m.test(text)]).toEqual([rel, false]);
    expect(text.endsWith('\n')).toBe(true);
  }
});

describe('the checked-in dist/ is up to date', () => {
  const dist = path.join(ROOT, 'dist');

  test('dist/ exists', () => {
    expect(fs.existsSync(dist)).toBe(true);
  });

  test('each rendered folder of dist/ holds exactly the rendered files, byte for byte', () => {
    const folders = [...new Set([...first.keys()].map((k) => k.split('/')[0]))].sort();
    expect(folders.length).toBeGreaterThanOrEqual(ENVIRONMENTS.length);
    const onDisk = listFiles(dist).filter((rel) => folders.includes(rel.split('/')[0]));
    expect(onDisk).toEqual([...first.keys()].sort());
    const stale: string[] = [];
    for (const [rel, text] of first) {
      if (fs.readFileSync(path.join(dist, rel), 'utf8') !== text) stale.push(rel);
    }
    expect(stale).toEqual([]);
  });
});
