/**
 * Argo CD sync waves: the namespace and secret bindings first, then data stores, then the
 * applications, then the edge. Lower waves are applied and healthy before higher ones start.
 */
export const SyncWave = {
  NAMESPACE: -3,
  BINDINGS: -2,
  DATA_STORES: -1,
  APPS: 0,
  EDGE: 1,
  /**
   * Scheduled tasks and the claims they alone mount, after everything else. Such a claim stays
   * Pending under `WaitForFirstConsumer` until the first run, and Argo CD waits for the health of
   * every wave but the last before it starts the next: here it holds nothing up.
   */
  TASKS: 2,
} as const;

export function syncWave(wave: number): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/** Keeps an object out of every prune and delete a sync could do (data that must survive). */
export const NEVER_PRUNE: Record<string, string> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
};
