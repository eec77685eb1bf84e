/** `child-render.ts <components> <outDir>`: the real generator on a synthetic topology (see `child.ts`). */
import { ENV, report, synthetic } from './child';

async function main(): Promise<void> {
  const [components, outDir] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const { renderAll } = await import('../charts/app');
  const { writeAtomically } = await import('../src/synth');
  const { topology, env } = await synthetic(Number(components));
  const files = renderAll(topology, [env]);
  writeAtomically(outDir, files);
  let objects = 0;
  for (const [file, text] of files) if (file.startsWith(`${ENV}/`)) objects += (text.match(/^---$/gm) ?? []).length;
  report({ objects, files: files.size }, started);
}

void main();
