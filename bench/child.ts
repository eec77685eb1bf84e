/**
 * What the measured children of `run.ts` share. Each kind of work is an entry of its own
 * (`child-render.ts`, `child-parse.ts`, `child-validate.ts`), so each has its own bundle and V8
 * code cache, as each npm command does: a cache taken after rendering would leave the validator's
 * code to be compiled on every validation run (about 0.2 s on the large stack), and a parse floor
 * in the validator's bundle would load code it never runs. Each prints one JSON line: the
 * in-process time of the work (module loading included) and the peak resident memory.
 */

/** The environment the synthetic stacks are rendered for (its platform settings are reused). */
export const ENV = 'staging';

/** Prints the result line of a measured child. */
export function report(extra: Record<string, unknown>, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);
}

/** A synthetic topology of `n` components and its environment. */
export async function synthetic(n: number) {
  const { syntheticTopology, syntheticEnvironment } = await import('../src/topology/synthetic');
  const { loadEnvironment } = await import('../src/config/load');
  const { CTIS_TOPOLOGY } = await import('../src/topology/ctis');
  const topology = syntheticTopology({ components: n });
  const env = syntheticEnvironment(loadEnvironment(ENV, CTIS_TOPOLOGY), topology);
  return { topology, env };
}
