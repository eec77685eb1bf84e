import type { LoadedObject } from '../manifests';
import {
  buildPolicyIndex,
  ConnectionSet,
  Endpoint,
  formatRange,
  IpRange,
  parseCidr,
  PodEndpoint,
  PolicyIndex,
  rangeContains,
  subtractRanges,
  sweep,
  Workload,
} from '../netpol';
import type { PodsElsewhere } from '../topology/effective';
import { DNS_PORT } from '../topology/model';
import { NAME_LABEL, ValidationContext } from './context';

/**
 * The validator's reading of network isolation: it asks the NetworkPolicy engine (`src/netpol`)
 * what the namespace's policies allow between real workloads and hypothetical probes, and
 * compares that with the connections the topology declares for the environment.
 */

/** Cluster DNS as SPEC §1 declares it. */
export const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } as const;
/** Labels of the hypothetical stray pod in the namespace. */
export const STRAY_LABELS = { app: 'stray' } as const;
/** Namespace of the hypothetical pod in another namespace. */
export const ELSEWHERE_NAMESPACE = 'elsewhere';

/** A node of the allowed-connection graph. */
export interface GraphNode {
  readonly id: string;
  readonly kind: 'component' | 'workload' | 'ingress-controller' | 'dns' | 'peer' | 'external' | 'probe';
  readonly label: string;
}

/** An edge of the graph: allowed, expected, or both. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** What the policies allow (`No Connections` for a missing edge). */
  readonly allowed: string;
  /** What the topology declares (`No Connections` for an extra connection). */
  readonly expected: string;
  readonly status: 'ok' | 'missing' | 'extra' | 'partial';
}

/** The allowed-connection graph between components, the ingress controller, DNS and external ranges. */
export interface ConnectivityGraph {
  readonly environment: string;
  readonly namespace: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** One difference between what is allowed and what is declared. */
export interface Discrepancy {
  readonly kind: 'missing' | 'extra';
  readonly from: string;
  readonly to: string;
  readonly conns: ConnectionSet;
  /** The object the finding is reported on. */
  readonly anchor?: LoadedObject;
  /** Extra context for the message (purpose of the edge, policies involved). */
  readonly note?: string;
}

export interface NetworkAnalysis {
  readonly index: PolicyIndex;
  readonly graph: ConnectivityGraph;
  readonly discrepancies: readonly Discrepancy[];
  /** Whether a pod the manifests do not know is isolated in both directions and allowed nothing but DNS. */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean; readonly leaks: readonly string[] };
}

interface Node {
  readonly id: string;
  readonly label: string;
  readonly kind: GraphNode['kind'];
  readonly endpoints: readonly Endpoint[];
  readonly workload?: Workload;
  readonly anchor?: LoadedObject;
}

function union(sets: Iterable<ConnectionSet>): ConnectionSet {
  let acc = ConnectionSet.none();
  for (const s of sets) acc = acc.union(s);
  return acc;
}

const DNS_CONNS = ConnectionSet.tcp(DNS_PORT).union(ConnectionSet.udp(DNS_PORT));

/** Address ranges that are not the public internet (private, loopback, link-local, shared, multicast, reserved). */
const NON_PUBLIC: readonly IpRange[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3',
  'fc00::/7', 'fe80::/10', '::1/128', 'ff00::/8',
]
  .map(parseCidr)
  .filter((r): r is IpRange => r !== undefined);

/** Whether a range holds addresses of the public internet. */
function touchesInternet(r: IpRange): boolean {
  return subtractRanges(r, NON_PUBLIC).length > 0;
}

/** Describes an external range for messages. */
export function describeRange(r: IpRange): string {
  return `${formatRange(r)}${touchesInternet(r) ? ' (the internet)' : ''}`;
}

/**
 * Pods of other namespaces the topology declares connections with (an in-cluster collector the
 * components send telemetry to, the Prometheus that scrapes them), each as a node, and for each
 * namespace a probe: another pod of it, which must get nothing (a peer that admits the whole
 * namespace lets it in).
 */
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

/** Computes (once per context) the network analysis of the environment's namespace. */
export function networkAnalysis(ctx: ValidationContext): NetworkAnalysis {
  return ctx.memo('network:analysis', () => analyze(ctx));
}

function analyze(ctx: ValidationContext): NetworkAnalysis {
  const ns = ctx.namespace;
  const env = ctx.env;
  const objects = ctx.objects.filter((o) => !ctx.isMalformed(o));
  const index = buildPolicyIndex(objects, {
    defaultNamespace: ns,
    ingressController: { namespace: env.edge.controller.namespace, labels: env.edge.controller.podLabels },
  });

  // Real workloads of the namespace, named after their component when they have one.
  const nodes = new Map<string, Node>();
  const byWorkloadId = new Map<string, Node>();
  const ownerOf = (w: Workload): LoadedObject | undefined => {
    const key = w.objects[0]?.key;
    if (!key) return undefined;
    const [kind, n, name] = key.split('/');
    return ctx.get(kind, n, name);
  };
  for (const w of index.workloads) {
    if (w.namespace !== ns) continue;
    const component = w.pods[0]?.labels[NAME_LABEL];
    const declared = component !== undefined && (ctx.component(component) !== undefined || ctx.task(component) !== undefined);
    const id = declared && !nodes.has(component) ? component : `${w.name}[${w.kind}]`;
    const node: Node = { id, label: id, kind: declared ? 'component' : 'workload', endpoints: w.pods, workload: w, anchor: ownerOf(w) };
    nodes.set(id, node);
    byWorkloadId.set(w.id, node);
  }
  const workloadNodes = [...nodes.values()];
  const controller: Node = { id: 'ingress-controller', label: `ingress controller (${env.edge.controller.namespace})`, kind: 'ingress-controller', endpoints: [index.ingressControllerPod()] };
  const dns: Node = { id: 'kube-dns', label: 'kube-dns (kube-system)', kind: 'dns', endpoints: [index.pod({ namespace: KUBE_DNS.namespace, labels: KUBE_DNS.labels, ports: [{ name: 'dns', port: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP' }] })] };
  const stray: Node = { id: 'stray-pod', label: `stray pod app=stray (${ns})`, kind: 'probe', endpoints: [index.pod({ namespace: ns, labels: STRAY_LABELS, ports: [] })] };
  const elsewhere: Node = {
    id: 'other-namespace',
    label: `pod in namespace ${ELSEWHERE_NAMESPACE}`,
    kind: 'probe',
    endpoints: [index.pod({ namespace: ELSEWHERE_NAMESPACE, labels: {}, namespaceLabels: {} })],
  };

  // Another pod of the controller's namespace: a peer that admits the whole namespace
  // (namespaceSelector without podSelector) lets it in as well as the controller.
  const neighbour: Node = {
    id: 'controller-namespace-pod',
    label: `pod app=stray in the controller namespace ${env.edge.controller.namespace}`,
    kind: 'probe',
    endpoints: [index.pod({ namespace: env.edge.controller.namespace, labels: STRAY_LABELS, id: `${env.edge.controller.namespace}/controller-neighbour` })],
  };

  const peers = declaredPeers(ctx, index);

  // Declared connections between nodes.
  const expected = new Map<string, ConnectionSet>();
  const expectedTargets = new Map<string, Set<string>>();
  const purpose = new Map<string, string>();
  const expect = (from: string, to: string, conns: ConnectionSet, why?: string) => {
    const k = `${from}\u0000${to}`;
    let targets = expectedTargets.get(from);
    if (!targets) expectedTargets.set(from, (targets = new Set()));
    targets.add(to);
    expected.set(k, (expected.get(k) ?? ConnectionSet.none()).union(conns));
    if (why) purpose.set(k, why);
  };
  const externalExpected = new Map<string, { range: IpRange; conns: ConnectionSet; name: string }[]>();
  for (const e of ctx.effective.edges) {
    if (!nodes.has(e.from)) continue;
    if (e.to.kind === 'component') {
      if (nodes.has(e.to.id)) expect(e.from, e.to.id, ConnectionSet.tcp(e.to.port), e.purpose);
    } else if (e.to.kind === 'pods') {
      expect(e.from, e.to.name, ConnectionSet.tcp(e.to.port), e.purpose);
    } else if (e.to.kind === 'external') {
      const range = parseCidr(e.to.cidr);
      if (!range) continue;
      const list = externalExpected.get(e.from) ?? [];
      list.push({ range, conns: ConnectionSet.tcp(e.to.port), name: e.to.name });
      externalExpected.set(e.from, list);
    }
  }
  for (const i of ctx.effective.inbound) if (nodes.has(i.to)) expect(i.from.name, i.to, ConnectionSet.tcp(i.port), i.purpose);
  for (const n of workloadNodes) expect(n.id, dns.id, DNS_CONNS, 'cluster DNS');
  for (const c of ctx.effective.components) {
    if (c.spec.exposure === 'public' && nodes.has(c.id)) expect(controller.id, c.id, ConnectionSet.tcp(c.servingPort), 'public edge');
  }

  const discrepancies: Discrepancy[] = [];
  const edges: GraphEdge[] = [];
  const allowedBetween = (a: Node, b: Node): ConnectionSet => {
    let acc = ConnectionSet.none();
    for (const s of a.endpoints) for (const d of b.endpoints) acc = acc.union(index.allowed(s, d));
    return acc;
  };
  const policiesOf = (n: Node, direction: 'ingress' | 'egress'): string => {
    const names = new Set<string>();
    for (const ep of n.endpoints) if (ep.kind === 'pod') for (const p of index.selectingPolicies(ep as PodEndpoint, direction)) names.add(p.name);
    return names.size === 0 ? `no ${direction} policy selects it` : `${direction} policies: ${[...names].sort().join(', ')}`;
  };
  const compare = (from: Node, to: Node, allowed: ConnectionSet, anchorSide: 'from' | 'to') => {
    const k = `${from.id}\u0000${to.id}`;
    const exp = expected.get(k) ?? ConnectionSet.none();
    if (allowed.isEmpty() && exp.isEmpty()) return;
    const missing = exp.subtract(allowed);
    const extra = allowed.subtract(exp);
    const status: GraphEdge['status'] = exp.isEmpty() ? 'extra' : allowed.isEmpty() ? 'missing' : !missing.isEmpty() || !extra.isEmpty() ? 'partial' : 'ok';
    edges.push({ from: from.id, to: to.id, allowed: allowed.toString(), expected: exp.toString(), status });
    const inNs = (n: Node) => n.anchor;
    if (!missing.isEmpty()) {
      discrepancies.push({ kind: 'missing', from: from.label, to: to.label, conns: missing, anchor: inNs(to) ?? inNs(from), note: purpose.get(k) });
    }
    if (!extra.isEmpty()) {
      const side = anchorSide === 'to' ? to : from;
      discrepancies.push({
        kind: 'extra',
        from: from.label,
        to: to.label,
        conns: extra,
        anchor: inNs(side) ?? inNs(anchorSide === 'to' ? from : to),
        note: policiesOf(side, anchorSide === 'to' ? 'ingress' : 'egress'),
      });
    }
  };

  // Workload to workload, from the engine's all-pairs result (output-sensitive).
  const pairs = index.podConnections();
  for (const src of workloadNodes) {
    const row = pairs.get(src.workload!.id);
    const dsts = new Set<Node>();
    for (const wid of row?.keys() ?? []) {
      const n = byWorkloadId.get(wid);
      if (n) dsts.add(n);
    }
    for (const id of expectedTargets.get(src.id) ?? []) {
      const n = nodes.get(id);
      if (n) dsts.add(n);
    }
    for (const dst of [...dsts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (src === dst) continue;
      compare(src, dst, row?.get(dst.workload!.id) ?? ConnectionSet.none(), 'to');
    }
  }
  // Probes and cluster services.
  for (const w of workloadNodes) {
    for (const probe of [stray, elsewhere, controller, neighbour, dns, ...peers.nodes, ...peers.neighbours]) {
      compare(probe, w, allowedBetween(probe, w), 'to');
      const out = allowedBetween(w, probe);
      // DNS is allowed for every pod of the namespace, stray ones included.
      compare(w, probe, out, 'from');
    }
  }
  // The namespace default: a pod nobody declared gets nothing but DNS.
  const strayPod = stray.endpoints[0] as PodEndpoint;
  const leaks: string[] = [];
  for (const target of [...workloadNodes, elsewhere, controller, ...peers.nodes]) {
    const c = allowedBetween(stray, target);
    if (!c.isEmpty()) leaks.push(`to ${target.label} (${c})`);
  }
  const strayOut = union(index.egressToExternal(strayPod).map((e) => e.conns));
  if (!strayOut.isEmpty()) leaks.push('to external addresses');
  const strayIn = union(index.ingressFromExternal(strayPod).map((e) => e.conns));
  if (!strayIn.isEmpty()) leaks.push('from external addresses');

  // External ranges: everything allowed beyond the declared CIDR and port.
  const externalNodes = new Map<string, GraphNode>();
  for (const w of workloadNodes) {
    const declared = externalExpected.get(w.id) ?? [];
    const pods = w.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod');
    const actual = pods.flatMap((p) => index.egressToExternal(p));
    type V = { a: ConnectionSet; e: ConnectionSet };
    const pieces = sweep<V>(
      [...actual.map((x) => ({ range: x.range, value: { a: x.conns, e: ConnectionSet.none() } })), ...declared.map((d) => ({ range: d.range, value: { a: ConnectionSet.none(), e: d.conns } }))],
      {
        empty: { a: ConnectionSet.none(), e: ConnectionSet.none() },
        combine: (x, y) => ({ a: x.a.union(y.a), e: x.e.union(y.e) }),
        equals: (x, y) => x.a.equals(y.a) && x.e.equals(y.e),
        isEmpty: (v) => v.a.isEmpty() && v.e.isEmpty(),
      },
    );
    for (const p of pieces) {
      const rid = formatRange(p.range);
      const name = declared.find((d) => rangeContains(d.range, p.range))?.name;
      const label = name ? `${name} ${rid}` : describeRange(p.range);
      if (!externalNodes.has(rid)) externalNodes.set(rid, { id: rid, kind: 'external', label });
      const node: Node = { id: rid, label, kind: 'external', endpoints: [] };
      const k = `${w.id}\u0000${rid}`;
      if (!p.value.e.isEmpty()) {
        expected.set(k, p.value.e);
        purpose.set(k, name ?? 'declared external service');
      }
      compare(w, node, p.value.a, 'from');
    }
    for (const d of declared) {
      // A declared range nothing in the policies covers at all still has to be reported.
      if (pieces.some((p) => rangeContains(d.range, p.range) || rangeContains(p.range, d.range))) continue;
      const rid = formatRange(d.range);
      externalNodes.set(rid, { id: rid, kind: 'external', label: `${d.name} ${rid}` });
      compare(w, { id: rid, label: `${d.name} ${rid}`, kind: 'external', endpoints: [] }, ConnectionSet.none(), 'from');
    }
    const inbound = pods.flatMap((p) => index.ingressFromExternal(p));
    for (const x of inbound) {
      const rid = formatRange(x.range);
      if (!externalNodes.has(rid)) externalNodes.set(rid, { id: rid, kind: 'external', label: describeRange(x.range) });
      compare({ id: rid, label: describeRange(x.range), kind: 'external', endpoints: [] }, w, x.conns, 'to');
    }
  }

  const graphNodes: GraphNode[] = [
    ...workloadNodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label })),
    { id: controller.id, kind: controller.kind, label: controller.label },
    { id: dns.id, kind: dns.kind, label: dns.label },
    ...peers.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label })),
    ...[stray, elsewhere, neighbour, ...peers.neighbours].filter((p) => edges.some((e) => e.from === p.id || e.to === p.id)).map((n) => ({ id: n.id, kind: n.kind, label: n.label })),
    ...[...externalNodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  ];
  return {
    index,
    graph: { environment: env.name, namespace: ns, nodes: graphNodes, edges: edges.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0)) },
    discrepancies,
    defaultDeny: { ingress: index.isIsolated(strayPod, 'ingress'), egress: index.isIsolated(strayPod, 'egress'), leaks },
  };
}
