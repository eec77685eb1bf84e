import { networkAnalysis } from '../network';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';

/** At most this many extra-connection findings per object; the rest are summarised in one. */
const MAX_EXTRA_PER_OBJECT = 20;

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
    'component to component on the serving port, to managed data stores and external services by CIDR and port, DNS for every workload, and the ingress controller to the public components.',
  remediation: 'Allow the connection in the source\'s egress and the destination\'s ingress policy, with the port named in the message.',
  check(ctx) {
    return networkAnalysis(ctx)
      .discrepancies.filter((d) => d.kind === 'missing')
      .map((d) => ({
        on: d.anchor,
        message: `missing edge ${d.from} -> ${d.to} (${d.conns.toString()}${d.note ? `, ${d.note}` : ''}): not allowed by the NetworkPolicies`,
      }));
  },
});

/** SPEC §2 rule 2: no connection beyond the declared edges. */
export const networkExtraConnection = defineEnvironmentRule({
  id: 'network-extra-connection',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 2 (none extra: a hole); setup guide §3 "Private networking for DB/Redis; no public exposure"',
  description:
    'The NetworkPolicies allow nothing beyond the declared edges: no other component pairs or ports, nothing from a stray pod, another namespace, ' +
    "other pods of the ingress controller's namespace (a namespaceSelector without podSelector) or the internet, " +
    'no egress outside the declared CIDRs and ports.',
  remediation: 'Narrow the policy named in the message (podSelector, namespaceSelector, ipBlock or ports) to the declared edge, or declare the edge in the topology.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const perAnchor = new Map<unknown, number>();
    const overflow = new Map<unknown, { count: number; anchor: RuleFinding['on'] }>();
    for (const d of networkAnalysis(ctx).discrepancies) {
      if (d.kind !== 'extra') continue;
      const n = (perAnchor.get(d.anchor) ?? 0) + 1;
      perAnchor.set(d.anchor, n);
      if (n > MAX_EXTRA_PER_OBJECT) {
        const o = overflow.get(d.anchor) ?? { count: 0, anchor: d.anchor };
        o.count++;
        overflow.set(d.anchor, o);
        continue;
      }
      out.push({ on: d.anchor, message: `extra connection ${d.from} -> ${d.to} (${d.conns.toString()}) is allowed but not declared${d.note ? ` (${d.note})` : ''}` });
    }
    for (const o of overflow.values()) out.push({ on: o.anchor, message: `... and ${o.count} more extra connections involving this workload` });
    return out;
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
