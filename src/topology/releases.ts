import type { EnvironmentConfig } from '../config/schema';
import { blueGreenOf } from '../config/strategy';
import type { EffectiveComponent, InboundEdge } from './effective';

/** Name of the Argo Rollouts controller as a peer of the components (a node of the network analysis). */
export const ROLLOUTS_CONTROLLER = 'argo-rollouts';

/**
 * The connections blue-green releases add: the pre-promotion analysis of a component is a web
 * metric the Argo Rollouts controller requests from the preview pods' readiness endpoint, so the
 * controller's pods reach the component's health port (on both colours: policies cannot tell them
 * apart). Nothing where no component has an analysis.
 */
export function releaseInbound(components: readonly EffectiveComponent[], env: EnvironmentConfig): InboundEdge[] {
  const controller = env.rollouts?.controller;
  if (!controller) return [];
  const from = { name: ROLLOUTS_CONTROLLER, namespace: controller.namespace, labels: controller.podLabels };
  const out: InboundEdge[] = [];
  for (const c of components) {
    const w = env.workloads[c.id];
    if (w && c.inCluster && blueGreenOf(w)?.prePromotionAnalysis) {
      out.push({ from, to: c.id, port: c.healthPort, purpose: 'pre-promotion analysis' });
    }
  }
  return out;
}
