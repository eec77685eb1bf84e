import { at, isRecord, list, LoadedObject, records, str, stringMap, text } from '../../manifests';
import type { ValidationContext } from '../context';
import { defineEnvironmentRule, definePodRule, defineRule, RuleFinding } from '../rule';
import { MINIMUM_KUBERNETES } from '../schema/kinds';

/**
 * The environment's admission policies, read from the manifests: ValidatingAdmissionPolicies
 * (`admissionregistration.k8s.io/v1`, Kubernetes 1.30+) bound to the environment's namespace
 * that judge every kind through which the topology could be broken at run time.
 */

const POLICY = 'ValidatingAdmissionPolicy';
const BINDING = 'ValidatingAdmissionPolicyBinding';
const API_VERSION = 'admissionregistration.k8s.io/v1';
const NAME_LABEL = 'kubernetes.io/metadata.name';
const MINIMUM = MINIMUM_KUBERNETES[POLICY][API_VERSION];

/** What the API server must judge in the namespace, and why. */
const REQUIRED: ReadonlyArray<{ group: string; resource: string; why: string }> = [
  { group: '', resource: 'services', why: 'NodePort/LoadBalancer Services and externalIPs (SPEC §2 rule 1)' },
  { group: 'networking.k8s.io', resource: 'ingresses', why: 'routes to internal components and admin paths (SPEC §2 rules 1, 12)' },
  { group: 'gateway.networking.k8s.io', resource: 'httproutes', why: 'routes to internal components and admin paths (SPEC §2 rules 1, 12)' },
  { group: 'networking.k8s.io', resource: 'networkpolicies', why: 'policies that open internal components (SPEC §2 rule 2)' },
  { group: '', resource: 'pods', why: 'pods (SPEC §2 rules 5, 14, 15)' },
  { group: 'apps', resource: 'deployments', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'apps', resource: 'statefulsets', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'apps', resource: 'daemonsets', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'apps', resource: 'replicasets', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: '', resource: 'replicationcontrollers', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'batch', resource: 'jobs', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'batch', resource: 'cronjobs', why: 'pod templates (SPEC §2 rules 5, 14, 15)' },
  { group: 'argoproj.io', resource: 'rollouts', why: 'pod templates of Argo Rollouts (SPEC §2 rules 5, 14, 15)' },
];

const has = (values: unknown, v: string) => list(values).some((x) => x === v || x === '*');

/** Whether resource rules judge CREATE and UPDATE of every object of a resource. */
function rulesCover(rules: unknown, group: string, resource: string): boolean {
  return records(rules).some(
    ({ item: r }) =>
      has(r.apiGroups, group) &&
      has(r.resources, resource) &&
      (has(r.operations, 'CREATE') || has(r.operations, '*')) &&
      (has(r.operations, 'UPDATE') || has(r.operations, '*')) &&
      list(r.resourceNames).length === 0,
  );
}

/**
 * The namespaces a selector is limited to by the `kubernetes.io/metadata.name` label, or
 * undefined when it does not limit them (every namespace).
 */
function pinnedNamespaces(selector: unknown): string[] | undefined {
  if (!isRecord(selector)) return undefined;
  let out: string[] | undefined;
  const pinned = stringMap(selector.matchLabels)[NAME_LABEL];
  if (pinned !== undefined) out = [pinned];
  for (const { item: e } of records(selector.matchExpressions)) {
    if (e.key !== NAME_LABEL || e.operator !== 'In') continue;
    const values = list(e.values).map(text);
    out = out ? out.filter((n) => values.includes(n)) : values;
  }
  return out;
}

function nameOf(o: LoadedObject): string {
  return str(o.object.metadata?.name) ?? '';
}

function bindingsOf(ctx: ValidationContext, policy: string): LoadedObject[] {
  return ctx.objects.ofKind(BINDING).filter((b) => str(at(b.object, ['spec', 'policyName'])) === policy);
}

/** A binding applies in exactly the environment's namespace. */
function boundToNamespace(binding: LoadedObject, ns: string): boolean {
  const pinned = pinnedNamespaces(at(binding.object, ['spec', 'matchResources', 'namespaceSelector']));
  return pinned !== undefined && pinned.length === 1 && pinned[0] === ns;
}

/** Policies bound to the namespace that judge CREATE and UPDATE of a resource. */
function judging(ctx: ValidationContext, group: string, resource: string): LoadedObject[] {
  return ctx.objects.ofKind(POLICY).filter((p) => {
    const constraints = at(p.object, ['spec', 'matchConstraints']);
    if (p.object.apiVersion !== API_VERSION || !rulesCover(at(constraints, ['resourceRules']), group, resource)) return false;
    // The policy's own scope must include the namespace (an unpinned selector includes every one).
    const scope = pinnedNamespaces(at(constraints, ['namespaceSelector']));
    if (scope !== undefined && !scope.includes(ctx.namespace)) return false;
    return bindingsOf(ctx, nameOf(p)).some((b) => {
      if (b.object.apiVersion !== API_VERSION || !boundToNamespace(b, ctx.namespace)) return false;
      const narrowed = at(b.object, ['spec', 'matchResources', 'resourceRules']);
      return narrowed === undefined || rulesCover(narrowed, group, resource);
    });
  });
}

/** Every kind the topology could be broken through is judged by a policy bound to the namespace. */
export const admissionPoliciesPresent = defineEnvironmentRule({
  id: 'admission-policies-present',
  severity: 'error',
  runbookItem: 'SPEC §2 rules 1, 2, 5, 12, 14, 15 (enforced at admission)',
  description:
    `ValidatingAdmissionPolicies (\`${API_VERSION}\`, Kubernetes ${MINIMUM}+) bound to the environment's namespace judge CREATE and UPDATE of Services, Ingresses, ` +
    'HTTPRoutes, NetworkPolicies, Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs and Argo Rollouts, so a `kubectl apply` cannot break the topology between syncs.',
  remediation: 'Render the environment with `npm run synth`: `admission.yaml` holds the policies and their bindings.',
  check(ctx) {
    const anchor = ctx.objects.get('Namespace', '', ctx.namespace);
    const missing = REQUIRED.filter((r) => judging(ctx, r.group, r.resource).length === 0);
    if (missing.length === REQUIRED.length) {
      return [{ message: `no ValidatingAdmissionPolicy is bound to ${ctx.namespace}: nothing stops a hand-made change from exposing an internal component, opening a NetworkPolicy or running a privileged pod`, on: anchor }];
    }
    return missing.map((r) => ({
      message: `no ValidatingAdmissionPolicy bound to ${ctx.namespace} judges CREATE and UPDATE of ${r.group ? `${r.resource}.${r.group}` : r.resource}: ${r.why}`,
      on: anchor,
    }));
  },
});

/** Policies are bound, and bindings apply in the environment's namespace only. */
export const admissionBoundToNamespace = defineRule({
  id: 'admission-bound-to-namespace',
  severity: 'error',
  runbookItem: 'SPEC §3: one namespace per environment (admission policies)',
  description:
    "Every ValidatingAdmissionPolicy has a binding, every binding names a policy of the manifests, and each binding's `matchResources.namespaceSelector` pins `kubernetes.io/metadata.name` to the environment's namespace: the policies are cluster-scoped and would otherwise judge other namespaces too.",
  remediation: "Bind the policy with a ValidatingAdmissionPolicyBinding whose matchResources.namespaceSelector.matchLabels is `kubernetes.io/metadata.name: <namespace from config/<env>.yaml>`.",
  scope: { kinds: [POLICY, BINDING] },
  check(o, ctx) {
    if (o.object.kind === POLICY) {
      return bindingsOf(ctx, nameOf(o)).length === 0
        ? [{ message: `ValidatingAdmissionPolicy ${nameOf(o)} is not bound: no ValidatingAdmissionPolicyBinding names it, so it judges nothing`, path: ['metadata', 'name'] }]
        : [];
    }
    const out: RuleFinding[] = [];
    const policy = str(at(o.object, ['spec', 'policyName']));
    if (!policy || !ctx.objects.get(POLICY, '', policy)) {
      out.push({ message: `binding names ValidatingAdmissionPolicy ${policy ?? '(none)'}, which is not in the manifests`, path: ['spec', 'policyName'] });
    }
    const pinned = pinnedNamespaces(at(o.object, ['spec', 'matchResources', 'namespaceSelector']));
    const path = ['spec', 'matchResources'];
    if (pinned === undefined) {
      out.push({ message: `binding applies in every namespace, not only ${ctx.namespace} (no namespaceSelector on ${NAME_LABEL})`, path });
    } else if (pinned.length !== 1 || pinned[0] !== ctx.namespace) {
      const others = pinned.filter((n) => n !== ctx.namespace);
      out.push({
        message: others.length > 0 ? `binding applies in ${others.join(', ')}, not only the ${ctx.env.name} namespace ${ctx.namespace}` : `binding selects no namespace (its selector excludes ${ctx.namespace})`,
        path,
      });
    }
    return out;
  },
});

/** Policies fail closed, and bindings take the configured validation actions. */
export const admissionEnforced = defineRule({
  id: 'admission-enforced',
  severity: 'error',
  runbookItem: 'Environment configuration `admission.validationActions`',
  description:
    "Bindings carry exactly the environment's `admission.validationActions` (a binding without `Deny` where the configuration says `Deny` only warns or audits), and no policy sets `failurePolicy: Ignore` (a check that cannot be evaluated must refuse, not admit).",
  remediation: 'Set validationActions to the value of admission.validationActions in config/<env>.yaml (re-render with `npm run synth`), and failurePolicy to Fail.',
  scope: { kinds: [POLICY, BINDING] },
  check(o, ctx) {
    if (o.object.kind === POLICY) {
      const fp = str(at(o.object, ['spec', 'failurePolicy']));
      return fp !== undefined && fp !== 'Fail'
        ? [{ message: `ValidatingAdmissionPolicy ${nameOf(o)} has failurePolicy ${fp}: a request the policy cannot judge would be admitted`, path: ['spec', 'failurePolicy'] }]
        : [];
    }
    const actual = list(at(o.object, ['spec', 'validationActions'])).map(text);
    const configured = ctx.env.admission.validationActions;
    const same = actual.length === configured.length && configured.every((a) => actual.includes(a));
    if (same) return [];
    const path = ['spec', 'validationActions'];
    const shown = `[${actual.join(', ')}]`;
    if (configured.includes('Deny') && !actual.includes('Deny')) {
      return [{ message: `binding ${nameOf(o)} has validationActions ${shown}: ${ctx.env.name} must deny (configuration: [${configured.join(', ')}]), so violations would pass`, path }];
    }
    return [{ message: `binding ${nameOf(o)} has validationActions ${shown}, the configuration says [${configured.join(', ')}]`, path, severity: 'warning' }];
  },
});

/** Pods do not mount a service-account token, unless their component declares it calls the Kubernetes API. */
export const serviceAccountToken = definePodRule({
  id: 'service-account-token',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (least privilege: no API token in the pods) (Polaris automountServiceAccountToken)',
  description:
    'Every pod sets `automountServiceAccountToken: false` and projects no service-account token, unless its component declares that it calls the Kubernetes API (`kubernetesApi` ' +
    'in `src/topology/ctis.ts`, which none of the CTIS components does): a token in the pod is a credential for whoever breaks in.',
  remediation: 'Set spec.automountServiceAccountToken: false on the pod template and remove serviceAccountToken projections (or declare why the component calls the Kubernetes API in the topology).',
  check(t, ctx) {
    if (ctx.components.get(t.component)?.kubernetesApi !== undefined) return [];
    const automount: unknown = t.spec.automountServiceAccountToken;
    const who = t.component ?? t.name;
    const out: RuleFinding[] = [];
    if (automount !== false) {
      out.push({
        message: `${who} mounts the service-account token (automountServiceAccountToken is ${automount === undefined ? 'not set' : text(automount)}), though ${t.component && ctx.components.get(t.component) ? 'its component does not declare that it calls' : 'nothing declares that it calls'} the Kubernetes API`,
        path: [...t.path, 'spec', ...(automount === undefined ? [] : ['automountServiceAccountToken'])],
      });
    }
    for (const { item: v, index: i } of records(t.spec.volumes)) {
      if (records(at(v, ['projected', 'sources'])).some(({ item: s }) => isRecord(s.serviceAccountToken))) {
        out.push({ message: `volume ${text(v.name)} of ${who} projects a service-account token`, path: [...t.path, 'spec', 'volumes', i] });
      }
    }
    return out;
  },
});
