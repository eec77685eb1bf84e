import { Construct } from 'constructs';
import type { InClusterStoreConfig } from '../config/schema';
import { NEVER_PRUNE, SyncWave, syncWave } from './argocd-annotations';
import { k8s } from './k8s';
import type { ComponentIdentity } from './labels';
import { ContainerOptions, podTemplate } from './pod';

export interface InClusterDataStoreProps extends ComponentIdentity {
  readonly config: InClusterStoreConfig;
  readonly storageClass: string;
  readonly runAsUser: number;
  readonly port: { readonly name: string; readonly containerPort: number };
  /** Where the data volume is mounted. */
  readonly dataPath: string;
  readonly container: Omit<ContainerOptions, 'image' | 'resources' | 'name' | 'ports'>;
  /** Extra pod volumes. @default - none */
  readonly volumes?: k8s.Volume[];
}

/**
 * A single-replica data store in the cluster: ServiceAccount, StatefulSet with a
 * ReadWriteOnce claim template (claims retained when the set is deleted or scaled), a
 * headless governing Service and a ClusterIP Service.
 */
export class InClusterDataStore extends Construct {
  constructor(scope: Construct, id: string, props: InClusterDataStoreProps) {
    super(scope, id);
    const meta = (name = props.name) => ({ name, labels: props.labels, annotations: syncWave(SyncWave.DATA_STORES) });
    const headless = `${props.name}-headless`;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: false });
    new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: meta(),
      spec: {
        serviceName: headless,
        replicas: 1,
        revisionHistoryLimit: 5,
        selector: { matchLabels: props.selector },
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: podTemplate({
          labels: props.labels,
          serviceAccountName: props.name,
          runAsUser: props.runAsUser,
          volumes: props.volumes,
          container: {
            ...props.container,
            name: props.name,
            image: props.config.image,
            resources: props.config.resources,
            ports: [props.port],
            volumeMounts: [{ name: 'data', mountPath: props.dataPath }, ...(props.container.volumeMounts ?? [])],
          },
        }),
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: props.labels, annotations: NEVER_PRUNE },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClass,
              resources: { requests: { storage: k8s.Quantity.fromString(props.config.storage) } },
            },
          },
        ],
      },
    });
    const ports = [{ name: props.port.name, port: props.port.containerPort, targetPort: k8s.IntOrString.fromString(props.port.name), protocol: 'TCP' }];
    new k8s.KubeService(this, 'Headless', {
      metadata: meta(headless),
      spec: { clusterIp: 'None', selector: props.selector, ports, publishNotReadyAddresses: true },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: { type: 'ClusterIP', selector: props.selector, ports },
    });
  }
}
