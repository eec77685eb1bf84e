/**
 * What causes each difference between the NetworkPolicies and the topology: the rule and peer of
 * a policy that let an extra connection through (grouped, one cause per rule and peer), and the
 * policy that should admit a missing edge. Computed only for the differences found, so a clean
 * environment pays nothing for it.
 */
import { at, LoadedObject } from '../manifests';
import { Admission, ConnectionSet, Direction, Endpoint, PodEndpoint, PolicyIndex, PolicyInfo } from '../netpol';
import type { ValidationContext } from './context';
import type { Discrepancy } from './network-compare';
import type { Node } from './network-nodes';

/** Why some extra connections are allowed: one rule and peer, or a side no policy isolates. */
export interface ExtraCause {
  /** The rule and peer that admit the connections; absent when no policy isolates the side. */
  readonly admission?: Admission;
  /** The NetworkPolicy that holds the rule. */
  readonly policy?: LoadedObject;
  /** The workload whose policies let the connections through. */
  readonly side: Node;
  readonly direction: Direction;
  /** The extra connections this cause admits, in discovery order. */
  readonly connections: readonly Discrepancy[];
}

/** A side of a missing edge that does not allow all of it. */
export interface BlockingSide {
  readonly direction: Direction;
  /** The workload whose policies do not admit the edge. */
  readonly node: Node;
  /** The policies that select it for this direction. */
  readonly policies: readonly PolicyInfo[];
  /** The policy that should admit the edge: the one named after the workload's component, else one with rules for the direction. */
  readonly policy?: LoadedObject;
}

/** Why a declared edge is missing: the sides that do not admit it. */
export interface MissingCause {
  readonly discrepancy: Discrepancy;
  /** The destination's ingress first, then the source's egress. */
  readonly blocking: readonly BlockingSide[];
}

/** The endpoints a node stands for in the engine (an external node is its address range). */
function endpointsOf(index: PolicyIndex, n: Node): readonly Endpoint[] {
  if (n.kind === 'external') return [index.external(n.id)];
  return n.endpoints;
}

const pods = (n: Node): PodEndpoint[] => n.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod');

function policyObject(ctx: ValidationContext, p: PolicyInfo): LoadedObject | undefined {
  return ctx.objects.get('NetworkPolicy', p.namespace, p.name);
}

/** Groups the extra connections by the rule and peer (or the unisolated side) that let them through. */
export function extraCauses(ctx: ValidationContext, index: PolicyIndex, discrepancies: readonly Discrepancy[]): ExtraCause[] {
  const causes = new Map<string, { cause: ExtraCause; connections: Discrepancy[] }>();
  const add = (key: string, make: () => ExtraCause, d: Discrepancy) => {
    let c = causes.get(key);
    if (!c) {
      const cause = make();
      c = { cause, connections: [] };
      causes.set(key, c);
    }
    if (c.connections[c.connections.length - 1] !== d) c.connections.push(d);
  };
  for (const d of discrepancies) {
    if (d.kind !== 'extra') continue;
    const ingress = d.side === 'to';
    const side = ingress ? d.destination : d.source;
    const other = ingress ? d.source : d.destination;
    const direction: Direction = ingress ? 'ingress' : 'egress';
    let explained = false;
    for (const p of pods(side)) {
      for (const o of endpointsOf(index, other)) {
        const e = index.explainSide(direction, p, o, d.conns);
        if (!e.isolated) {
          explained = true;
          add(`open\u0000${side.id}\u0000${direction}`, () => ({ side, direction, connections: [] }), d);
          continue;
        }
        for (const a of e.admissions) {
          explained = true;
          add(`${a.policy.key}\u0000${a.path.join('.')}`, () => ({ admission: a, policy: policyObject(ctx, a.policy), side, direction, connections: [] }), d);
        }
      }
    }
    if (!explained) add(`open\u0000${side.id}\u0000${direction}`, () => ({ side, direction, connections: [] }), d);
  }
  return [...causes.values()].map(({ cause, connections }) => ({ ...cause, connections }));
}

/** The policy that should admit an edge on one side (see {@link BlockingSide.policy}). */
function suggestedPolicy(ctx: ValidationContext, node: Node, direction: Direction, policies: readonly PolicyInfo[]): LoadedObject | undefined {
  const named = policies.find((p) => p.name === node.id);
  if (named) return policyObject(ctx, named);
  for (const p of policies) {
    const o = policyObject(ctx, p);
    if (o && Array.isArray(at(o.object, ['spec', direction]))) return o;
  }
  return undefined;
}

/** For each missing edge, the sides whose policies do not admit it. */
export function missingCauses(ctx: ValidationContext, index: PolicyIndex, discrepancies: readonly Discrepancy[]): MissingCause[] {
  const out: MissingCause[] = [];
  for (const d of discrepancies) {
    if (d.kind !== 'missing') continue;
    const blocking: BlockingSide[] = [];
    const check = (direction: Direction, node: Node, other: Node) => {
      let allowed = ConnectionSet.none();
      const policies = new Map<string, PolicyInfo>();
      for (const p of pods(node)) {
        for (const o of endpointsOf(index, other)) {
          const e = index.explainSide(direction, p, o);
          allowed = allowed.union(e.allowed);
          for (const info of e.policies) policies.set(info.key, info);
        }
      }
      if (pods(node).length === 0 || d.conns.subtract(allowed).isEmpty()) return;
      const list = [...policies.values()];
      const policy = suggestedPolicy(ctx, node, direction, list);
      blocking.push({ direction, node, policies: list, ...(policy ? { policy } : {}) });
    };
    check('ingress', d.destination, d.source);
    check('egress', d.source, d.destination);
    out.push({ discrepancy: d, blocking });
  }
  return out;
}
