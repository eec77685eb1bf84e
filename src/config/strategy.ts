import type { BlueGreenStrategyConfig, ScalingConfig, StrategyConfig, WorkloadConfig } from './schema';

/**
 * Facts about a workload's release strategy that the generator and the configuration checks
 * share: which strategy applies and how many pods can run at once.
 */

const ROLLING: StrategyConfig = { type: 'rolling' };

/** A workload's strategy: `rolling` when the configuration names none. */
export function strategyOf(workload: Pick<WorkloadConfig, 'strategy'>): StrategyConfig {
  return workload.strategy ?? ROLLING;
}

/** The blue-green strategy of a workload, or undefined when it is released rolling. */
export function blueGreenOf(workload: Pick<WorkloadConfig, 'strategy'>): BlueGreenStrategyConfig | undefined {
  const s = strategyOf(workload);
  return s.type === 'blue-green' ? s : undefined;
}

/** Highest number of pods a scaling setting runs outside a release. */
export function maxPods(scaling: ScalingConfig): number {
  return 'replicas' in scaling ? scaling.replicas : scaling.maxReplicas;
}

/**
 * Highest number of pods of a workload that can run at the same time: during a blue-green
 * release both colours run at full size (the preview is scaled like the active colour).
 */
export function concurrentPods(workload: Pick<WorkloadConfig, 'scaling' | 'strategy'>): number {
  return maxPods(workload.scaling) * (blueGreenOf(workload) ? 2 : 1);
}
