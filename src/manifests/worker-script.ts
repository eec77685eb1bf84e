/**
 * Where the parse worker's JavaScript is: a bundle of `parse-worker.ts` built by the project's
 * launcher (`scripts/run.js`, which builds every command the same way and rebuilds when a source
 * changes). Loaded at run time from the project, never bundled into a command.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { projectRoot } from '../project-root';

/** The worker's entry point, relative to the project root. */
export const PARSE_WORKER_ENTRY = 'src/manifests/parse-worker.ts';

let script: string | null | undefined;

/**
 * The path of the parse worker's bundle, built first when missing or stale; undefined when it
 * cannot be had (no launcher or no esbuild beside the code, or the build failed): then reading
 * stays on one thread. Decided once per process.
 */
export function parseWorkerScript(): string | undefined {
  if (script === undefined) {
    try {
      const root = projectRoot();
      const launcher = createRequire(__filename)(path.join(root, 'scripts', 'run.js')) as { ensureBuilt(entry: string, root?: string): string };
      script = launcher.ensureBuilt(PARSE_WORKER_ENTRY, root);
    } catch {
      script = null;
    }
  }
  return script ?? undefined;
}
