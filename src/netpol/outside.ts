/**
 * Pods outside the manifests that NetworkPolicies let in or out, as classes with one
 * representative pod each (see {@link OutsideEndpoint}).
 */
import { METADATA_NAME_LABEL } from '../manifests';
import { addConns, PairFinder } from './all-pairs';
import type { ConnectionSet } from './connection-set';
import type { Evaluator } from './evaluate';
import { NamespaceTable } from './model';
import { CompiledPolicy, isAllPodsPeer, Peer } from './policies';
import type { PodState, PodStore } from './pods';
import { Labels, Selector } from './selector';
import type { PodEndpoint, PolicyInfo } from './types';

/** Describes a pod that need not exist in the manifests, for what-if questions. */
export interface HypotheticalPod {
  readonly namespace?: string;
  readonly labels?: Labels;
  readonly ports?: readonly import('./types').NamedPort[];
  /**
   * Labels of the pod's namespace (the implied `kubernetes.io/metadata.name` is added).
   * @default - the declared namespace's labels, or only the implied label
   */
  readonly namespaceLabels?: Labels;
  /** @default `namespace/{labels}` */
  readonly id?: string;
}

/**
 * A pod that is not in the manifests but that NetworkPolicies may let in or out, standing for a
 * class of such pods. Ids (deterministic, sorted in reports after the workloads):
 *
 * - `{other-namespace}`: a pod without labels in a namespace that is not in the manifests and has
 *   no label but its name (what `namespaceSelector: {}` or a rule without `from`/`to` admits);
 * - `<ns>/{any-other-pod}`, for each namespace of the manifests (declared, or holding a workload
 *   or a policy): a pod without labels in `<ns>` that is none of the workloads;
 * - `<ns>/{<podSelector>}` or `<ns>/{any-pod}`: the pods a peer selects in a namespace it names
 *   (`namespaceSelector` on `kubernetes.io/metadata.name`, e.g. `kube-system/{k8s-app=kube-dns}`)
 *   that is not in the manifests; or, in a namespace of the manifests, pods a peer's podSelector
 *   selects where no workload matches it (e.g. `shop/{app=debug}`);
 * - `{other-namespace <nsSelector>}` and `{other-namespace[ <nsSelector>]}/{<podSelector>}`: the
 *   pods a peer selects in namespaces outside the manifests chosen by labels, e.g.
 *   `{other-namespace env=prod}`, `{other-namespace}/{app=prometheus}`.
 *
 * Each is evaluated as one representative pod ({@link pod}): the fewest labels its selectors
 * need (`matchLabels`, the first `In` value, an empty value for `Exists`), no container ports (so
 * named ports never resolve on it), in a namespace with the fewest labels the namespaceSelector
 * needs. Outside the manifests no policy is known, so there it is unrestricted; in a namespace of
 * the manifests that namespace's policies apply to it. Inside namespaces of the manifests, pods a
 * selector matches are taken to be the workloads when any workload matches.
 *
 * The two generic kinds are paired with every workload. A class a peer names is paired only with
 * the workloads selected by the policies that name it (`namedBy`): what any other workload can do
 * with pods elsewhere shows under the generic kinds, and the report stays linear in the size of
 * the policies instead of pairing every class with every workload.
 */
export interface OutsideEndpoint {
  readonly id: string;
  /** The representative pod. */
  readonly pod: PodEndpoint;
  /** What the representative pod is made of, to stand for the same class in another set of manifests. */
  readonly spec: OutsideSpec;
  /** The namespace, when the class lies in one named namespace. */
  readonly namespace?: string;
  /**
   * Whether the class lies in a namespace the manifests deploy into (one holding a workload or a
   * NetworkPolicy), so their policies are all the policies that apply to it and its connections to
   * external ranges and other namespaces are known; elsewhere the manifests say nothing of it.
   */
  readonly governed: boolean;
  /** Whether the class is `{other-namespace}` or a `<ns>/{any-other-pod}`. */
  readonly generic: boolean;
  /** The policies with a peer that names the class; absent for the generic kinds. */
  readonly namedBy?: readonly PolicyInfo[];
}

/** An outside class as data: its id, the representative pod's namespace and labels, and whether it is generic. */
export interface OutsideSpec {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Labels of the namespace; absent: the namespace's labels in the manifests at hand. */
  readonly namespaceLabels?: Labels;
  /** The named namespace of the class, when it lies in one. */
  readonly inNamespace?: string;
  readonly generic: boolean;
}

/** Id of the generic pod in a namespace outside the manifests. */
export const OTHER_NAMESPACE_ID = '{other-namespace}';

/** Namespace name of representatives in namespaces outside the manifests (no real name has braces). */
const OTHER_NAMESPACE = '{other-namespace}';

/** A peer of a NetworkPolicy rule that selects pods. */
type PodsPeer = Extract<Peer, { kind: 'pods' }>;

/** Records an outside class by id (`endpoints`), with the namespace it lies in when it lies in one. */
type AddClass = (id: string, spec: HypotheticalPod, namespace?: string) => void;

/** Records the pods a selector matches in a namespace of the manifests, unless they are its workloads. */
type AddInManifests = (ns: string, q: Selector, labels: Labels) => void;

/** The classes of pods outside the manifests of a `PolicyIndex`, and their connections. */
export class OutsidePods {
  private found?: OutsideEndpoint[];
  private deployed?: Set<string>;

  constructor(
    private readonly pods: PodStore,
    private readonly evaluate: Evaluator,
    private readonly pairs: PairFinder,
    private readonly policies: readonly CompiledPolicy[],
    private readonly namespaces: NamespaceTable,
    /** Builds a hypothetical pod (`PolicyIndex.pod`). */
    private readonly makePod: (spec: HypotheticalPod) => PodEndpoint,
  ) {}

  /**
   * The pods outside the manifests that reports consider (see {@link OutsideEndpoint} for what
   * each stands for), sorted by id: the generic ones, and one per class of pods that a peer of a
   * policy selecting some workload names. Computed once.
   */
  endpoints(): readonly OutsideEndpoint[] {
    if (this.found) return this.found;
    const found = new Map<string, { ep: OutsideEndpoint; namedBy?: CompiledPolicy[] }>();
    let policy: CompiledPolicy | undefined;
    const add = (id: string, spec: HypotheticalPod, namespace?: string) => {
      let o = found.get(id);
      if (!o) {
        const generic = policy === undefined;
        const { namespace: ns = OTHER_NAMESPACE, labels = {} } = spec;
        const ep = this.of({ id, namespace: ns, labels, ...(spec.namespaceLabels ? { namespaceLabels: spec.namespaceLabels } : {}), ...(namespace !== undefined ? { inNamespace: namespace } : {}), generic });
        o = generic ? { ep } : { ep, namedBy: [] };
        found.set(id, o);
      }
      if (policy && o.namedBy && o.namedBy[o.namedBy.length - 1] !== policy) o.namedBy.push(policy);
    };
    add(OTHER_NAMESPACE_ID, { namespace: OTHER_NAMESPACE, labels: {}, namespaceLabels: {} });
    for (const ns of this.namespaces.names()) add(`${ns}/{any-other-pod}`, { namespace: ns, labels: {} }, ns);

    const inManifests = (ns: string, q: Selector, labels: Labels) => {
      // Pods a selector matches in a namespace of the manifests are its workloads when any match;
      // an unlabelled one is `<ns>/{any-other-pod}`.
      if (q.matches({}) || this.pods.select(ns, q).length > 0) return;
      add(`${ns}/${q.toString()}`, { namespace: ns, labels }, ns);
    };
    for (const p of this.policies) {
      policy = p;
      if ((this.pods.selectedBy(p)).length === 0) continue;
      for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
        if (r.peers === 'all') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'pods' || isAllPodsPeer(peer)) continue;
          this.classesOfPeer(p.namespace, peer, add, inManifests);
        }
      }
    }
    return (this.found = [...found.values()]
      .map((o) => (o.namedBy ? { ...o.ep, namedBy: o.namedBy } : o.ep))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  }

  /**
   * Names, through `add` and `inManifests`, the classes of pods outside the manifests that a pod
   * peer of a policy in `namespace` selects: in its own namespace, in each namespace it pins by
   * name, or in namespaces outside the manifests chosen by labels.
   */
  private classesOfPeer(namespace: string, peer: PodsPeer, add: AddClass, inManifests: AddInManifests): void {
    const q = peer.podSelector ?? Selector.EVERYTHING;
    const labels = q.example();
    if (!labels) return;
    const s = peer.namespaceSelector;
    if (!s) {
      inManifests(namespace, q, labels);
      return;
    }
    const base = s.example();
    if (!base) return;
    const pinned = s.pinnedValues(METADATA_NAME_LABEL);
    if (pinned) {
      for (const ns of pinned) {
        if (this.namespaces.has(ns)) {
          if (s.matches(this.namespaces.labelsOf(ns))) inManifests(ns, q, labels);
          continue;
        }
        const nsLabels = { ...base, [METADATA_NAME_LABEL]: ns };
        if (!s.matches(nsLabels)) continue;
        add(`${ns}/${q.matchesEverything ? '{any-pod}' : q.toString()}`, { namespace: ns, labels, namespaceLabels: nsLabels }, ns);
      }
      return;
    }
    const nsLabels = { ...base, [METADATA_NAME_LABEL]: OTHER_NAMESPACE };
    if (!s.matches(nsLabels)) return;
    if (s.matchesEverything && q.matches({})) return; // that is {other-namespace}
    const nsPart = s.matchesEverything ? OTHER_NAMESPACE_ID : `{other-namespace ${s.toString().slice(1, -1)}}`;
    add(q.matchesEverything ? nsPart : `${nsPart}/${q.toString()}`, { namespace: OTHER_NAMESPACE, labels, namespaceLabels: nsLabels });
  }

  /** Namespaces the manifests deploy into: those holding a workload or a NetworkPolicy. */
  private governed(): ReadonlySet<string> {
    if (!this.deployed) {
      this.deployed = new Set<string>();
      for (const s of this.pods.states) this.deployed.add(s.ep.namespace);
      for (const p of this.policies) this.deployed.add(p.namespace);
    }
    return this.deployed;
  }

  /**
   * The class a spec describes, evaluated in these manifests (e.g. a class another set of
   * manifests names, so both sides of a comparison judge the same pods).
   */
  of(spec: OutsideSpec): OutsideEndpoint {
    const pod = this.makePod({ namespace: spec.namespace, labels: spec.labels, ...(spec.namespaceLabels ? { namespaceLabels: spec.namespaceLabels } : {}), ports: [], id: spec.id });
    return {
      id: spec.id,
      pod,
      spec,
      ...(spec.inNamespace !== undefined ? { namespace: spec.inNamespace } : {}),
      governed: this.governed().has(spec.namespace),
      generic: spec.generic,
    };
  }

  /**
   * The connections between an outside class and the workloads, by workload id: all workloads
   * for the generic kinds and with `everyWorkload` (`PairFinder.workloadConnections`), only those
   * selected by the policies that name it otherwise (see {@link OutsideEndpoint}).
   */
  connections(o: OutsideEndpoint, everyWorkload = false): { inbound: Map<string, ConnectionSet>; outbound: Map<string, ConnectionSet> } {
    if (!o.namedBy || everyWorkload) return this.pairs.workloadConnections(o.pod);
    const inbound = new Map<string, ConnectionSet>();
    const outbound = new Map<string, ConnectionSet>();
    const seen = new Set<PodState>();
    for (const info of o.namedBy) {
      for (const s of this.pods.selectedBy(info as CompiledPolicy)) {
        if (seen.has(s)) continue;
        seen.add(s);
        addConns(outbound, s.ep.id, this.evaluate.allowed(o.pod, s.ep));
        addConns(inbound, s.ep.id, this.evaluate.allowed(s.ep, o.pod));
      }
    }
    return { inbound, outbound };
  }
}
