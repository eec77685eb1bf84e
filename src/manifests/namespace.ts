import { isRecord } from './fields';
import { isClusterScoped } from './kinds';

/** The label the API server sets on every Namespace to its name. */
export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The labels a Namespace effectively carries: its own labels plus the implied
 * `kubernetes.io/metadata.name: <name>` (which the API server sets and which wins over a
 * conflicting value). Does not modify the object.
 */
export function namespaceLabels(ns: { metadata?: { name?: string; labels?: Record<string, string> } }): Record<
  string,
  string
> {
  const name = ns.metadata?.name ?? '';
  return { ...(ns.metadata?.labels ?? {}), [METADATA_NAME_LABEL]: name };
}

/**
 * The namespace an object lives in: `''` for a cluster-scoped kind, else a non-empty
 * `metadata.namespace`, else `defaultNamespace` (what `kubectl apply -n <ns>` or the Argo CD
 * Application's destination gives objects that name none).
 */
export function effectiveNamespace(obj: { kind?: unknown; metadata?: unknown }, defaultNamespace: string): string {
  if (typeof obj.kind === 'string' && isClusterScoped(obj.kind)) return '';
  const ns = isRecord(obj.metadata) ? obj.metadata.namespace : undefined;
  return typeof ns === 'string' && ns !== '' ? ns : defaultNamespace;
}
