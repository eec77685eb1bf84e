/**
 * Extraction of what the engine needs from raw objects, read through the shared reading layer:
 * namespaces, workloads (pod variants), Services and routes (Ingress, HTTPRoute). Policies are
 * compiled in `policies.ts`. No evaluation here.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  at,
  controllerOf,
  KubeObject,
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
  text,
  workloadKindOf,
  workloadRefOf,
} from '../manifests';
import { Protocol, PROTOCOLS } from './connection-set';
import { Labels, Selector, SelectorCache } from './selector';
import { NamedPort, ObjectRef, PodEndpoint, Warning, Workload } from './types';

/** An input object with, when known, its loaded form (for locations). */
export interface Source {
  readonly obj: KubeObject;
  readonly loaded?: LoadedObject;
}

function isLoaded(o: unknown): o is LoadedObject {
  return typeof o === 'object' && o !== null && 'object' in o && 'location' in o && 'key' in o;
}

/** Accepts loaded objects or plain Kubernetes objects. */
export function toSources(objects: readonly (LoadedObject | KubernetesObject)[]): Source[] {
  return objects.map((o) => (isLoaded(o) ? { obj: o.object, loaded: o } : { obj: o as KubeObject }));
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

/** A port protocol (TCP when absent), or undefined for an unknown one. */
export function protocolOf(v: unknown): Protocol | undefined {
  if (v === undefined || v === null) return 'TCP';
  if (v === 'TCP' || v === 'UDP' || v === 'SCTP') return v;
  const p = text(v).toUpperCase();
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

function portsOf(podSpec: unknown): NamedPort[] {
  const out: NamedPort[] = [];
  for (const c of [...arr(at(podSpec, ['containers'])), ...arr(at(podSpec, ['initContainers']))]) {
    for (const p of arr(at(c, ['ports']))) {
      const port = Number(at(p, ['containerPort']));
      const protocol = protocolOf(at(p, ['protocol']));
      if (!Number.isInteger(port) || port < 1 || port > 65535 || !protocol) continue;
      const name = str(at(p, ['name']));
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

/** A pod variant of a workload, with its {@link variantKey} once it has been needed. */
interface Variant {
  key?: string;
  readonly labels: Labels;
  readonly ports: NamedPort[];
}

interface WorkloadBuilder {
  id: string;
  namespace: string;
  name: string;
  kind: string;
  /** Distinct variants, in the order they were found (keys are computed only to tell a second one apart). */
  variants: Variant[];
  objects: ObjectRef[];
}

/** Adds a pod variant (when new) and the object it comes from to the workload `w`. */
function addVariant(builders: Map<string, WorkloadBuilder>, w: Pick<WorkloadBuilder, 'id' | 'namespace' | 'name' | 'kind'>, variant: Variant, ref: ObjectRef): void {
  const b = builders.get(w.id);
  if (!b) {
    builders.set(w.id, { id: w.id, namespace: w.namespace, name: w.name, kind: w.kind, variants: [variant], objects: [ref] });
    return;
  }
  const vk = variantKey(variant.labels, variant.ports);
  if (!b.variants.some((v) => (v.key ??= variantKey(v.labels, v.ports)) === vk)) b.variants.push({ key: vk, ...variant });
  b.objects.push(ref);
}

/** Workload objects by `Kind/namespace/name`, indexed on the first lookup (only a Rollout that names its workload needs one). */
function lazyWorkloadIndex(sources: readonly Source[], nsOf: (o: Source['obj']) => string): (key: string) => Source | undefined {
  let byKey: Map<string, Source> | undefined;
  return (key) => {
    if (!byKey) {
      byKey = new Map();
      for (const s of sources) if (workloadKindOf(s.obj)) byKey.set(`${s.obj.kind}/${nsOf(s.obj)}/${s.obj.metadata?.name ?? ''}`, s);
    }
    return byKey.get(key);
  };
}

/**
 * Finds the workloads: controllers with a pod template, and bare Pods (a Pod with an owner
 * reference becomes its owner's node, merged with the owner when that is in the manifests too;
 * a static pod, owned by its Node, stays a Pod of its own name).
 */
export function extractWorkloads(
  sources: readonly Source[],
  nsOf: (o: Source['obj']) => string,
  namespaces: NamespaceTable,
  warn: WarningSink,
): Workload[] {
  const builders = new Map<string, WorkloadBuilder>();
  const add = (id: string, ns: string, name: string, kind: string, labels: Labels, ports: NamedPort[], ref: ObjectRef) => addVariant(builders, { id, namespace: ns, name, kind }, { labels, ports }, ref);
  const workloadNamed = lazyWorkloadIndex(sources, nsOf);
  for (const s of sources) {
    const workload = workloadKindOf(s.obj);
    if (!workload) continue;
    const kind = workload.kind;
    const ns = nsOf(s.obj);
    const name = s.obj.metadata?.name ?? '';
    const ref = refOf(s, ns);
    if (kind === 'Pod') {
      // A static pod's mirror is owned by its Node: it is no replica of anything, so it keeps
      // its own name (two static pods on one node are two nodes of the graph).
      const controller = controllerOf(s.obj);
      const owner = controller?.kind === 'Node' ? undefined : controller;
      const ownerKind = owner ? (owner.kind ?? 'Pod') : 'Pod';
      const ownerName = owner ? owner.name : name;
      add(`${ns}/${ownerName}[${ownerKind}]`, ns, ownerName, ownerKind, labelsOf(s.obj.metadata?.labels), portsOf(s.obj.spec), ref);
      continue;
    }
    // A Rollout with spec.workloadRef runs the pod template of the workload it names.
    const named = workloadRefOf(s.obj);
    const template = podTemplateOf(s.obj) ?? (named ? podTemplateOf(workloadNamed(`${named.kind}/${ns}/${named.name}`)?.obj ?? {}) : undefined);
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
    const pods: PodEndpoint[] = b.variants.map((v) => ({
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

export function extractService(s: Source, ns: string, selectors?: SelectorCache): ServiceInfo {
  const selLabels = labelsOf(at(s.obj, ['spec', 'selector']));
  const ports: ServicePort[] = [];
  for (const p of arr(at(s.obj, ['spec', 'ports']))) {
    const port = Number(at(p, ['port']));
    const protocol = protocolOf(at(p, ['protocol']));
    if (!Number.isInteger(port) || !protocol) continue;
    const tp = at(p, ['targetPort']);
    const targetPort =
      typeof tp === 'number' ? tp : typeof tp === 'string' ? (/^\d+$/.test(tp) ? Number(tp) : tp) : undefined;
    const name = at(p, ['name']);
    // Only the fields the port has: one literal per shape.
    if (typeof name === 'string') ports.push(targetPort !== undefined ? { name, port, targetPort, protocol } : { name, port, protocol });
    else ports.push(targetPort !== undefined ? { port, targetPort, protocol } : { port, protocol });
  }
  return {
    namespace: ns,
    name: s.obj.metadata?.name ?? '',
    ...(Object.keys(selLabels).length > 0 ? { selector: selectors ? selectors.compile({ matchLabels: selLabels }) : Selector.compile({ matchLabels: selLabels }) } : {}),
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
