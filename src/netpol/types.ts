import type { SourceLocation } from '../manifests';
import type { ConnectionSet, Protocol } from './connection-set';
import type { IpRange } from './ip';
import type { Labels } from './selector';

/** A port a container declares (`containers[].ports[]`). */
export interface NamedPort {
  /** The port's name, when it has one (named NetworkPolicy ports resolve against it). */
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * A pod as policies see it: its namespace (with that namespace's labels), its labels and its
 * declared container ports. Either a pod of a workload found in the manifests, or a hypothetical
 * one built with `PolicyIndex.pod()`.
 */
export interface PodEndpoint {
  readonly kind: 'pod';
  /** The workload node id (`namespace/name[Kind]`) or, for a hypothetical pod, the caller's id. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly ports: readonly NamedPort[];
  /** Labels of the pod's namespace, including the implied `kubernetes.io/metadata.name`. */
  readonly namespaceLabels: Labels;
}

/** Addresses outside the cluster (pod IPs are unknown, so ipBlock peers only ever match these). */
export interface ExternalEndpoint {
  readonly kind: 'external';
  /** The range as text, e.g. `0.0.0.0-9.255.255.255`. */
  readonly id: string;
  readonly range: IpRange;
}

/** Anything a connection can go from or to. */
export type Endpoint = PodEndpoint | ExternalEndpoint;

/**
 * The kind of a connectivity node: one of the reading layer's `WORKLOAD_KINDS` (Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Rollout, Pod), or the
 * kind of a Pod's owner.
 */
export type WorkloadKind = string;

/** Where an object came from: its key and, when loaded from a file, its location. */
export interface ObjectRef {
  /** `Kind/namespace/name` with the effective namespace. */
  readonly key: string;
  readonly location?: SourceLocation;
}

/**
 * A workload: a node of the connectivity graph. All pods of one workload are one node; when
 * their templates differ (e.g. bare Pods owned by the same controller with different labels),
 * `pods` holds each distinct variant and the node's connections are the union over them.
 */
export interface Workload {
  /** `namespace/name[Kind]`, e.g. `ctis-production/api[Deployment]`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  /** Distinct pod variants (labels and ports), at least one. */
  readonly pods: readonly PodEndpoint[];
  /** The objects the workload was built from (the controller and/or its pods). */
  readonly objects: readonly ObjectRef[];
}

/** Traffic direction as a NetworkPolicy sees it. */
export type Direction = 'ingress' | 'egress';

/** A NetworkPolicy as the index sees it. */
export interface PolicyInfo {
  readonly namespace: string;
  readonly name: string;
  /** `NetworkPolicy/namespace/name`. */
  readonly key: string;
  readonly location?: SourceLocation;
  /** Directions the policy isolates (from `policyTypes`, or implied when absent). */
  readonly directions: readonly Direction[];
}

/** Something worth telling the user that does not stop the analysis. */
export interface Warning {
  /** Stable identifier, e.g. `policy-selects-nothing`, `named-port-unresolved`. */
  readonly code: string;
  readonly message: string;
  /** `Kind/namespace/name` of the object the warning is about. */
  readonly resource?: string;
  readonly location?: SourceLocation;
}

/** Allowed connections to or from one external range. */
export interface ExternalConnection {
  readonly range: IpRange;
  /** The range as text (`start-end`). */
  readonly id: string;
  readonly conns: ConnectionSet;
}
