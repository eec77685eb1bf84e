/**
 * Regenerates `crd-models.json`, the structural schemas of the custom resources the validator
 * checks, from the upstream CRDs (`CRD_FILES` of `crd-convert.ts`):
 *
 *   node scripts/run.js src/validator/schema/generate-crds.ts [<crd folder>]
 *
 * The folder defaults to `../shared/crds` beside the project. Run it after updating the upstream
 * CRDs or adding a kind to `CRD_FILES`; commit the result. Nothing at validation time reads the
 * CRDs themselves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { convertCrds, CRD_FILES, formatCrdModels } from './crd-convert';

function main(): void {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const dir = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'crds'));
  const files = new Map(CRD_FILES.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  const models = convertCrds(files);
  const out = path.join(root, 'src', 'validator', 'schema', 'crd-models.json');
  fs.writeFileSync(out, formatCrdModels(models));
  process.stdout.write(`wrote ${Object.keys(models.kinds).length} kinds (${models.nodes.length} schema nodes) to ${path.relative(process.cwd(), out)}\n`);
}

main();
