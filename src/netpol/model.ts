/**
 * Extraction of what the engine needs from raw objects: namespaces, workloads (pod variants),
 * compiled NetworkPolicies, Services and routes (Ingress, HTTPRoute). No evaluation here.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  controllerOf,
  fieldLine,
  list as arr,
  LoadedObject,
  METADATA_NAME_LABEL,
  namespaceLabels,
  podTemplateOf,
  routeBackends,
  scalarMap as labelsOf,
  scalarText as str,
  SourceLocation,
  workloadKindOf,
  workloadRefOf,
} from '../manifests';
import { ConnectionSet, Protocol, PROTOCOLS } from './connection-set';
import { IpRange, parseCidr } from './ip';
import { Labels, Selector } from './selector';
import { Direction, NamedPort, ObjectRef, PodEndpoint, PolicyInfo, Warning, Workload } from './types';

/** An input object with, when known, its loaded form (for locations). */
export interface Source {
  readonly obj: KubernetesObject & Record<string, any>;
  readonly loaded?: LoadedObject;
}

function isLoaded(o: unknown): o is LoadedObject {
  return typeof o === 'object' && o !== null && 'object' in o && 'location' in o && 'key' in o;
}

/** Accepts loaded objects or plain Kubernetes objects. */
export function toSources(objects: readonly (LoadedObject | KubernetesObject)[]): Source[] {
  return objects.map((o) => (isLoaded(o) ? { obj: o.object, loaded: o } : { obj: o as Source['obj'] }));
}

/** Receives warnings while extracting and evaluating. */
export class WarningSink {
  private readonly seen = new Set<string>();
  readonly list: Warning[] = [];

  add(code: string, message: string, src?: Source | ObjectRef, path?: (string | number)[]): void {
    let resource: string | undefined;
    let location: SourceLocation | undefined;
    if (src && 'obj' in src) {
      resource = src.loaded?.key;
      if (src.loaded) {
        location = { file: src.loaded.location.file, line: path ? fieldLine(src.loaded, path) : src.loaded.location.line };
      }
    } else if (src) {
      resource = src.key;
      location = src.location;
    }
    const id = `${code}\u0000${message}\u0000${resource ?? ''}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.list.push({ code, message, ...(resource ? { resource } : {}), ...(location ? { location } : {}) });
  }
}

function protocolOf(v: unknown): Protocol | undefined {
  if (v === undefined || v === null) return 'TCP';
  const p = String(v).toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(p) ? (p as Protocol) : undefined;
}

function refOf(s: Source, ns: string): ObjectRef {
  const kind = s.obj.kind ?? '';
  return {
    key: `${kind}/${ns}/${s.obj.metadata?.name ?? ''}`,
    ...(s.loaded ? { location: s.loaded.location } : {}),
  };
}

/** Namespaces and their effective labels. */
export class NamespaceTable {
  private readonly labels = new Map<string, Labels>();
  private readonly declared = new Set<string>();

  declare(obj: Source['obj']): void {
    const name = obj.metadata?.name;
    if (!name) return;
    this.declared.add(name);
    this.labels.set(name, namespaceLabels({ metadata: { name, labels: labelsOf(obj.metadata?.labels) } }));
  }

  /** Makes a referenced namespace known (with only the implied label unless declared). */
  reference(name: string): void {
    if (!this.labels.has(name)) this.labels.set(name, { [METADATA_NAME_LABEL]: name });
  }

  /** Effective labels: declared labels + `kubernetes.io/metadata.name`, or only the latter. */
  labelsOf(name: string): Labels {
    return this.labels.get(name) ?? { [METADATA_NAME_LABEL]: name };
  }

  /** Whether the manifests declare or use the namespace. */
  has(name: string): boolean {
    return this.labels.has(name);
  }

  isDeclared(name: string): boolean {
    return this.declared.has(name);
  }

  /** Every known namespace, sorted. */
  names(): string[] {
    return [...this.labels.keys()].sort();
  }
}

function portsOf(podSpec: any): NamedPort[] {
  const out: NamedPort[] = [];
  for (const c of [...arr(podSpec?.containers), ...arr(podSpec?.initContainers)]) {
    for (const p of arr(c?.ports)) {
      const port = Number(p?.containerPort);
      const protocol = protocolOf(p?.protocol);
      if (!Number.isInteger(port) || port < 1 || port > 65535 || !protocol) continue;
      const name = str(p?.name);
      out.push(name ? { name, port, protocol } : { port, protocol });
    }
  }
  return out;
}

function variantKey(labels: Labels, ports: readonly NamedPort[]): string {
  const l = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  const p = ports.map((x) => `${x.name ?? ''}/${x.port}/${x.protocol}`).sort();
  return `${l.join('\u0001')}\u0002${p.join('\u0001')}`;
}

interface WorkloadBuilder {
  id: string;
  namespace: string;
  name: string;
  kind: string;
  variants: Map<string, { labels: Labels; ports: NamedPort[] }>;
  objects: ObjectRef[];
}

/**
 * Finds the workloads: controllers with a pod template, and bare Pods (a Pod with an owner
 * reference becomes its owner's node, merged with the owner when that is in the manifests too).
 */
export function extractWorkloads(
  sources: readonly Source[],
  nsOf: (o: Source['obj']) => string,
  namespaces: NamespaceTable,
  warn: WarningSink,
): Workload[] {
  const builders = new Map<string, WorkloadBuilder>();
  const add = (id: string, ns: string, name: string, kind: string, labels: Labels, ports: NamedPort[], ref: ObjectRef) => {
    let b = builders.get(id);
    if (!b) {
      b = { id, namespace: ns, name, kind, variants: new Map(), objects: [] };
      builders.set(id, b);
    }
    const vk = variantKey(labels, ports);
    if (!b.variants.has(vk)) b.variants.set(vk, { labels, ports });
    b.objects.push(ref);
  };
  const byKey = new Map<string, Source>();
  for (const s of sources) if (workloadKindOf(s.obj)) byKey.set(`${s.obj.kind}/${nsOf(s.obj)}/${s.obj.metadata?.name ?? ''}`, s);
  for (const s of sources) {
    const workload = workloadKindOf(s.obj);
    if (!workload) continue;
    const kind = workload.kind;
    const ns = nsOf(s.obj);
    const name = s.obj.metadata?.name ?? '';
    const ref = refOf(s, ns);
    if (kind === 'Pod') {
      const owner = controllerOf(s.obj);
      const ownerKind = owner ? (owner.kind ?? 'Pod') : 'Pod';
      const ownerName = owner ? owner.name : name;
      add(`${ns}/${ownerName}[${ownerKind}]`, ns, ownerName, ownerKind, labelsOf(s.obj.metadata?.labels), portsOf(s.obj.spec), ref);
      continue;
    }
    // A Rollout with spec.workloadRef runs the pod template of the workload it names.
    const named = workloadRefOf(s.obj);
    const template = podTemplateOf(s.obj) ?? (named ? podTemplateOf(byKey.get(`${named.kind}/${ns}/${named.name}`)?.obj ?? {}) : undefined);
    if (!template) {
      warn.add('workload-without-template', `${kind} ${ns}/${name} has no pod template; it is left out`, s);
      continue;
    }
    add(`${ns}/${name}[${kind}]`, ns, name, kind, labelsOf(template.metadata.labels), portsOf(template.spec), ref);
  }
  const out: Workload[] = [];
  for (const b of [...builders.values()].sort((a, c) => (a.id < c.id ? -1 : a.id > c.id ? 1 : 0))) {
    namespaces.reference(b.namespace);
    const nsLabels = namespaces.labelsOf(b.namespace);
    const pods: PodEndpoint[] = [...b.variants.values()].map((v) => ({
      kind: 'pod',
      id: b.id,
      namespace: b.namespace,
      labels: v.labels,
      ports: v.ports,
      namespaceLabels: nsLabels,
    }));
    out.push({ id: b.id, namespace: b.namespace, name: b.name, kind: b.kind, pods, objects: b.objects });
  }
  return out;
}

/** A port of a NetworkPolicy rule. */
export type PortSpec =
  | { kind: 'all'; protocol: Protocol }
  | { kind: 'range'; protocol: Protocol; from: number; to: number }
  | { kind: 'named'; protocol: Protocol; name: string };

/** A peer of a NetworkPolicy rule. */
export type Peer =
  | { kind: 'pods'; podSelector?: Selector; namespaceSelector?: Selector }
  | { kind: 'ipBlock'; cidr: IpRange; except: IpRange[] };

/** One ingress or egress rule of a compiled NetworkPolicy. */
export interface Rule {
  readonly policy: CompiledPolicy;
  readonly direction: Direction;
  readonly index: number;
  /** `'all'` when `from`/`to` is absent or empty. */
  readonly peers: 'all' | readonly Peer[];
  /** `'all'` when `ports` is absent or empty; otherwise numeric ports and named ones. */
  readonly ports: 'all' | { readonly fixed: ConnectionSet; readonly named: readonly { protocol: Protocol; name: string }[] };
}

/** A NetworkPolicy ready for evaluation. */
export interface CompiledPolicy extends PolicyInfo {
  readonly podSelector: Selector;
  /** Present iff the policy isolates ingress. */
  readonly ingress?: readonly Rule[];
  /** Present iff the policy isolates egress. */
  readonly egress?: readonly Rule[];
  readonly source: Source;
}

/** Whether a pod-peer matches every pod in every namespace. */
export function isAllPodsPeer(p: Peer): boolean {
  return p.kind === 'pods' && !!p.namespaceSelector?.matchesEverything && (!p.podSelector || p.podSelector.matchesEverything);
}

/**
 * Compiles a `networking.k8s.io/v1` NetworkPolicy. Invalid parts are reported as warnings and
 * read in the restrictive way (an invalid peer or port matches nothing).
 */
export function compilePolicy(s: Source, ns: string, warn: WarningSink): CompiledPolicy {
  const spec = s.obj.spec ?? {};
  const name = s.obj.metadata?.name ?? '';
  const key = `NetworkPolicy/${ns}/${name}`;
  const problem = (path: (string | number)[]) => (message: string) =>
    warn.add('invalid-policy', `NetworkPolicy ${ns}/${name}: ${message}`, s, path);

  const rawTypes = arr(spec.policyTypes);
  const directions: Direction[] = [];
  if (rawTypes.length === 0) {
    directions.push('ingress');
    if (arr(spec.egress).length > 0) directions.push('egress');
  } else {
    for (const t of rawTypes) {
      if (t === 'Ingress' && !directions.includes('ingress')) directions.push('ingress');
      else if (t === 'Egress' && !directions.includes('egress')) directions.push('egress');
      else if (t !== 'Ingress' && t !== 'Egress') problem(['spec', 'policyTypes'])(`unknown policy type "${String(t)}"`);
    }
    directions.sort();
  }

  const policy: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    namespace: ns,
    name,
    key,
    ...(s.loaded ? { location: s.loaded.location } : {}),
    directions,
    podSelector: Selector.compile(spec.podSelector, problem(['spec', 'podSelector'])),
    source: s,
  };

  const compileRules = (direction: Direction): Rule[] => {
    const field = direction;
    const peerField = direction === 'ingress' ? 'from' : 'to';
    return arr(spec[field]).map((raw, index): Rule => {
      const base = ['spec', field, index];
      const rawPeers = arr(raw?.[peerField]);
      let peers: 'all' | Peer[] = 'all';
      if (rawPeers.length > 0) {
        peers = [];
        rawPeers.forEach((p, j) => {
          const peer = compilePeer(p, problem([...base, peerField, j]));
          if (peer) (peers as Peer[]).push(peer);
        });
      }
      const rawPorts = arr(raw?.ports);
      let ports: Rule['ports'] = 'all';
      if (rawPorts.length > 0) {
        let fixed = ConnectionSet.none();
        const named: { protocol: Protocol; name: string }[] = [];
        rawPorts.forEach((p, j) => {
          const spec = compilePort(p, problem([...base, 'ports', j]));
          if (!spec) return;
          if (spec.kind === 'all') fixed = fixed.union(ConnectionSet.protocol(spec.protocol));
          else if (spec.kind === 'range') fixed = fixed.union(ConnectionSet.range(spec.protocol, spec.from, spec.to));
          else named.push({ protocol: spec.protocol, name: spec.name });
        });
        ports = { fixed, named };
      }
      return { policy: policy as CompiledPolicy, direction, index, peers, ports };
    });
  };
  if (directions.includes('ingress')) policy.ingress = compileRules('ingress');
  if (directions.includes('egress')) policy.egress = compileRules('egress');
  return policy as CompiledPolicy;
}

function compilePeer(p: any, problem: (m: string) => void): Peer | undefined {
  if (!p || typeof p !== 'object') {
    problem('peer is not a mapping; it matches nothing');
    return undefined;
  }
  const hasPod = p.podSelector !== undefined && p.podSelector !== null;
  const hasNs = p.namespaceSelector !== undefined && p.namespaceSelector !== null;
  const hasIp = p.ipBlock !== undefined && p.ipBlock !== null;
  if (hasIp) {
    if (hasPod || hasNs) {
      problem('a peer cannot combine ipBlock with podSelector or namespaceSelector; it matches nothing');
      return undefined;
    }
    const cidr = typeof p.ipBlock.cidr === 'string' ? parseCidr(p.ipBlock.cidr) : undefined;
    if (!cidr) {
      problem(`ipBlock cidr "${String(p.ipBlock.cidr)}" is not a valid CIDR; the peer matches nothing`);
      return undefined;
    }
    const except: IpRange[] = [];
    for (const e of arr(p.ipBlock.except)) {
      const r = typeof e === 'string' ? parseCidr(e) : undefined;
      if (!r) {
        problem(`ipBlock except "${String(e)}" is not a valid CIDR; the peer matches nothing`);
        return undefined;
      }
      if (r.family !== cidr.family || r.start < cidr.start || r.end > cidr.end) {
        problem(`ipBlock except "${e}" is not inside cidr "${p.ipBlock.cidr}"`);
      }
      except.push(r);
    }
    return { kind: 'ipBlock', cidr, except };
  }
  if (!hasPod && !hasNs) {
    problem('peer has no podSelector, namespaceSelector or ipBlock; it matches nothing');
    return undefined;
  }
  return {
    kind: 'pods',
    ...(hasPod ? { podSelector: Selector.compile(p.podSelector, problem) } : {}),
    ...(hasNs ? { namespaceSelector: Selector.compile(p.namespaceSelector, problem) } : {}),
  };
}

function compilePort(p: any, problem: (m: string) => void): PortSpec | undefined {
  if (!p || typeof p !== 'object') {
    problem('port entry is not a mapping; it matches nothing');
    return undefined;
  }
  const protocol = protocolOf(p.protocol);
  if (!protocol) {
    problem(`unknown protocol "${String(p.protocol)}"; the port matches nothing`);
    return undefined;
  }
  if (p.port === undefined || p.port === null) {
    if (p.endPort !== undefined) problem('endPort without port is ignored');
    return { kind: 'all', protocol };
  }
  const asNumber = typeof p.port === 'number' ? p.port : /^\d+$/.test(String(p.port)) ? Number(p.port) : undefined;
  if (asNumber === undefined) {
    if (p.endPort !== undefined && p.endPort !== null) {
      problem(`endPort cannot be used with the named port "${String(p.port)}"; the port matches nothing`);
      return undefined;
    }
    return { kind: 'named', protocol, name: String(p.port) };
  }
  if (!Number.isInteger(asNumber) || asNumber < 1 || asNumber > 65535) {
    problem(`port ${String(p.port)} is out of range; the port matches nothing`);
    return undefined;
  }
  if (p.endPort === undefined || p.endPort === null) return { kind: 'range', protocol, from: asNumber, to: asNumber };
  const end = Number(p.endPort);
  if (!Number.isInteger(end) || end < asNumber || end > 65535) {
    problem(`endPort ${String(p.endPort)} must be a port not below port ${asNumber}; the port matches nothing`);
    return undefined;
  }
  return { kind: 'range', protocol, from: asNumber, to: end };
}

/** Resolves a rule's ports against the destination pod's declared ports (or none for external). */
export function resolveRulePorts(rule: Rule, dstPorts: readonly NamedPort[] | undefined): ConnectionSet {
  if (rule.ports === 'all') return ConnectionSet.all();
  let c = rule.ports.fixed;
  if (dstPorts) {
    for (const n of rule.ports.named) {
      for (const p of dstPorts) {
        if (p.name === n.name && p.protocol === n.protocol) c = c.union(ConnectionSet.ports(p.protocol, p.port));
      }
    }
  }
  return c;
}

/** A Service port. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number, port name, or undefined (same as `port`). */
  readonly targetPort?: number | string;
  readonly protocol: Protocol;
}

/** A Service with a selector. */
export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly selector?: Selector;
  readonly ports: readonly ServicePort[];
  readonly source: Source;
}

export function extractService(s: Source, ns: string): ServiceInfo {
  const spec = s.obj.spec ?? {};
  const selLabels = labelsOf(spec.selector);
  const ports: ServicePort[] = [];
  for (const p of arr(spec.ports)) {
    const port = Number(p?.port);
    const protocol = protocolOf(p?.protocol);
    if (!Number.isInteger(port) || !protocol) continue;
    const tp = p?.targetPort;
    const targetPort =
      typeof tp === 'number' ? tp : typeof tp === 'string' ? (/^\d+$/.test(tp) ? Number(tp) : tp) : undefined;
    ports.push({
      ...(typeof p?.name === 'string' ? { name: p.name } : {}),
      port,
      ...(targetPort !== undefined ? { targetPort } : {}),
      protocol,
    });
  }
  return {
    namespace: ns,
    name: s.obj.metadata?.name ?? '',
    ...(Object.keys(selLabels).length > 0 ? { selector: Selector.compile({ matchLabels: selLabels }) } : {}),
    ports,
    source: s,
  };
}

/** A route from the edge (Ingress or HTTPRoute) to a Service port. */
export interface RouteInfo {
  readonly source: Source;
  /** Namespace of the Service. */
  readonly namespace: string;
  readonly service: string;
  /** Service port number or name; undefined means every port of the Service. */
  readonly port?: number | string;
  /** Path of the backend inside the route object (for warning lines). */
  readonly path: (string | number)[];
}

/** The Service backends of a route object (Ingress or HTTPRoute), read by the shared route reader. */
export function extractRoutes(s: Source, ns: string): RouteInfo[] {
  return routeBackends(s.obj).map((b) => ({
    source: s,
    namespace: b.namespace ?? ns,
    service: b.service,
    ...(b.port !== undefined ? { port: b.port } : {}),
    path: b.path,
  }));
}
