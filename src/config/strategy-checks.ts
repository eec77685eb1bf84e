import type { Topology } from '../topology/model';
import type { ConfigIssue } from './runbook-checks';
import type { EnvironmentConfig } from './schema';
import { blueGreenOf, maxPods } from './strategy';

/**
 * Combinations of release strategy settings the schema cannot refuse on its own: each issue names
 * the field to change. A preview host must be fenced by the admin allow-list (only the Traefik
 * profile renders one), a blue-green component outside development needs two pods per colour, and
 * an analysis needs to know where the Argo Rollouts controller runs, since its pods make the checks.
 */
export function strategyIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const analysed: string[] = [];
  const hostOwners = new Map<string, string>(Object.entries(env.hosts).map(([id, host]) => [host, `hosts.${id}`]));
  for (const [id, w] of Object.entries(env.workloads)) {
    const bg = blueGreenOf(w);
    const c = topology.components.find((x) => x.id === id);
    if (!bg || !c) continue;
    const field = `workloads.${id}.strategy`;
    if (env.name !== 'development' && maxPods(w.scaling) < 2) {
      const scaling = 'replicas' in w.scaling ? 'scaling.replicas' : 'scaling.maxReplicas';
      add(`workloads.${id}.${scaling}`, `must be at least 2 for a blue-green component in ${env.name} (one pod per colour leaves no room for a failure)`);
    } else if (env.name !== 'development' && 'minReplicas' in w.scaling && w.scaling.minReplicas < 2) {
      add(`workloads.${id}.scaling.minReplicas`, `must be at least 2 for a blue-green component in ${env.name} (one pod per colour leaves no room for a failure)`);
    }
    if (bg.autoPromotionSeconds !== undefined && bg.promotion === 'manual') {
      add(`${field}.autoPromotionSeconds`, 'applies to automatic promotion only: remove it, or set promotion: automatic');
    }
    if (bg.prePromotionAnalysis && !c.health) {
      add(`${field}.prePromotionAnalysis`, `${id} declares no health endpoints in the topology for the analysis to check`);
    }
    if (bg.prePromotionAnalysis) analysed.push(id);
    const host = bg.previewHost;
    if (host === undefined) continue;
    if (c.exposure !== 'public') {
      add(`${field}.previewHost`, `${id} is an internal component: a preview host would expose it at the edge; remove previewHost`);
    } else if (env.edge.profile !== 'traefik') {
      add(`${field}.previewHost`, `is not supported by the ${env.edge.profile} profile: a preview host is served only behind the admin allow-list, which only the traefik profile renders`);
    } else if (env.edge.adminAllowList.length === 0) {
      add(`${field}.previewHost`, 'needs edge.adminAllowList: the preview is reachable only from the admin allow-list, which is empty');
    }
    const owner = hostOwners.get(host);
    if (owner) add(`${field}.previewHost`, `"${host}" is already used by ${owner}`);
    hostOwners.set(host, `${field}.previewHost`);
  }
  if (analysed.length > 0 && !env.rollouts) {
    add('rollouts.controller', `is required: the pre-promotion analysis of ${analysed.join(', ')} is run by the Argo Rollouts controller, whose pods the NetworkPolicies must admit to the health port`);
  }
  return issues;
}
