/** Object storage wiring of its consumers: endpoint and bucket settings, and credentials from a Secret or a workload identity. */
import { k8s } from '../src/constructs/k8s';
import { secretEnv, SecretNames, StackContext } from './context';

/** Object storage of a consumer: endpoint and bucket settings. Empty for other components. */
export function objectStorageSettings(ctx: StackContext, id: string): Record<string, string> {
  const s = ctx.env.objectStorage;
  if (!s || !s.from.includes(id)) return {};
  return { ObjectStorage__Endpoint: `https://${s.host}${s.port === 443 ? '' : `:${s.port}`}`, ObjectStorage__Bucket: s.bucket };
}

/** The credentials of an object storage consumer: a Secret key, or its workload identity (ServiceAccount annotations, pod labels). */
export function objectStorageIdentity(ctx: StackContext, id: string): {
  env: k8s.EnvVar[];
  serviceAccountAnnotations?: Record<string, string>;
  podLabels?: Record<string, string>;
} {
  const s = ctx.env.objectStorage;
  if (!s || !s.from.includes(id)) return { env: [] };
  if (s.credentials.source === 'external-secret') {
    return { env: [secretEnv('ConnectionStrings__ObjectStorage', SecretNames.OBJECT_STORAGE, 'connection-string')] };
  }
  return { env: [], serviceAccountAnnotations: s.credentials.serviceAccountAnnotations, podLabels: s.credentials.podLabels };
}
