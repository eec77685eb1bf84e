import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project root: the nearest folder above this module that holds `package.json`. The same
 * answer from the sources (tests), from a bundle in `lib/` or from compiled files.
 */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}
