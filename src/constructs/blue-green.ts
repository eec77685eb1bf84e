import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { BlueGreenStrategyConfig } from '../config/schema';
import { SyncWave, syncWave } from './argocd-annotations';
import { k8s } from './k8s';
import { AnalysisTemplate, ARGO_ROLLOUTS_API_VERSION, Rollout } from './rollout';
import { clusterIpService, ServicePort } from './service';

export interface BlueGreenReleaseProps {
  /** Component id: the Rollout and the active Service are named after it. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly strategy: BlueGreenStrategyConfig;
  /** Fixed replica count, or undefined when an autoscaler owns it. */
  readonly replicas?: number;
  readonly template: k8s.PodTemplateSpec;
  /** The ports of the active Service; the preview Service has the same ones. */
  readonly servicePorts: readonly ServicePort[];
  /** Where the pods answer readiness (required for a pre-promotion analysis). */
  readonly readiness?: { readonly path: string; readonly port: { readonly name: string; readonly containerPort: number } };
}

/** Name of the preview Service of a component released blue-green. */
export function previewServiceName(component: string): string {
  return `${component}-preview`;
}

/** Name of the AnalysisTemplate that checks a component's preview before promotion. */
export function previewAnalysisName(component: string): string {
  return `${component}-preview-health`;
}

/**
 * The blue-green parts of a component (the active Service is the component's own): the Rollout,
 * the preview Service selecting the same pods (the controller narrows both Services to one colour
 * by the pod-template hash it adds to their selectors), and the AnalysisTemplate whose web metric
 * asks the preview pods' readiness endpoint through the preview Service before traffic moves. The
 * analysis runs in the Argo Rollouts controller, so the component's NetworkPolicy must admit the
 * controller's pods to the readiness port.
 */
export class BlueGreenRelease extends Construct {
  /** What the component's autoscaler scales. */
  readonly scaleTarget: k8s.CrossVersionObjectReferenceV2;

  constructor(scope: Construct, id: string, props: BlueGreenReleaseProps) {
    super(scope, id);
    const s = props.strategy;
    const preview = previewServiceName(props.name);
    const meta = (name: string, wave: number) => ({ name, labels: props.labels, annotations: syncWave(wave) });

    // The readiness port is on the preview Service even where clients use another one (mTLS).
    const ports = [...props.servicePorts];
    let readinessPort: number | undefined;
    if (props.readiness) {
      const r = props.readiness;
      const existing = ports.find((p) => p.targetPort === r.port.name);
      if (existing) readinessPort = existing.port;
      else {
        ports.push({ name: r.port.name, port: r.port.containerPort, targetPort: r.port.name });
        readinessPort = r.port.containerPort;
      }
    }
    new k8s.KubeService(this, 'PreviewService', { metadata: meta(preview, SyncWave.APPS), spec: clusterIpService(props.selector, ports) });

    let analysis: string | undefined;
    if (s.prePromotionAnalysis) {
      if (!props.readiness || readinessPort === undefined) throw new Error(`${props.name}: a pre-promotion analysis needs the readiness endpoint`);
      analysis = previewAnalysisName(props.name);
      const namespace = Chart.of(this).namespace;
      new AnalysisTemplate(this, 'PreviewAnalysis', {
        metadata: meta(analysis, SyncWave.ROLLOUT_ANALYSIS),
        metrics: [
          {
            name: 'preview-ready',
            url: `http://${preview}.${namespace}.svc.cluster.local:${readinessPort}${props.readiness.path}`,
            timeoutSeconds: 5,
            count: s.prePromotionAnalysis.count,
            interval: s.prePromotionAnalysis.interval,
            consecutiveErrorLimit: 0,
          },
        ],
      });
    }

    new Rollout(this, 'Rollout', {
      metadata: meta(props.name, SyncWave.APPS),
      replicas: props.replicas,
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
      selector: props.selector,
      template: props.template,
      blueGreen: {
        activeService: props.name,
        previewService: preview,
        autoPromotionEnabled: s.promotion === 'automatic',
        autoPromotionSeconds: s.autoPromotionSeconds,
        scaleDownDelaySeconds: s.scaleDownDelaySeconds,
        prePromotionAnalysis: analysis ? { templates: [{ templateName: analysis }] } : undefined,
      },
    });
    this.scaleTarget = { apiVersion: ARGO_ROLLOUTS_API_VERSION, kind: 'Rollout', name: props.name };
  }
}
