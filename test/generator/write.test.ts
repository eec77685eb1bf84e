/**
 * `writeAtomically`: the output folder is replaced by exactly the new files in one step; a
 * failure while writing leaves the previous content untouched; no temporary folders are left
 * behind either way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { replaceFilesAtomically, writeAtomically } from '../../src/synth';
import { hashTree } from './helpers';

let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-write-'));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function seedPrevious(out: string): Map<string, string> {
  fs.mkdirSync(path.join(out, 'staging'), { recursive: true });
  fs.writeFileSync(path.join(out, 'staging', 'api.yaml'), 'previous: api\n');
  fs.writeFileSync(path.join(out, 'staging', 'old-only.yaml'), 'previous: old\n');
  fs.writeFileSync(path.join(out, 'README'), 'previous readme\n');
  return hashTree(out);
}

const siblings = () => fs.readdirSync(work).sort();

test('writes exactly the given files, replacing whatever was there', () => {
  const out = path.join(work, 'dist');
  seedPrevious(out);
  const files = new Map([
    ['staging/api.yaml', 'new: api\n'],
    ['production/api.yaml', 'new: prod\n'],
  ]);
  writeAtomically(out, files);
  expect(hashTree(out).size).toBe(4); // two folders, two files
  expect(fs.readFileSync(path.join(out, 'staging', 'api.yaml'), 'utf8')).toBe('new: api\n');
  expect(fs.readFileSync(path.join(out, 'production', 'api.yaml'), 'utf8')).toBe('new: prod\n');
  expect(fs.existsSync(path.join(out, 'staging', 'old-only.yaml'))).toBe(false);
  expect(fs.existsSync(path.join(out, 'README'))).toBe(false);
  expect(siblings()).toEqual(['dist']);
});

test('creates the output folder (and missing parents) when there was none', () => {
  const out = path.join(work, 'nested', 'deeper', 'dist');
  writeAtomically(out, new Map([['development/a.yaml', 'a: 1\n']]));
  expect(fs.readFileSync(path.join(out, 'development', 'a.yaml'), 'utf8')).toBe('a: 1\n');
  expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
});

test('a failure while writing leaves the previous content byte-identical and no temporary folder', () => {
  const out = path.join(work, 'dist');
  const before = seedPrevious(out);
  // "x" is written as a file, so "x/y.yaml" cannot be created: the write fails part-way through.
  const files = new Map([
    ['a.yaml', 'a\n'],
    ['x', 'a file\n'],
    ['x/y.yaml', 'under a file\n'],
  ]);
  expect(() => writeAtomically(out, files)).toThrow();
  expect(hashTree(out)).toEqual(before);
  expect(siblings()).toEqual(['dist']);
});

test('a failure while writing with no previous output creates nothing', () => {
  const out = path.join(work, 'dist');
  expect(() => writeAtomically(out, new Map([['x', '1'], ['x/y.yaml', '2']]))).toThrow();
  expect(siblings()).toEqual([]);
});

test('a path that cannot be a file name fails without touching the previous content', () => {
  const out = path.join(work, 'dist');
  const before = seedPrevious(out);
  expect(() => writeAtomically(out, new Map([['ok.yaml', 'ok\n'], ['bad\0name.yaml', 'x\n']]))).toThrow();
  expect(hashTree(out)).toEqual(before);
  expect(siblings()).toEqual(['dist']);
});

test('repeated writes leave no temporary folders next to the output', () => {
  const out = path.join(work, 'dist');
  for (let i = 0; i < 3; i++) writeAtomically(out, new Map([[`e/${i}.yaml`, `${i}\n`]]));
  expect(siblings()).toEqual(['dist']);
  expect(fs.readdirSync(path.join(out, 'e'))).toEqual(['2.yaml']);
});

/** A folder left by an interrupted run (pids repeat in containers) is never in the way. */
test('a leftover folder from an interrupted run neither fails the write nor leaks the staging folder', () => {
  const out = path.join(work, 'dist');
  seedPrevious(out);
  const stale = path.join(work, `.dist-old-${process.pid}`);
  fs.mkdirSync(stale);
  fs.writeFileSync(path.join(stale, 'leftover.yaml'), 'stale\n');
  let threw = false;
  try {
    writeAtomically(out, new Map([['staging/api.yaml', 'new\n']]));
  } catch {
    threw = true;
  }
  expect(siblings().filter((n) => n.startsWith('.dist-new-'))).toEqual([]);
  expect(threw).toBe(false);
  expect(fs.readFileSync(path.join(out, 'staging', 'api.yaml'), 'utf8')).toBe('new\n');
});

/** The output folder has the mode an ordinary mkdir gives, never mkdtemp's 0700. */
test('the output folder gets the permissions of an ordinary new folder', () => {
  const reference = path.join(work, 'reference');
  fs.mkdirSync(reference);
  const out = path.join(work, 'dist');
  writeAtomically(out, new Map([['e/a.yaml', 'a\n']]));
  // Under umask 077 an ordinary folder is 0700 as well and the check cannot tell.
  if ((fs.statSync(reference).mode & 0o777) === 0o700) throw new Error('umask 077: cannot tell the modes apart');
  expect((fs.statSync(out).mode & 0o777).toString(8)).toBe((fs.statSync(reference).mode & 0o777).toString(8));
});

describe('replaceFilesAtomically', () => {
  function seed(): { a: string; b: string; c: string } {
    const a = path.join(work, 'a.yaml');
    const b = path.join(work, 'sub', 'b.yaml');
    const c = path.join(work, 'c.yaml');
    fs.mkdirSync(path.dirname(b));
    fs.writeFileSync(a, 'a: old\n');
    fs.writeFileSync(b, 'b: old\n');
    fs.writeFileSync(c, 'c: old\n');
    return { a, b, c };
  }

  test('replaces every given file and leaves no temporary file', () => {
    const { a, b, c } = seed();
    replaceFilesAtomically(new Map([[a, 'a: new\n'], [b, 'b: new\n']]));
    expect([a, b, c].map((f) => fs.readFileSync(f, 'utf8'))).toEqual(['a: new\n', 'b: new\n', 'c: old\n']);
    expect(fs.readdirSync(work).sort()).toEqual(['a.yaml', 'c.yaml', 'sub']);
    expect(fs.readdirSync(path.join(work, 'sub'))).toEqual(['b.yaml']);
  });

  test('a failure half-way gives the files already replaced their previous content back', () => {
    const { a, b } = seed();
    // A folder where the third file should go: its rename fails after the first two succeeded.
    const blocked = path.join(work, 'blocked.yaml');
    fs.mkdirSync(blocked);
    fs.writeFileSync(path.join(blocked, 'keep'), 'x');
    expect(() => replaceFilesAtomically(new Map([[a, 'a: new\n'], [b, 'b: new\n'], [blocked, 'c: new\n']]))).toThrow();
    expect([a, b].map((f) => fs.readFileSync(f, 'utf8'))).toEqual(['a: old\n', 'b: old\n']);
    expect(fs.readdirSync(work).sort()).toEqual(['a.yaml', 'blocked.yaml', 'c.yaml', 'sub']);
    expect(fs.readdirSync(path.join(work, 'sub'))).toEqual(['b.yaml']);
    expect(fs.readdirSync(blocked)).toEqual(['keep']);
  });
});
