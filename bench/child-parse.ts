/** `child-parse.ts <dir>`: the floor — read and parse every YAML file with js-yaml, nothing else (see `child.ts`). */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { listManifestFiles } from '../src/manifests/files';
import { ENV, report } from './child';

const started = process.hrtime.bigint();
const dir = path.join(process.argv[2], ENV);
let objects = 0;
for (const f of listManifestFiles(dir)) for (const d of yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8'))) if (d) objects++;
report({ objects }, started);
