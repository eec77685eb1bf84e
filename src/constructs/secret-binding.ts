import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecDataRemoteRefConversionStrategy,
  ExternalSecretSpecDataRemoteRefDecodingStrategy,
  ExternalSecretSpecDataRemoteRefMetadataPolicy,
  ExternalSecretSpecRefreshPolicy,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
  ExternalSecretSpecTargetTemplateMergePolicy,
} from '../../imports/externalsecrets-external-secrets.io';
import type { EnvironmentConfig } from '../config/schema';
import { SyncWave, syncWave } from './argocd-annotations';

export interface SecretBindingProps {
  /** Name of the ExternalSecret and of the Secret it produces. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Secret key -> remote key (below the environment's key prefix). */
  readonly keys: Record<string, string>;
  /** Kubernetes Secret type. @default 'Opaque' */
  readonly type?: string;
}

/** `1h` -> `1h0m0s`: the form the operator stores, so Argo CD sees no difference. */
export function goDuration(value: string): string {
  const parts: Record<string, number> = { h: 0, m: 0, s: 0 };
  for (const m of value.matchAll(/(\d+)([hms])/g)) parts[m[2]] += Number(m[1]);
  const total = parts.h * 3600 + parts.m * 60 + parts.s;
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${min}m${s}s` : min > 0 ? `${min}m${s}s` : `${s}s`;
}

/**
 * A Secret produced by the External Secrets operator from the environment's secret store.
 * Every field the operator would default is written out, so Argo CD sees no drift.
 */
export class SecretBinding extends Construct {
  readonly secretName: string;

  constructor(scope: Construct, id: string, env: EnvironmentConfig, props: SecretBindingProps) {
    super(scope, id);
    this.secretName = props.name;
    const store = env.secretStore;
    new ExternalSecret(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels, annotations: syncWave(SyncWave.BINDINGS) },
      spec: {
        refreshInterval: goDuration(store.refreshInterval),
        refreshPolicy: ExternalSecretSpecRefreshPolicy.PERIODIC,
        secretStoreRef: {
          kind: store.kind === 'ClusterSecretStore'
            ? ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE
            : ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
          name: store.name,
        },
        target: {
          name: props.name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
          template: props.type
            ? {
                type: props.type,
                engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
                mergePolicy: ExternalSecretSpecTargetTemplateMergePolicy.REPLACE,
              }
            : undefined,
        },
        data: Object.entries(props.keys)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([secretKey, remote]) => ({
            secretKey,
            remoteRef: {
              key: `${store.keyPrefix}/${remote}`,
              conversionStrategy: ExternalSecretSpecDataRemoteRefConversionStrategy.DEFAULT,
              decodingStrategy: ExternalSecretSpecDataRemoteRefDecodingStrategy.NONE,
              metadataPolicy: ExternalSecretSpecDataRemoteRefMetadataPolicy.NONE,
            },
          })),
      },
    });
  }
}
