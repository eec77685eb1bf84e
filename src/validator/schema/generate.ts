/**
 * Regenerates `core-models.json`, the structural schema of the core Kubernetes kinds the
 * validator checks, from `@kubernetes/client-node`'s typed models: the attribute maps of the
 * model classes give field names and types, the declaration files give required fields.
 *
 *   node scripts/run.js src/validator/schema/generate.ts
 *
 * Run it after upgrading `@kubernetes/client-node`. It needs Node 20.19+ (the package is an ES
 * module loaded with `require`). Nothing at validation time depends on it.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CORE_KINDS } from './kinds';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/**
 * Fields whose OpenAPI type is `Quantity` (string or number in manifests) but which the models
 * type as plain strings.
 */
const QUANTITY_FIELDS: Record<string, readonly string[]> = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V2MetricTarget: ['averageValue', 'value'],
  V1LimitRangeItem: ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'],
  V1ResourceQuotaSpec: ['hard'],
  V1PersistentVolumeSpec: ['capacity'],
  V1PodSpec: ['overhead'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1PodStatus: [],
};

function main(): void {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const pkgDir = path.join(root, 'node_modules', '@kubernetes', 'client-node');
  // The package is an ES module: load it from its folder with Node's require (Node 20.19+).
  const lib = createRequire(__filename)(pkgDir) as Record<string, { attributeTypeMap?: Attribute[] }>;
  const models: Record<string, { f: Record<string, string>; r?: string[] }> = {};

  const required = (model: string): Set<string> => {
    const file = path.join(pkgDir, 'dist', 'gen', 'models', `${model}.d.ts`);
    const text = fs.readFileSync(file, 'utf8');
    const out = new Set<string>();
    for (const m of text.matchAll(/^ {4}'([^']+)'(\??):/gm)) if (m[2] !== '?') out.add(m[1]);
    return out;
  };

  const convert = (owner: string, a: Attribute, queue: string[]): string => {
    const quantity = QUANTITY_FIELDS[owner]?.includes(a.baseName);
    const t = a.type;
    const scalar = (s: string, format: string): string | undefined => {
      if (s === 'string') return quantity ? 'quantity' : 'string';
      if (s === 'number') return format === 'double' ? 'number' : 'integer';
      if (s === 'boolean') return 'boolean';
      if (s === 'Date') return 'string';
      if (s === 'IntOrString') return 'int-or-string';
      if (s === 'any' || s === 'object') return 'any';
      return undefined;
    };
    const one = (s: string): string => {
      const sc = scalar(s, a.format);
      if (sc) return sc;
      if (!lib[s]?.attributeTypeMap) throw new Error(`unknown model type ${s} (${owner}.${a.baseName})`);
      queue.push(s);
      return s;
    };
    let m = /^Array<(.+)>$/.exec(t);
    if (m) return `Array<${one(m[1])}>`;
    m = /^\{ \[key: string\]: (.+); \}$/.exec(t);
    if (m) {
      const inner = /^Array<(.+)>$/.exec(m[1]);
      return inner ? `Map<Array<${one(inner[1])}>>` : `Map<${one(m[1])}>`;
    }
    return one(t);
  };

  const queue: string[] = [...new Set(Object.values(CORE_KINDS).flatMap((versions) => Object.values(versions)))];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (models[name]) continue;
    const attrs = lib[name]?.attributeTypeMap;
    if (!attrs) throw new Error(`@kubernetes/client-node has no model ${name}`);
    const req = required(name);
    const f: Record<string, string> = {};
    models[name] = { f };
    for (const a of attrs) f[a.baseName] = convert(name, a, queue);
    const r = [...req].filter((x) => x in f);
    if (r.length > 0) models[name].r = r;
  }
  const sorted = Object.fromEntries(Object.entries(models).sort(([a], [b]) => a.localeCompare(b)));
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const out = path.join(root, 'src', 'validator', 'schema', 'core-models.json');
  fs.writeFileSync(out, `${JSON.stringify({ source: `@kubernetes/client-node ${version}`, models: sorted })}\n`);
  process.stdout.write(`wrote ${Object.keys(sorted).length} models to ${path.relative(process.cwd(), out)}\n`);
}

main();
