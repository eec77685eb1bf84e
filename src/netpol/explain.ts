/**
 * Why a connection is allowed or not, one side at a time: which rule and which peer of which
 * NetworkPolicy admit it, with where they are written. The validator names them in its findings.
 */
import { at, fieldLine, list, SourceLocation, str, text } from '../manifests';
import { ConnectionSet } from './connection-set';
import type { Evaluator } from './evaluate';
import { formatRange } from './ip';
import { CompiledPolicy, Peer, resolveRulePorts, Rule } from './policies';
import type { PodStore } from './pods';
import type { Direction, Endpoint, PodEndpoint, PolicyInfo } from './types';

/** One rule (and peer) of a NetworkPolicy that admits part of a connection. */
export interface Admission {
  readonly policy: PolicyInfo;
  readonly direction: Direction;
  /** Index of the rule in `spec.ingress` or `spec.egress`. */
  readonly rule: number;
  /** Index of the peer in the rule's `from`/`to`; absent when the rule has none (it admits every peer). */
  readonly peer?: number;
  /** What this rule admits of the connections asked about. */
  readonly conns: ConnectionSet;
  /** Path of the peer (or of the rule) inside the policy, e.g. `['spec', 'ingress', 1, 'from', 0]`. */
  readonly path: readonly (string | number)[];
  /** Where the peer (or the rule) is written, when the policy was loaded from a file. */
  readonly location?: SourceLocation;
  /** The rule and peer as a reader finds them, e.g. `ingress[1].from[0] (namespaceSelector {team=obs})`. */
  readonly text: string;
}

/** What one side of a connection (the source's egress, or the destination's ingress) says. */
export interface SideExplanation {
  /** Whether some policy selects the pod for this direction; if not, the side allows everything. */
  readonly isolated: boolean;
  /** The policies that select the pod for this direction. */
  readonly policies: readonly PolicyInfo[];
  /** Everything this side allows with the peer (all connections when not isolated). */
  readonly allowed: ConnectionSet;
  /** The rules that admit some of the connections asked about, one entry per matching peer. */
  readonly admissions: readonly Admission[];
}

function peerText(peer: Peer, raw: unknown): string {
  if (peer.kind === 'ipBlock') {
    // As written (a CIDR), falling back to the range it stands for.
    const cidr = str(at(raw, ['ipBlock', 'cidr'])) ?? formatRange(peer.cidr);
    const except = list(at(raw, ['ipBlock', 'except'])).map((e) => text(e));
    return `ipBlock ${cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`;
  }
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaceSelector ${peer.namespaceSelector.toString()}`);
  if (peer.podSelector) parts.push(`podSelector ${peer.podSelector.toString()}`);
  return parts.join(', ');
}

function admission(policy: CompiledPolicy, rule: Rule, peer: Peer | undefined, conns: ConnectionSet): Admission {
  const field = rule.direction === 'ingress' ? 'from' : 'to';
  const path = peer ? ['spec', rule.direction, rule.index, field, peer.index] : ['spec', rule.direction, rule.index];
  const loaded = policy.source.loaded;
  const location = loaded ? { file: loaded.location.file, line: fieldLine(loaded, path) } : undefined;
  const ports = rule.ports === 'all' ? 'every port' : `ports ${conns.toString()}`;
  const text = peer
    ? `${rule.direction}[${rule.index}].${field}[${peer.index}] (${peerText(peer, at(policy.source.obj, path))}; ${ports})`
    : `${rule.direction}[${rule.index}] (no ${field}: every ${rule.direction === 'ingress' ? 'source' : 'destination'}; ${ports})`;
  return { policy, direction: rule.direction, rule: rule.index, ...(peer ? { peer: peer.index } : {}), conns, path, ...(location ? { location } : {}), text };
}

/** Explains single sides of connections (see {@link SideExplanation}). */
export class Explainer {
  constructor(
    private readonly pods: PodStore,
    private readonly evaluate: Evaluator,
  ) {}

  /**
   * What `pod`'s policies of `direction` say about `other` (the destination for egress, the
   * source for ingress), and which rules admit any of `within`.
   */
  side(direction: Direction, pod: PodEndpoint, other: Endpoint, within: ConnectionSet = ConnectionSet.all()): SideExplanation {
    const policies = this.pods.state(pod)[direction];
    if (policies.length === 0) return { isolated: false, policies, allowed: ConnectionSet.all(), admissions: [] };
    // Named ports resolve on the destination: the pod itself for ingress, the other side for egress.
    const dstPorts = direction === 'ingress' ? pod.ports : other.kind === 'pod' ? other.ports : undefined;
    let allowed = ConnectionSet.none();
    const admissions: Admission[] = [];
    for (const p of policies) {
      for (const r of p[direction] ?? []) {
        const matched = r.peers === 'all' ? [undefined] : r.peers.filter((peer) => this.evaluate.peerMatches(p, peer, other));
        if (matched.length === 0) continue;
        const ports = resolveRulePorts(r, dstPorts);
        allowed = allowed.union(ports);
        const hit = ports.intersect(within);
        if (hit.isEmpty()) continue;
        for (const peer of matched) admissions.push(admission(p, r, peer, hit));
      }
    }
    return { isolated: true, policies, allowed, admissions };
  }
}
