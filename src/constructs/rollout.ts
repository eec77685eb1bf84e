import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from './k8s';

/**
 * Argo Rollouts objects (`argoproj.io/v1alpha1`), typed by hand for exactly the fields the stack
 * emits: the generated binding of the Rollout CRD is 18,000 lines (the AnalysisTemplate's 16,000)
 * and would slow every compile for the dozen fields used here. The shape is checked when the
 * object is built (programming errors throw) and against the upstream CRDs in the tests.
 */
export const ARGO_ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `strategy.blueGreen` of a Rollout. */
export interface BlueGreenStrategy {
  /** The Service clients use; the controller points it at the promoted colour. */
  readonly activeService: string;
  /** The Service that reaches the new colour before it is promoted; never routed publicly. */
  readonly previewService: string;
  /** false: the Rollout pauses (Suspended) before the switch until it is promoted. */
  readonly autoPromotionEnabled: boolean;
  /** With automatic promotion: seconds the healthy preview waits before the switch. */
  readonly autoPromotionSeconds?: number;
  /** Seconds the old colour keeps running after the switch. */
  readonly scaleDownDelaySeconds: number;
  /** AnalysisTemplates that must succeed before the switch. */
  readonly prePromotionAnalysis?: { readonly templates: readonly { readonly templateName: string }[] };
}

export interface RolloutProps {
  readonly metadata: ApiObjectMetadata;
  /** Fixed replica count; leave it out when an autoscaler owns the count. */
  readonly replicas?: number;
  readonly revisionHistoryLimit: number;
  /** Seconds a new colour may take to become available before the release is reported failed. */
  readonly progressDeadlineSeconds: number;
  /** Abort the release (the active colour keeps serving) when the deadline passes. */
  readonly progressDeadlineAbort: boolean;
  readonly selector: Record<string, string>;
  /** The pod template, the same one a Deployment of the component would run. */
  readonly template: k8s.PodTemplateSpec;
  readonly blueGreen: BlueGreenStrategy;
}

/** Drops undefined values from a flat mapping, keeping the order of the others. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Checks what the CRD's schema cannot: names, distinct Services, delays the controller needs. */
function checkBlueGreen(name: string, bg: BlueGreenStrategy): void {
  const fail = (why: string) => {
    throw new Error(`Rollout ${name}: ${why}`);
  };
  for (const svc of [bg.activeService, bg.previewService]) if (!DNS_LABEL.test(svc)) fail(`Service name "${svc}" is not a DNS label`);
  if (bg.activeService === bg.previewService) fail('the active and preview Services must differ');
  if (bg.scaleDownDelaySeconds < 30) fail('scaleDownDelaySeconds must be at least 30');
  if (bg.autoPromotionSeconds !== undefined && !bg.autoPromotionEnabled) fail('autoPromotionSeconds needs autoPromotionEnabled');
  if (bg.prePromotionAnalysis && bg.prePromotionAnalysis.templates.length === 0) fail('a pre-promotion analysis needs a template');
}

/**
 * An Argo Rollouts `Rollout` with the blue-green strategy and a full pod template (not a
 * `workloadRef`: the Rollout replaces the Deployment rather than running the template of one).
 * Keys are sorted on output, like every other object's.
 */
export class Rollout extends ApiObject {
  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id, { apiVersion: ARGO_ROLLOUTS_API_VERSION, kind: 'Rollout', metadata: props.metadata, spec: rolloutSpec(props) });
  }
}

/** The Rollout's spec as JSON (the pod template serialised as a Deployment's is). */
function rolloutSpec(props: RolloutProps): Record<string, unknown> {
  checkBlueGreen(props.metadata.name ?? 'Rollout', props.blueGreen);
  const bg = props.blueGreen;
  return compact({
    replicas: props.replicas,
    revisionHistoryLimit: props.revisionHistoryLimit,
    progressDeadlineSeconds: props.progressDeadlineSeconds,
    progressDeadlineAbort: props.progressDeadlineAbort,
    selector: { matchLabels: { ...props.selector } },
    template: k8s.toJson_PodTemplateSpec(props.template),
    strategy: {
      blueGreen: compact({
        activeService: bg.activeService,
        previewService: bg.previewService,
        autoPromotionEnabled: bg.autoPromotionEnabled,
        autoPromotionSeconds: bg.autoPromotionSeconds,
        scaleDownDelaySeconds: bg.scaleDownDelaySeconds,
        prePromotionAnalysis: bg.prePromotionAnalysis
          ? { templates: bg.prePromotionAnalysis.templates.map((t) => ({ templateName: t.templateName })) }
          : undefined,
      }),
    },
  });
}

/** A `web` metric: an HTTP GET the Argo Rollouts controller makes; any non-2xx answer or failed request is an error. */
export interface WebMetric {
  readonly name: string;
  readonly url: string;
  readonly timeoutSeconds: number;
  /** How many measurements. */
  readonly count: number;
  /** Time between measurements, e.g. `10s`. */
  readonly interval: string;
  /** Consecutive errors tolerated before the analysis errors (and the release is aborted). */
  readonly consecutiveErrorLimit: number;
}

export interface AnalysisTemplateProps {
  readonly metadata: ApiObjectMetadata;
  readonly metrics: readonly WebMetric[];
}

/** An `AnalysisTemplate` of web metrics. */
export class AnalysisTemplate extends ApiObject {
  constructor(scope: Construct, id: string, props: AnalysisTemplateProps) {
    super(scope, id, { apiVersion: ARGO_ROLLOUTS_API_VERSION, kind: 'AnalysisTemplate', metadata: props.metadata, spec: analysisSpec(props) });
  }
}

function analysisSpec(props: AnalysisTemplateProps): Record<string, unknown> {
  const fail = (why: string) => {
    throw new Error(`AnalysisTemplate ${props.metadata.name}: ${why}`);
  };
  if (props.metrics.length === 0) fail('needs a metric');
  for (const m of props.metrics) {
    if (!/^https?:\/\/[^\s/]+\/\S*$/.test(m.url)) fail(`metric ${m.name} has no http(s) URL with a path`);
    if (m.count < 1) fail(`metric ${m.name} must measure at least once`);
  }
  return {
    metrics: props.metrics.map((m) => ({
      name: m.name,
      count: m.count,
      interval: m.interval,
      consecutiveErrorLimit: m.consecutiveErrorLimit,
      provider: { web: { url: m.url, timeoutSeconds: m.timeoutSeconds } },
    })),
  };
}
