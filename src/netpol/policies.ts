/**
 * NetworkPolicies compiled for evaluation: selectors, peers and ports read once, invalid parts
 * reported as warnings and read the restrictive way.
 */
import { at, Fields, isRecord, list as arr, record, text } from '../manifests';
import { ConnectionSet, Protocol } from './connection-set';
import { IpRange, parseCidr } from './ip';
import { protocolOf, Source, WarningSink } from './model';
import { Selector, SelectorCache } from './selector';
import type { Direction, NamedPort, PolicyInfo } from './types';

/** A port of a NetworkPolicy rule. */
export type PortSpec =
  | { kind: 'all'; protocol: Protocol }
  | { kind: 'range'; protocol: Protocol; from: number; to: number }
  | { kind: 'named'; protocol: Protocol; name: string };

/** A peer of a NetworkPolicy rule; `index` is its position in the rule's `from`/`to`. */
export type Peer =
  | { kind: 'pods'; index: number; podSelector?: Selector; namespaceSelector?: Selector }
  | { kind: 'ipBlock'; index: number; cidr: IpRange; except: IpRange[] };

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

/** The ports of a rule: all, or numeric ports and named ones. */
type RulePorts = Rule['ports'];

/** No named port (shared: nothing adds to it). */
const NO_NAMED: readonly { protocol: Protocol; name: string }[] = [];

/**
 * What the policies of one set of manifests share once compiled: equal selectors, and equal
 * numeric ports, are one object each, however many rules write them.
 */
export class PolicyParts {
  readonly selectors = new SelectorCache();
  /** The `ports` of rules with numeric ports only, by their connection set. */
  readonly fixedPorts = new Map<ConnectionSet, RulePorts>();
}

/** Reports a problem of the policy being compiled at a path inside it. */
type Report = (path: readonly (string | number)[], message: string) => void;

/**
 * Compiles a `networking.k8s.io/v1` NetworkPolicy. Invalid parts are reported as warnings and
 * read in the restrictive way (an invalid peer or port matches nothing).
 */
export function compilePolicy(s: Source, ns: string, warn: WarningSink, parts: PolicyParts = new PolicyParts()): CompiledPolicy {
  const spec = record(s.obj.spec);
  const name = s.obj.metadata?.name ?? '';
  const key = `NetworkPolicy/${ns}/${name}`;
  const report: Report = (path, message) => warn.add('invalid-policy', `NetworkPolicy ${ns}/${name}: ${message}`, s, [...path]);

  const directions = policyDirections(spec, (path) => (message) => report(path, message));

  const policy: { -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K] } = {
    namespace: ns,
    name,
    key,
    ...(s.loaded ? { location: s.loaded.location } : {}),
    directions,
    podSelector: parts.selectors.compile(spec.podSelector, (message) => report(['spec', 'podSelector'], message)),
    source: s,
  };
  if (directions.includes('ingress')) policy.ingress = compileRules(policy, spec, 'ingress', report, parts);
  if (directions.includes('egress')) policy.egress = compileRules(policy, spec, 'egress', report, parts);
  return policy;
}

/** The rules of one direction of a policy (`spec.ingress` or `spec.egress`). */
function compileRules(policy: CompiledPolicy, spec: Fields, direction: Direction, report: Report, parts: PolicyParts): Rule[] {
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const rules: Rule[] = [];
  arr(spec[direction]).forEach((raw, index) => {
    const fields = isRecord(raw) ? raw : undefined;
    const rawPeers = arr(fields?.[peerField]);
    const peers = rawPeers.length === 0 ? 'all' : compilePeers(rawPeers, parts.selectors, (j, message) => report(['spec', direction, index, peerField, j], message));
    const rawPorts = arr(fields?.ports);
    const ports = rawPorts.length === 0 ? 'all' : compilePorts(rawPorts, parts, (j, message) => report(['spec', direction, index, 'ports', j], message));
    rules.push({ policy, direction, index, peers, ports });
  });
  return rules;
}

/** The valid peers of a rule's non-empty `from` or `to`. */
function compilePeers(rawPeers: readonly unknown[], selectors: SelectorCache, report: (j: number, message: string) => void): Peer[] {
  const peers: Peer[] = [];
  rawPeers.forEach((raw, j) => {
    const peer = compilePeer(raw, j, selectors, (message) => report(j, message));
    if (peer) peers.push(peer);
  });
  // A copy of its own size: the grown list has room for more, and lives as long as the validation.
  return peers.slice();
}

/** The numeric and named ports of a rule's non-empty `ports`. */
function compilePorts(rawPorts: readonly unknown[], parts: PolicyParts, report: (j: number, message: string) => void): RulePorts {
  let fixed = ConnectionSet.none();
  const named: { protocol: Protocol; name: string }[] = [];
  rawPorts.forEach((raw, j) => {
    const spec = compilePort(raw, (message) => report(j, message));
    if (!spec) return;
    if (spec.kind === 'all') fixed = fixed.union(ConnectionSet.protocol(spec.protocol));
    else if (spec.kind === 'range') fixed = fixed.union(ConnectionSet.range(spec.protocol, spec.from, spec.to));
    else named.push({ protocol: spec.protocol, name: spec.name });
  });
  if (named.length > 0) return { fixed, named };
  let shared = parts.fixedPorts.get(fixed);
  if (!shared) parts.fixedPorts.set(fixed, (shared = { fixed, named: NO_NAMED }));
  return shared;
}

/**
 * The directions a policy isolates, sorted: its `policyTypes`, or by default ingress, and egress
 * when it has egress rules. An unknown type is reported and ignored.
 */
function policyDirections(spec: Fields, problem: (path: (string | number)[]) => (m: string) => void): Direction[] {
  const rawTypes = arr(spec.policyTypes);
  const directions: Direction[] = [];
  if (rawTypes.length === 0) {
    directions.push('ingress');
    if (arr(spec.egress).length > 0) directions.push('egress');
  } else {
    for (const t of rawTypes) {
      if (t === 'Ingress' && !directions.includes('ingress')) directions.push('ingress');
      else if (t === 'Egress' && !directions.includes('egress')) directions.push('egress');
      else if (t !== 'Ingress' && t !== 'Egress') problem(['spec', 'policyTypes'])(`unknown policy type "${text(t)}"`);
    }
    directions.sort();
  }
  return directions;
}

function compilePeer(raw: unknown, index: number, selectors: SelectorCache, problem: (m: string) => void): Peer | undefined {
  if (!raw || typeof raw !== 'object') {
    problem('peer is not a mapping; it matches nothing');
    return undefined;
  }
  const p = raw as Fields;
  const hasPod = p.podSelector !== undefined && p.podSelector !== null;
  const hasNs = p.namespaceSelector !== undefined && p.namespaceSelector !== null;
  const hasIp = p.ipBlock !== undefined && p.ipBlock !== null;
  if (hasIp) {
    if (hasPod || hasNs) {
      problem('a peer cannot combine ipBlock with podSelector or namespaceSelector; it matches nothing');
      return undefined;
    }
    const rawCidr = at(p.ipBlock, ['cidr']);
    const cidr = typeof rawCidr === 'string' ? parseCidr(rawCidr) : undefined;
    if (!cidr) {
      problem(`ipBlock cidr "${text(rawCidr)}" is not a valid CIDR; the peer matches nothing`);
      return undefined;
    }
    const except: IpRange[] = [];
    for (const e of arr(at(p.ipBlock, ['except']))) {
      const r = typeof e === 'string' ? parseCidr(e) : undefined;
      if (!r) {
        problem(`ipBlock except "${text(e)}" is not a valid CIDR; the peer matches nothing`);
        return undefined;
      }
      if (r.family !== cidr.family || r.start < cidr.start || r.end > cidr.end) {
        problem(`ipBlock except "${text(e)}" is not inside cidr "${text(rawCidr)}"`);
      }
      except.push(r);
    }
    return { kind: 'ipBlock', index, cidr, except };
  }
  if (!hasPod && !hasNs) {
    problem('peer has no podSelector, namespaceSelector or ipBlock; it matches nothing');
    return undefined;
  }
  // One literal per shape (a property added later would need storage of its own).
  if (hasPod && hasNs) return { kind: 'pods', index, podSelector: selectors.compile(p.podSelector, problem), namespaceSelector: selectors.compile(p.namespaceSelector, problem) };
  if (hasPod) return { kind: 'pods', index, podSelector: selectors.compile(p.podSelector, problem) };
  return { kind: 'pods', index, namespaceSelector: selectors.compile(p.namespaceSelector, problem) };
}

function compilePort(raw: unknown, problem: (m: string) => void): PortSpec | undefined {
  if (!raw || typeof raw !== 'object') {
    problem('port entry is not a mapping; it matches nothing');
    return undefined;
  }
  const p = raw as Fields;
  const protocol = protocolOf(p.protocol);
  if (!protocol) {
    problem(`unknown protocol "${text(p.protocol)}"; the port matches nothing`);
    return undefined;
  }
  if (p.port === undefined || p.port === null) {
    if (p.endPort !== undefined) problem('endPort without port is ignored');
    return { kind: 'all', protocol };
  }
  const asNumber = typeof p.port === 'number' ? p.port : /^\d+$/.test(text(p.port)) ? Number(p.port) : undefined;
  if (asNumber === undefined) {
    if (p.endPort !== undefined && p.endPort !== null) {
      problem(`endPort cannot be used with the named port "${text(p.port)}"; the port matches nothing`);
      return undefined;
    }
    return { kind: 'named', protocol, name: text(p.port) };
  }
  if (!Number.isInteger(asNumber) || asNumber < 1 || asNumber > 65535) {
    problem(`port ${text(p.port)} is out of range; the port matches nothing`);
    return undefined;
  }
  if (p.endPort === undefined || p.endPort === null) return { kind: 'range', protocol, from: asNumber, to: asNumber };
  const end = Number(p.endPort);
  if (!Number.isInteger(end) || end < asNumber || end > 65535) {
    problem(`endPort ${text(p.endPort)} must be a port not below port ${asNumber}; the port matches nothing`);
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
