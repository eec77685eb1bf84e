import type { LoadedObject } from '../../manifests';
import { str } from '../../manifests';
import { BlockingSide, Discrepancy, ExtraCause, networkAnalysis, networkExtraCauses, networkMissingCauses } from '../network';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';

/** SPEC §2 rule 2: default-deny ingress and egress. */
export const networkDefaultDeny = defineEnvironmentRule({
  id: 'network-default-deny',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 2 (default-deny ingress and egress); setup guide §3 "Restrict inbound traffic"',
  description:
    'The namespace denies by default: a pod no policy names (probe: a stray pod `app=stray`) is isolated for ingress and egress and may open nothing but cluster DNS, ' +
    'and nothing reaches it.',
  remediation: 'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` and no rules (or only a DNS egress rule).',
  check(ctx) {
    const dd = networkAnalysis(ctx).defaultDeny;
    const anchor = ctx.objects.get('Namespace', '', ctx.namespace);
    const out: RuleFinding[] = [];
    const missing = [!dd.ingress ? 'ingress' : undefined, !dd.egress ? 'egress' : undefined].filter(Boolean);
    if (missing.length > 0) out.push({ on: anchor, message: `namespace ${ctx.namespace} has no default-deny for ${missing.join(' and ')}: pods no policy selects are open` });
    else if (dd.leaks.length > 0) out.push({ on: anchor, message: `a stray pod in ${ctx.namespace} is allowed ${dd.leaks.join(', ')}` });
    return out;
  },
});

/** SPEC §2 rule 2: no declared edge is missing. */
export const networkMissingEdge = defineEnvironmentRule({
  id: 'network-missing-edge',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 2 (none missing: the app would break); SPEC §1 edges',
  description:
    'Every connection the topology declares for the environment is allowed by the NetworkPolicies (both the source\'s egress and the destination\'s ingress): ' +
    'component to component on the serving port, to managed data stores and external services by CIDR and port, DNS for every workload, and the ingress controller to the public components. ' +
    'The finding is reported on the policy that should admit the edge (the one named after the component, else one with rules for that direction).',
  remediation: 'Allow the connection in the policy named in the message (an ingress rule on the destination, an egress rule on the source), with the port named in the message.',
  check(ctx) {
    return networkMissingCauses(ctx).map(({ discrepancy: d, blocking }) => {
      const edge = `missing edge ${d.from} -> ${d.to} (${d.conns.toString()}${d.note ? `, ${d.note}` : ''})`;
      if (blocking.length === 0) return { on: d.anchor, message: `${edge}: not allowed by the NetworkPolicies` };
      const primary = blocking[0];
      const sides = blocking.map(describeBlocking);
      const fixes = blocking.map((b) => fixOf(b, d));
      return {
        on: primary.policy ?? primary.node.anchor ?? d.anchor,
        ...(primary.policy ? { path: ['spec', primary.direction] } : {}),
        message: `${edge}: ${sides.join('; ')}`,
        remediation: `${fixes.join('; and ')}.`.replace(/^a/, 'A'),
      };
    });
  },
});

function describeBlocking(b: BlockingSide): string {
  const names = b.policies.map((p) => p.name).join(', ');
  if (b.policy) return `NetworkPolicy ${ctxName(b.policy)} (${b.direction} of ${b.node.label}) does not admit it`;
  return `no ${b.direction} rule of the policies selecting ${b.node.label} (${names}) admits it`;
}

function fixOf(b: BlockingSide, d: Discrepancy): string {
  const rule = b.direction === 'ingress' ? `an ingress rule from ${d.from}` : `an egress rule to ${d.to}`;
  return b.policy
    ? `add to NetworkPolicy ${ctxName(b.policy)} ${rule} on ${d.conns.toString()}`
    : `add a NetworkPolicy ${b.node.id} selecting the pods of ${b.node.label} with ${rule} on ${d.conns.toString()}`;
}

function ctxName(o: LoadedObject): string {
  return str(o.object.metadata?.name) ?? '';
}

/** At most this many connections are listed in one extra-connection finding; the rest are counted. */
const MAX_LISTED = 8;

function listConnections(cause: ExtraCause): string {
  const shown = cause.connections.slice(0, MAX_LISTED).map((d) => `${d.from} -> ${d.to} (${d.conns.toString()})`);
  const more = cause.connections.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** SPEC §2 rule 2: no connection beyond the declared edges. */
export const networkExtraConnection = defineEnvironmentRule({
  id: 'network-extra-connection',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 2 (none extra: a hole); setup guide §3 "Private networking for DB/Redis; no public exposure"',
  description:
    'The NetworkPolicies allow nothing beyond the declared edges: no other component pairs or ports, nothing from a stray pod, another namespace, ' +
    "other pods of the ingress controller's namespace (a namespaceSelector without podSelector) or the internet, " +
    'no egress outside the declared CIDRs and ports. Each finding names the rule and peer of the NetworkPolicy that admit the connections (on their line), ' +
    'or the workload no policy isolates.',
  remediation: 'Narrow the rule or peer named in the message (podSelector, namespaceSelector, ipBlock or ports) to the declared edges, or declare the edge in the topology.',
  check(ctx) {
    return networkExtraCauses(ctx).map((cause): RuleFinding => {
      const list = listConnections(cause);
      const a = cause.admission;
      if (!a) {
        return {
          on: cause.side.anchor,
          message: `no NetworkPolicy isolates the ${cause.direction} of ${cause.side.label}, so it allows connections the topology does not declare: ${list}`,
          remediation: 'Add a default-deny NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress, Egress]`) and a policy for the workload that allows only its declared edges.',
        };
      }
      return {
        on: cause.policy ?? cause.side.anchor,
        ...(cause.policy && a.location ? { line: a.location.line } : {}),
        message: `NetworkPolicy ${a.policy.name} admits connections the topology does not declare through ${a.text}: ${list}`,
        remediation: `Narrow ${a.direction}[${a.rule}]${a.peer !== undefined ? `.${a.direction === 'ingress' ? 'from' : 'to'}[${a.peer}]` : ''} of NetworkPolicy ${a.policy.name} (podSelector, namespaceSelector, ipBlock or ports) to the declared edges, or declare the edge in the topology (src/topology/ctis.ts).`,
      };
    });
  },
});

/** Problems the NetworkPolicy engine found while reading the policies. */
export const networkPolicyProblems = defineRule({
  id: 'network-policy-problems',
  severity: 'warning',
  runbookItem: 'SPEC §2 rule 2',
  description:
    'NetworkPolicies are read without problems: no invalid CIDR or selector operator, no named port that no selected pod declares, no route to a missing Service.',
  remediation: 'Fix the policy field named in the message; an unreadable part of a policy allows nothing.',
  scope: { kinds: ['NetworkPolicy', 'Ingress', 'HTTPRoute'] },
  check(o, ctx) {
    const key = ctx.objects.keyOf(o);
    return networkAnalysis(ctx)
      .index.warnings.filter((w) => w.resource === key && w.code !== 'policy-selects-nothing' && (!w.location || (w.location.file === o.location.file)))
      .map((w) => ({ message: `${w.message} [${w.code}]`, ...(w.location ? { line: w.location.line } : {}) }));
  },
});
