/**
 * How an Argo Rollouts `Rollout` releases: which Services its controller rewrites and which
 * analyses its promotion waits for. Read the same way by the validator, the Argo CD files and the
 * tests.
 */
import { at, isRecord, list, str } from './fields';
import { workloadKindOf } from './kinds';

/**
 * The label the Rollouts controller adds to the pods of each colour and to the selectors of the
 * Services it manages. It changes with every release: selectors in manifests never name it.
 */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * Kinds that run a component's pods in turn when it switches between rolling (Deployment) and
 * blue-green (Rollout) releases: readers comparing two outputs treat a workload of one kind and one
 * of the other with the same namespace and name as the same workload.
 */
export const RELEASE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'Rollout']);

/** The annotation the Rollouts controller puts on a Service whose selector it manages (live objects only). */
export const ROLLOUT_MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';

type Path = (string | number)[];

/** An AnalysisTemplate (or ClusterAnalysisTemplate) a Rollout's analysis names. */
export interface AnalysisTemplateRef {
  readonly name: string;
  readonly clusterScope: boolean;
  readonly path: Path;
}

/** `spec.strategy.blueGreen` of a Rollout, as read. */
export interface RolloutBlueGreen {
  /** The Service clients use (undefined when missing). */
  readonly activeService?: string;
  /** The Service of the new colour before promotion (undefined when missing). */
  readonly previewService?: string;
  /** Whether traffic moves without a manual promotion (the controller's default is true). */
  readonly autoPromotionEnabled: boolean;
  readonly scaleDownDelaySeconds?: number;
  /** Pods the preview runs with (default: as many as the active colour). */
  readonly previewReplicaCount?: number;
  /** Templates of the pre-promotion analysis. */
  readonly prePromotionAnalysis: readonly AnalysisTemplateRef[];
  /** Path of `blueGreen` in the Rollout. */
  readonly path: Path;
}

function templateRefs(analysis: unknown, path: Path): AnalysisTemplateRef[] {
  const out: AnalysisTemplateRef[] = [];
  list(at(analysis, ['templates'])).forEach((t, i) => {
    const name = isRecord(t) ? str(t.templateName) : undefined;
    if (name) out.push({ name, clusterScope: isRecord(t) && t.clusterScope === true, path: [...path, 'templates', i] });
  });
  return out;
}

/** The blue-green strategy of a Rollout, or undefined for another object or strategy. */
export function rolloutBlueGreen(obj: { apiVersion?: unknown; kind?: unknown }): RolloutBlueGreen | undefined {
  if (workloadKindOf(obj)?.kind !== 'Rollout') return undefined;
  const path = ['spec', 'strategy', 'blueGreen'];
  const bg = at(obj, path);
  if (!isRecord(bg)) return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const activeService = str(bg.activeService);
  const previewService = str(bg.previewService);
  const scaleDownDelaySeconds = num(bg.scaleDownDelaySeconds);
  const previewReplicaCount = num(bg.previewReplicaCount);
  return {
    ...(activeService ? { activeService } : {}),
    ...(previewService ? { previewService } : {}),
    autoPromotionEnabled: bg.autoPromotionEnabled !== false,
    ...(scaleDownDelaySeconds !== undefined ? { scaleDownDelaySeconds } : {}),
    ...(previewReplicaCount !== undefined ? { previewReplicaCount } : {}),
    prePromotionAnalysis: templateRefs(bg.prePromotionAnalysis, [...path, 'prePromotionAnalysis']),
    path,
  };
}

/**
 * The Services whose selectors a Rollout's controller rewrites: the active and preview Services of
 * a blue-green Rollout, the stable and canary Services of a canary one.
 */
export function rolloutManagedServices(obj: { apiVersion?: unknown; kind?: unknown }): string[] {
  if (workloadKindOf(obj)?.kind !== 'Rollout') return [];
  const strategy = at(obj, ['spec', 'strategy']);
  const names = [
    str(at(strategy, ['blueGreen', 'activeService'])),
    str(at(strategy, ['blueGreen', 'previewService'])),
    str(at(strategy, ['canary', 'stableService'])),
    str(at(strategy, ['canary', 'canaryService'])),
  ];
  return [...new Set(names.filter((n): n is string => !!n))];
}
