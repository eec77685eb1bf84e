/**
 * Argo CD sync waves: the admission policies that judge everything else first, then the
 * namespace and secret bindings, then data stores, then the applications, then the edge. Lower
 * waves are applied and healthy before higher ones start.
 * A standalone claim goes in the wave of its first consumer, never earlier: under a
 * `WaitForFirstConsumer` storage class it stays Pending (Progressing) until a pod uses it.
 */
export const SyncWave = {
  ADMISSION: -4,
  NAMESPACE: -3,
  BINDINGS: -2,
  DATA_STORES: -1,
  /** AnalysisTemplates exist before the Rollouts whose promotion runs them. */
  ROLLOUT_ANALYSIS: -1,
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

/**
 * Keeps an object out of every prune and delete Argo CD could do — a sync that no longer finds
 * it, or the deletion of its Application — for data that must survive: the Namespace (deleting
 * it deletes every claim in it) and the claims.
 */
export const NEVER_PRUNE: Record<string, string> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
};
