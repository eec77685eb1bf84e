/** `child-validate.ts <components> <dir>`: load the directory and validate it against the synthetic topology (see `child.ts`). */
import * as path from 'path';
import { report, synthetic } from './child';

async function main(): Promise<void> {
  const [components, dir] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const { loadManifests } = await import('../src/manifests');
  const { validateObjects } = await import('../src/validator');
  const { topology, env } = await synthetic(Number(components));
  const objects = loadManifests(path.join(dir, env.name));
  const result = validateObjects(objects, { env, topology });
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  report({ objects: objects.length, errors }, started);
}

void main();
