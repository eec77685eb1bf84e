/** Builders of small object sets for the connectivity engine tests. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { buildPolicyIndex, PodEndpoint, PolicyIndex, PolicyIndexOptions } from '../../src/netpol';

export type Obj = KubernetesObject & Record<string, unknown>;

export const ns = (name: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

export const pod = (
  namespace: string | undefined,
  name: string,
  labels: Record<string, string>,
  ports: { name?: string; containerPort: number; protocol?: string }[] = [],
): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(namespace ? { namespace } : {}), labels },
  spec: { containers: [{ name: 'c', image: 'img:1.0', ports }] },
});

export const policy = (namespace: string, name: string, spec: Record<string, unknown>): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

export const build = (objects: Obj[], options?: PolicyIndexOptions): PolicyIndex => buildPolicyIndex(objects, options);

/** The (first) pod endpoint of a workload. */
export function ep(index: PolicyIndex, id: string): PodEndpoint {
  const w = index.workload(id);
  if (!w) throw new Error(`no workload ${id}; have ${index.workloads.map((x) => x.id).join(', ')}`);
  return w.pods[0];
}

export const conns = (index: PolicyIndex, src: string, dst: string) =>
  index.allowed(ep(index, src), ep(index, dst)).toString();

export const WEB_PORTS: { name: string; containerPort: number; protocol?: string }[] = [
  { name: 'http', containerPort: 8080 },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
];
