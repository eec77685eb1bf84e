import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderAllObjects } from '../../charts/app';
import { main as synth } from '../../src/cli/synth';
import type { CliIo } from '../../src/cli/kit';

const main = (argv: string[], io: CliIo) => synth(argv, io, renderAllObjects);

function capture() {
  const lines: string[] = [];
  const line = { write: (t: string) => lines.push(t.replace(/\n$/, '')) };
  return { lines, io: { stdout: line, stderr: line } };
}

describe('synth --out never replaces a folder that is not rendered output', () => {
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-out-'))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test.each([
    ['a folder with other files', (dir: string) => { fs.mkdirSync(dir); fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep\n'); }],
    ['a repository', (dir: string) => { fs.mkdirSync(path.join(dir, '.git'), { recursive: true }); fs.mkdirSync(path.join(dir, 'src')); }],
    ['a file', (dir: string) => fs.writeFileSync(dir, 'keep\n')],
  ])('%s is refused and left as it was', (_name, make) => {
    const target = path.join(work, 'target');
    make(target);
    const before = fs.statSync(target).isDirectory() ? fs.readdirSync(target).sort() : fs.readFileSync(target, 'utf8');
    const { lines, io } = capture();
    expect(main(['--out', target], io)).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^synth: will not replace .*target: /);
    const after = fs.statSync(target).isDirectory() ? fs.readdirSync(target).sort() : fs.readFileSync(target, 'utf8');
    expect(after).toEqual(before);
  });

  test('a new folder and then a previous output are written', () => {
    const target = path.join(work, 'out');
    const { io } = capture();
    expect(main(['--out', target], io)).toBe(0);
    expect(main(['--out', target], io)).toBe(0);
    expect(fs.readdirSync(target).sort()).toEqual(['argocd', 'development', 'production', 'staging']);
  });
});
