/**
 * The README's layout table covers the code: every file under src/, bin/, charts/, scripts/ and
 * bench/ is named in the row of its folder (by file name, by a pattern such as `network*.ts`, or
 * through a subfolder the row names), and every path the table lists exists.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const COVERED = ['src', 'bin', 'charts', 'scripts', 'bench'];

/** Rows of the table under `## Layout`: the paths of the first cell, and the whole row. */
function layoutRows(readme: string): Array<{ paths: string[]; row: string }> {
  const start = readme.indexOf('\n## Layout\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(-1);
  return readme
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((row) => ({ paths: [...row.split(' | ')[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]), row }));
}

/** Files of the project below the folders, tracked or new (what git ignores, such as bench results, left out). */
function projectFiles(folders: readonly string[]): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...folders], { cwd: ROOT, encoding: 'utf8' });
  // A file deleted in the working tree but still in the index is not there to document.
  return out.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)));
}

/** Whether a row names `name`: as `name`, `dir/name`, or a `*` pattern (`network*.ts`) it matches. */
function names(row: string, name: string): boolean {
  return [...row.matchAll(/`([^`\s]+)`/g)].some(([, quoted]) => {
    const last = quoted.replace(/\/$/, '').split('/').pop()!;
    if (!last.includes('*')) return last === name;
    return new RegExp(`^${last.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`).test(name);
  });
}

/** Why a file is not covered by the table, or undefined when it is. */
export function uncovered(rows: ReturnType<typeof layoutRows>, file: string): string | undefined {
  if (rows.some((r) => r.paths.includes(file))) return undefined;
  const folders = rows.flatMap((r) => r.paths.filter((p) => p.endsWith('/') && file.startsWith(p)).map((p) => ({ folder: p, row: r.row })));
  if (folders.length === 0) return `${file}: no row for its folder`;
  const { folder, row } = folders.reduce((a, b) => (b.folder.length > a.folder.length ? b : a));
  const first = file.slice(folder.length).split('/')[0];
  return names(row, first) ? undefined : `${file}: the row of ${folder} does not name ${first}`;
}

describe('the README layout table', () => {
  const rows = layoutRows(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  test('names every file of the code folders in the row of its folder', () => {
    const files = projectFiles(COVERED);
    expect(files.length).toBeGreaterThan(100);
    expect(files.map((f) => uncovered(rows, f)).filter((x) => x !== undefined)).toEqual([]);
  });

  test('lists only paths that exist', () => {
    const listed = rows.flatMap((r) => r.paths).filter((p) => !p.includes('*'));
    expect(listed.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  test('notices a file its folder row does not name, and a folder without a row', () => {
    const table = layoutRows('\n## Layout\n\n| `src/output/` | formatters (`format.ts`), `rules/` |\n\n## Next\n');
    expect(uncovered(table, 'src/output/format.ts')).toBeUndefined();
    expect(uncovered(table, 'src/output/rules/a.ts')).toBeUndefined();
    expect(uncovered(table, 'src/output/words.ts')).toBe('src/output/words.ts: the row of src/output/ does not name words.ts');
    expect(uncovered(table, 'src/other/x.ts')).toBe('src/other/x.ts: no row for its folder');
  });
});
