/**
 * The nodes the validator compares: the namespace's workloads (named after their component when
 * they have one) and the probes and cluster services around them.
 */
import type { LoadedObject } from '../manifests';
import type { Endpoint, PolicyIndex, Workload } from '../netpol';
import type { PodsElsewhere } from '../topology/effective';
import { DNS_PORT } from '../topology/model';
import { ROLLOUTS_CONTROLLER } from '../topology/releases';
import { NAME_LABEL, ValidationContext } from './context';

/** Cluster DNS as SPEC §1 declares it. */
export const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } as const;
/** Labels of the hypothetical stray pod in the namespace. */
export const STRAY_LABELS = { app: 'stray' } as const;
/** Namespace of the hypothetical pod in another namespace. */
export const ELSEWHERE_NAMESPACE = 'elsewhere';

/** What a node of the allowed-connection graph stands for. */
export type NodeKind = 'component' | 'workload' | 'ingress-controller' | 'dns' | 'peer' | 'external' | 'probe';

/** A node being compared: the endpoints it stands for and the object findings about it go to. */
export interface Node {
  readonly id: string;
  readonly label: string;
  readonly kind: NodeKind;
  readonly endpoints: readonly Endpoint[];
  readonly workload?: Workload;
  readonly anchor?: LoadedObject;
}

/** The workloads of the environment's namespace, by node id and by workload id. */
export interface WorkloadNodes {
  readonly byId: ReadonlyMap<string, Node>;
  readonly byWorkloadId: ReadonlyMap<string, Node>;
  /** In the engine's workload order. */
  readonly list: readonly Node[];
}

/** Real workloads of the namespace, named after their component when they have one. */
export function workloadNodes(ctx: ValidationContext, index: PolicyIndex): WorkloadNodes {
  const byId = new Map<string, Node>();
  const byWorkloadId = new Map<string, Node>();
  const ownerOf = (w: Workload): LoadedObject | undefined => {
    const key = w.objects[0]?.key;
    if (!key) return undefined;
    const [kind, n, name] = key.split('/');
    return ctx.objects.get(kind, n, name);
  };
  for (const w of index.workloads) {
    if (w.namespace !== ctx.namespace) continue;
    const component = w.pods[0]?.labels[NAME_LABEL];
    const declared = component !== undefined && (ctx.components.get(component) !== undefined || ctx.components.task(component) !== undefined);
    const id = declared && !byId.has(component) ? component : `${w.name}[${w.kind}]`;
    const node: Node = { id, label: id, kind: declared ? 'component' : 'workload', endpoints: w.pods, workload: w, anchor: ownerOf(w) };
    byId.set(id, node);
    byWorkloadId.set(w.id, node);
  }
  return { byId, byWorkloadId, list: [...byId.values()] };
}

/** The ingress controller, cluster DNS, and the probes that find holes. */
export interface Probes {
  readonly controller: Node;
  readonly dns: Node;
  /** A pod of the namespace no policy names (`app=stray`). */
  readonly stray: Node;
  /** An unlabelled pod in another namespace. */
  readonly elsewhere: Node;
  /**
   * Another pod of the controller's namespace: a peer that admits the whole namespace
   * (namespaceSelector without podSelector) lets it in as well as the controller.
   */
  readonly neighbour: Node;
  /**
   * Pods of other namespaces the topology declares connections with (an in-cluster collector the
   * components send telemetry to, the Prometheus that scrapes them), each as a node.
   */
  readonly peers: readonly Node[];
  /**
   * For each namespace of a declared peer, another pod of it, which must get nothing (a peer that
   * admits the whole namespace lets it in).
   */
  readonly peerNeighbours: readonly Node[];
  /**
   * Pods of other namespaces that run beside the stack but may reach nothing here: the Argo
   * Rollouts controller (and another pod of its namespace) where no component declares a
   * pre-promotion analysis; where one does, the controller is a declared peer instead.
   */
  readonly undeclared: readonly Node[];
}

/** The Argo Rollouts controller as its install manifests deploy it, when the configuration names none. */
export const DEFAULT_ROLLOUTS_CONTROLLER = { namespace: 'argo-rollouts', podLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } } as const;

/** The Argo Rollouts controller and a neighbour of it, unless the topology declares the controller as a peer. */
function undeclaredControllers(ctx: ValidationContext, index: PolicyIndex): Node[] {
  if (ctx.effective.inbound.some((i) => i.from.name === ROLLOUTS_CONTROLLER)) return [];
  const r = ctx.env.rollouts?.controller ?? DEFAULT_ROLLOUTS_CONTROLLER;
  return [
    { id: ROLLOUTS_CONTROLLER, label: `${ROLLOUTS_CONTROLLER} (${r.namespace})`, kind: 'probe', endpoints: [index.pod({ namespace: r.namespace, labels: { ...r.podLabels }, id: `${r.namespace}/${ROLLOUTS_CONTROLLER}` })] },
    { id: `${r.namespace}-namespace-pod`, label: `pod app=stray in namespace ${r.namespace}`, kind: 'probe', endpoints: [index.pod({ namespace: r.namespace, labels: STRAY_LABELS, id: `${r.namespace}/stray` })] },
  ];
}

/** The declared pods of other namespaces and their neighbours (see {@link Probes}). */
function declaredPeers(ctx: ValidationContext, index: PolicyIndex): { nodes: Node[]; neighbours: Node[] } {
  const found = new Map<string, { namespace: string; labels: Readonly<Record<string, string>>; ports: Set<number> }>();
  const add = (p: PodsElsewhere, port?: number) => {
    const entry = found.get(p.name) ?? { namespace: p.namespace, labels: p.labels, ports: new Set<number>() };
    if (port !== undefined) entry.ports.add(port);
    found.set(p.name, entry);
  };
  for (const e of ctx.effective.edges) if (e.to.kind === 'pods') add(e.to, e.to.port);
  for (const i of ctx.effective.inbound) add(i.from);
  const nodes: Node[] = [];
  const neighbours = new Map<string, Node>();
  for (const [name, p] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ports = [...p.ports].map((port) => ({ port, protocol: 'TCP' as const }));
    nodes.push({ id: name, label: `${name} (${p.namespace})`, kind: 'peer', endpoints: [index.pod({ namespace: p.namespace, labels: { ...p.labels }, ports, id: `${p.namespace}/${name}` })] });
    const probeId = `${p.namespace}-namespace-pod`;
    if (p.namespace !== ctx.namespace && !neighbours.has(probeId)) {
      neighbours.set(probeId, {
        id: probeId,
        label: `pod app=stray in namespace ${p.namespace}`,
        kind: 'probe',
        endpoints: [index.pod({ namespace: p.namespace, labels: STRAY_LABELS, id: `${p.namespace}/stray` })],
      });
    }
  }
  return { nodes, neighbours: [...neighbours.values()] };
}

/** The nodes around the namespace's workloads. */
export function probeNodes(ctx: ValidationContext, index: PolicyIndex): Probes {
  const ns = ctx.namespace;
  const c = ctx.env.edge.controller;
  const peers = declaredPeers(ctx, index);
  return {
    peers: peers.nodes,
    peerNeighbours: peers.neighbours,
    undeclared: undeclaredControllers(ctx, index),
    controller: { id: 'ingress-controller', label: `ingress controller (${c.namespace})`, kind: 'ingress-controller', endpoints: [index.ingressControllerPod()] },
    dns: {
      id: 'kube-dns',
      label: 'kube-dns (kube-system)',
      kind: 'dns',
      endpoints: [index.pod({ namespace: KUBE_DNS.namespace, labels: KUBE_DNS.labels, ports: [{ name: 'dns', port: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP' }] })],
    },
    stray: { id: 'stray-pod', label: `stray pod app=stray (${ns})`, kind: 'probe', endpoints: [index.pod({ namespace: ns, labels: STRAY_LABELS, ports: [] })] },
    elsewhere: {
      id: 'other-namespace',
      label: `pod in namespace ${ELSEWHERE_NAMESPACE}`,
      kind: 'probe',
      endpoints: [index.pod({ namespace: ELSEWHERE_NAMESPACE, labels: {}, namespaceLabels: {} })],
    },
    neighbour: {
      id: 'controller-namespace-pod',
      label: `pod app=stray in the controller namespace ${c.namespace}`,
      kind: 'probe',
      endpoints: [index.pod({ namespace: c.namespace, labels: STRAY_LABELS, id: `${c.namespace}/controller-neighbour` })],
    },
  };
}
