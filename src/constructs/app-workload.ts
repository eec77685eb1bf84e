import { Construct } from 'constructs';
import type { WorkloadConfig } from '../config/schema';
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
  constructor(scope: Construct, id: string, props: AppWorkloadProps) {
    super(scope, id);
    const meta = (extra?: Record<string, string>) => ({
      name: props.name,
      labels: props.labels,
      annotations: { ...syncWave(SyncWave.APPS), ...extra },
    });
    const settingsName = `${props.name}-settings`;
    const sortedSettings = Object.fromEntries(Object.entries(props.settings).sort(([a], [b]) => a.localeCompare(b)));

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: meta(props.serviceAccountAnnotations),
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'Settings', {
      metadata: { ...meta(), name: settingsName },
      data: sortedSettings,
    });

    const scaling = props.workload.scaling;
    const autoscaled = 'minReplicas' in scaling;
    const template = podTemplate({
      labels: { ...props.labels, ...props.podLabels },
      serviceAccountName: props.name,
      runAsUser: props.runAsUser,
      annotations: { 'ctis.io/settings-checksum': checksum(sortedSettings) },
      spreadBy: props.selector,
      volumes: props.volumes,
      callsKubernetesApi: props.callsKubernetesApi,
      container: {
        ...props.container,
        name: props.name,
        image: props.workload.image,
        resources: props.workload.resources,
        envFromConfigMaps: [settingsName],
      },
    });
    const replicas = autoscaled ? undefined : scaling.replicas;
    const blueGreen = blueGreenOf(props.workload);
    let target: k8s.CrossVersionObjectReferenceV2;
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
      target = release.scaleTarget;
    } else {
      new k8s.KubeDeployment(this, 'Deployment', {
        metadata: meta(),
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
      target = { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name };
    }

    new k8s.KubeService(this, 'Service', { metadata: meta(), spec: clusterIpService(props.selector, props.servicePorts) });

    if (autoscaled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: meta(),
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
    if (maxPods(scaling) > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: meta(),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: props.selector } },
      });
    }
  }
}
