import { Construct } from 'constructs';
import type { ScalingConfig, WorkloadConfig } from '../config/schema';
import { blueGreenOf, maxPods } from '../config/strategy';
import { SyncWave, syncWave } from './argocd-annotations';
import { BlueGreenRelease } from './blue-green';
import { k8s } from './k8s';
import type { ComponentIdentity } from './labels';
import { checksum, ContainerOptions, podTemplate } from './pod';
import { clusterIpService, ServicePort } from './service';

export type { ServicePort } from './service';

export interface AppWorkloadProps extends ComponentIdentity {
  readonly workload: WorkloadConfig;
  readonly runAsUser: number;
  /** Non-secret settings, rendered as a ConfigMap pulled in with `envFrom`. */
  readonly settings: Record<string, string>;
  /** Container definition without image, resources and ConfigMap wiring, which come from the props. */
  readonly container: Omit<ContainerOptions, 'image' | 'resources' | 'envFromConfigMaps' | 'name'>;
  readonly servicePorts: ServicePort[];
  /** Extra pod volumes. @default - none */
  readonly volumes?: k8s.Volume[];
  /**
   * Where the pods answer readiness, for the pre-promotion analysis of a blue-green release:
   * the path and the container port (by name and number) the readiness probe uses.
   * @default - no analysis can be rendered
   */
  readonly readiness?: { readonly path: string; readonly port: { readonly name: string; readonly containerPort: number } };
  /** Annotations of the ServiceAccount, e.g. a cloud workload identity. @default - none */
  readonly serviceAccountAnnotations?: Record<string, string>;
  /** Pod labels besides `labels` (never part of the selector), e.g. a workload identity opt-in. @default - none */
  readonly podLabels?: Record<string, string>;
  /** Whether the component calls the Kubernetes API (its pods mount the service-account token). @default false */
  readonly callsKubernetesApi?: boolean;
}

/**
 * A stateless application component: ServiceAccount, settings ConfigMap, the workload, a
 * ClusterIP Service, and, where more than one pod can run, an `autoscaling/v2` HPA (then the
 * workload has no `replicas`) and a PodDisruptionBudget. The workload follows the configured
 * strategy: a Deployment (RollingUpdate with `maxUnavailable: 0`), or a blue-green Rollout with
 * the same pod template, a preview Service beside the active one and, when configured, the
 * AnalysisTemplate its promotion waits for. The PodDisruptionBudget and the HPA select both
 * colours by the component's labels.
 */
export class AppWorkload extends Construct {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: AppWorkloadProps,
  ) {
    super(scope, id);
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: this.meta(props.serviceAccountAnnotations),
      automountServiceAccountToken: false,
    });
    const settings = this.settingsConfigMap();
    const scaling = props.workload.scaling;
    const replicas = 'minReplicas' in scaling ? undefined : scaling.replicas;
    const target = this.workload(this.template(settings), replicas);
    new k8s.KubeService(this, 'Service', { metadata: this.meta(), spec: clusterIpService(props.selector, props.servicePorts) });
    if ('minReplicas' in scaling) this.autoscaler(target, scaling);
    if (maxPods(scaling) > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: this.meta(),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: props.selector } },
      });
    }
  }

  /** Metadata of the component's objects: its name and labels, synced in the applications' wave. */
  private meta(extra?: Record<string, string>): k8s.ObjectMeta {
    return { name: this.props.name, labels: this.props.labels, annotations: { ...syncWave(SyncWave.APPS), ...extra } };
  }

  /** The settings ConfigMap (`<name>-settings`, keys sorted); returns its name and data. */
  private settingsConfigMap(): { name: string; data: Record<string, string> } {
    const name = `${this.props.name}-settings`;
    const data = Object.fromEntries(Object.entries(this.props.settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    new k8s.KubeConfigMap(this, 'Settings', { metadata: { ...this.meta(), name }, data });
    return { name, data };
  }

  /** The pod template: the container with its image, resources and settings, restarted when the settings change. */
  private template(settings: { name: string; data: Record<string, string> }): k8s.PodTemplateSpec {
    const props = this.props;
    return podTemplate({
      labels: { ...props.labels, ...props.podLabels },
      serviceAccountName: props.name,
      runAsUser: props.runAsUser,
      annotations: { 'ctis.io/settings-checksum': checksum(settings.data) },
      spreadBy: props.selector,
      volumes: props.volumes,
      callsKubernetesApi: props.callsKubernetesApi,
      container: {
        ...props.container,
        name: props.name,
        image: props.workload.image,
        resources: props.workload.resources,
        envFromConfigMaps: [settings.name],
      },
    });
  }

  /** The workload of the configured strategy (a blue-green release or a rolling Deployment); returns what an HPA scales. */
  private workload(template: k8s.PodTemplateSpec, replicas: number | undefined): k8s.CrossVersionObjectReferenceV2 {
    const props = this.props;
    const blueGreen = blueGreenOf(props.workload);
    if (blueGreen) {
      const release = new BlueGreenRelease(this, 'Release', {
        name: props.name,
        labels: props.labels,
        selector: props.selector,
        strategy: blueGreen,
        replicas,
        template,
        readiness: props.readiness,
        servicePorts: props.servicePorts,
      });
      return release.scaleTarget;
    }
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: this.meta(),
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: props.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template,
      },
    });
    return { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name };
  }

  /** The HPA of the workload: CPU utilisation between the configured bounds, scaling down slowly. */
  private autoscaler(target: k8s.CrossVersionObjectReferenceV2, scaling: Extract<ScalingConfig, { minReplicas: number }>): void {
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: this.meta(),
      spec: {
        scaleTargetRef: target,
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercentage } },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
  }
}
