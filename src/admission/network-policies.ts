import { lit, litList } from './cel';
import { AdmissionInputs, check, Check, PolicyDefinition } from './model';

const NAME_LABEL = 'app.kubernetes.io/name';

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';
/** Key of an inbound peer's namespace in its CEL map (label keys never contain `@`). */
const NAMESPACE_KEY = '@namespace';

/**
 * NetworkPolicies: every policy in the namespace is one the project rendered (it carries the
 * environment's platform labels), and no policy admits ingress to an internal component from
 * anything but a pod of one of its declared callers in the same namespace, or the pods of
 * another namespace the topology declares (Prometheus scraping the metrics port). A policy "may
 * select" a component unless its pod selector pins `app.kubernetes.io/name` to something else, so
 * a namespace-wide `podSelector: {}` with an ingress rule is judged for every internal component.
 */
export function networkPolicyPolicy(inputs: AdmissionInputs): PolicyDefinition {
  const checks: Check[] = [
    projectLabelsCheck(inputs),
    check({
      id: 'ingress-from-callers',
      runbookItem: 'SPEC §2 rules 1 and 2',
      validatorRule: 'network-extra-connection',
      expression: 'size(variables.opened) == 0',
      subject: "variables.opened.join(', ')",
      detail:
        `'NetworkPolicy ' + object.metadata.name + ' admits ingress from ' + ` +
        `(variables.ingress.exists(r, !has(r.from) || size(r.from) == 0) ? 'every source' : 'peers other than the declared callers') + ` +
        `' (' + variables.opened.map(c, variables.reach[c]).join('; ') + ')'`,
      message: 'the NetworkPolicy admits ingress to an internal component from peers other than its declared callers',
    }),
  ];
  return {
    concern: 'network-policies',
    description: 'NetworkPolicies: only the ones this project renders; internal components reachable only from their declared callers.',
    resourceRules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['networkpolicies'], operations: ['CREATE', 'UPDATE'] }],
    // Labels are judged too: an update that strips them is refused.
    judged: (root) => [`(has(${root}.metadata.labels) ? ${root}.metadata.labels : {})`, `${root}.spec`],
    variables: [
      { name: 'ingress', expression: 'has(object.spec.ingress) ? object.spec.ingress : []' },
      { name: 'callers', expression: mapLiteral(inputs, (id) => litList(inputs.callers(id))) },
      {
        name: 'inbound',
        expression: mapLiteral(inputs, (id) => `[${inputs.inbound(id).map((i) => mapOf({ [NAMESPACE_KEY]: i.namespace, ...i.labels })).join(', ')}]`),
      },
      // What may reach each component, for messages.
      { name: 'reach', expression: mapLiteral(inputs, (id) => lit(reach(inputs, id))) },
      // Internal components the policy may select and opens to something but their callers.
      { name: 'opened', expression: openedComponents(inputs) },
    ],
    checks,
  };
}

/** The policy carries the environment's platform labels: it is one this project rendered. */
function projectLabelsCheck(inputs: AdmissionInputs): Check {
  const labels = Object.entries(inputs.platformLabels);
  const labelled = labels.map(([k, v]) => `(${lit(k)} in object.metadata.labels && object.metadata.labels[${lit(k)}] == ${lit(v)})`).join(' && ');
  return check({
    id: 'project-labels',
    runbookItem: 'SPEC §2 rule 2',
    validatorRule: 'network-extra-connection',
    expression: `has(object.metadata.labels) && ${labelled}`,
    subject: "'NetworkPolicy ' + object.metadata.name",
    detail: `'was not rendered by this project: it must carry ${labels.map(([k, v]) => `${k}=${v}`).join(', ')} (policies come from the topology, through Git)'`,
    message: 'the NetworkPolicy does not carry the labels of the policies this project renders',
  });
}

/**
 * The CEL list of internal components (`c`) the policy may select and whose ingress rules admit
 * a peer (`p`) that is neither a declared caller nor a declared inbound namespace's pods.
 */
function openedComponents(inputs: AdmissionInputs): string {
  const ps = 'object.spec.podSelector';
  const name = lit(NAME_LABEL);
  // One check for every internal component, so the policy stays one validation however large
  // the topology: the outer loop runs over a list literal, the inner ones over the object.
  const internal = litList(inputs.internal().map((c) => c.id));
  const maySelect =
    `!(has(${ps}.matchLabels) && ${name} in ${ps}.matchLabels && ${ps}.matchLabels[${name}] != c) && ` +
    `!(has(${ps}.matchExpressions) && ${ps}.matchExpressions.exists(e, e.key == ${name} && ` +
    `((e.operator == 'In' && !(c in e.values)) || (e.operator == 'NotIn' && c in e.values) || e.operator == 'DoesNotExist')))`;
  const callerPeer =
    `(!has(p.namespaceSelector) && !has(p.ipBlock) && has(p.podSelector) && has(p.podSelector.matchLabels) && ` +
    `${name} in p.podSelector.matchLabels && p.podSelector.matchLabels[${name}] in variables.callers[c])`;
  // The namespace pinned by name and at least the declared pod labels: no wider than declared.
  const inboundPeer =
    `(!has(p.ipBlock) && has(p.namespaceSelector) && has(p.namespaceSelector.matchLabels) && ${lit(NAMESPACE_LABEL)} in p.namespaceSelector.matchLabels && ` +
    `has(p.podSelector) && has(p.podSelector.matchLabels) && variables.inbound[c].exists(i, p.namespaceSelector.matchLabels[${lit(NAMESPACE_LABEL)}] == i[${lit(NAMESPACE_KEY)}] && ` +
    `i.all(k, k == ${lit(NAMESPACE_KEY)} || (k in p.podSelector.matchLabels && p.podSelector.matchLabels[k] == i[k]))))`;
  const rulesOk = `variables.ingress.all(r, has(r.from) && size(r.from) > 0 && r.from.all(p, ${callerPeer} || ${inboundPeer}))`;
  return `${internal}.filter(c, ${maySelect} && !${rulesOk})`;
}

/** A CEL map literal from each internal component to a value. */
function mapLiteral(inputs: AdmissionInputs, value: (id: string) => string): string {
  return `{${inputs
    .internal()
    .map((c) => `${lit(c.id)}: ${value(c.id)}`)
    .join(', ')}}`;
}

/** A CEL map literal of strings. */
function mapOf(entries: Readonly<Record<string, string>>): string {
  return `{${Object.entries(entries)
    .map(([k, v]) => `${lit(k)}: ${lit(v)}`)
    .join(', ')}}`;
}

/** Who may reach a component, in words. */
function reach(inputs: AdmissionInputs, id: string): string {
  const callers = inputs.callers(id);
  const parts = [
    ...(callers.length > 0 ? [`pods of ${callers.join(', ')} in this namespace`] : []),
    ...inputs.inbound(id).map((i) => `${i.name} in ${i.namespace}`),
  ];
  return parts.length === 0 ? `nothing in the cluster may reach ${id} here` : `only ${parts.join(' and ')} may reach ${id}`;
}
