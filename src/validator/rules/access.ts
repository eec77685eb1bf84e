import { at, isRecord, list, records, str, text } from '../../manifests';
import { definePodRule, defineRule, RuleFinding } from '../rule';

/**
 * Who the pods are towards the Kubernetes API: a ServiceAccount of their own, and RBAC that grants
 * no more than a component could need.
 */

/** Generic: no pod runs as the namespace's default ServiceAccount. */
export const dedicatedServiceAccount = definePodRule({
  id: 'dedicated-service-account',
  severity: 'error',
  runbookItem: 'Generic checks: least privilege (kube-linter default-service-account and deprecated-service-account-field, Polaris)',
  description:
    "Every pod names a ServiceAccount of its own (`serviceAccountName`), not the namespace's `default`: whatever is granted to `default` (by a RoleBinding or a cloud identity) " +
    'would reach every pod that forgets its own. The deprecated `serviceAccount` field, when present, names the same account (a warning: use serviceAccountName).',
  remediation: 'Set spec.serviceAccountName to the workload\'s own ServiceAccount (the generator renders one per component and scheduled task, named after it).',
  check(t) {
    const name = str(t.spec.serviceAccountName);
    const legacy = str(t.spec.serviceAccount);
    const base = [...t.path, 'spec'];
    const out: RuleFinding[] = [];
    const effective = name ?? legacy;
    if (effective === undefined || effective === '' || effective === 'default') {
      out.push({
        message: `${t.kind} ${t.name} runs its pods as the namespace's default ServiceAccount${effective === undefined || effective === '' ? ' (no serviceAccountName)' : ''}`,
        path: name !== undefined ? [...base, 'serviceAccountName'] : base,
      });
    }
    if (legacy !== undefined && name !== undefined && legacy !== name) {
      out.push({ message: `serviceAccount ${legacy} and serviceAccountName ${name} disagree: the pod runs as ${name}`, path: [...base, 'serviceAccount'] });
    } else if (legacy !== undefined && name === undefined) {
      out.push({ message: 'the deprecated serviceAccount field names the account: use serviceAccountName', path: [...base, 'serviceAccount'], severity: 'warning' });
    }
    return out;
  },
});

/** Resources that let whoever may create them run code in the namespace. */
const WORKLOAD_RESOURCES = new Set(['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs', 'rollouts']);
/** Built-in ClusterRoles that grant (almost) everything in a namespace or the cluster. */
const BROAD_ROLES = new Set(['cluster-admin', 'admin', 'edit']);
/** Groups that stand for everyone (or every pod) of the cluster. */
const EVERYONE = new Set(['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts']);

const has = (values: readonly unknown[], ...wanted: string[]) => values.some((v) => v === '*' || wanted.includes(text(v)));

/** What one RBAC rule grants that no component needs. */
function grants(rule: Record<string, unknown>): string[] {
  const verbs = list(rule.verbs);
  const resources = list(rule.resources);
  const groups = list(rule.apiGroups);
  const out: string[] = [];
  if ([verbs, resources, groups].some((l) => l.includes('*'))) out.push('a wildcard (*) in its verbs, resources or API groups, which also grants whatever the API adds later');
  if (has(resources, 'secrets') && has(verbs, 'get', 'list', 'watch')) out.push('reading Secrets');
  if (has(resources, 'pods/exec', 'pods/attach', 'pods/portforward') && has(verbs, 'create', 'get')) out.push('running commands in pods (exec, attach or port-forward)');
  if (resources.some((r) => r !== '*' && WORKLOAD_RESOURCES.has(text(r))) && has(verbs, 'create')) out.push('creating pods or workloads, which run with any ServiceAccount of the namespace');
  if (has(verbs, 'escalate', 'bind', 'impersonate')) out.push('escalate, bind or impersonate, which grant more than the role holds');
  return out;
}

/** Generic: RBAC grants nothing a component could not do without. */
export const rbacLeastPrivilege = defineRule({
  id: 'rbac-least-privilege',
  severity: 'error',
  runbookItem:
    'Generic checks: least privilege (kube-linter access-to-secrets, access-to-create-pods, cluster-admin-role-binding and wildcard-in-rules; Polaris role and binding checks)',
  description:
    'No Role or ClusterRole of the manifests grants wildcards, reading Secrets, exec/attach/port-forward into pods, creating pods or workloads, or escalate/bind/impersonate; no binding ' +
    'grants cluster-admin, admin or edit, or binds every authenticated user or service account. None of the CTIS components calls the Kubernetes API; a role a team adds stays narrow.',
  remediation: 'Grant the named verbs on the named resources only, without wildcards; bind a role of the manifests instead of cluster-admin, admin or edit, to the ServiceAccounts that need it.',
  scope: { kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] },
  check(o) {
    const kind = o.object.kind;
    const out: RuleFinding[] = [];
    if (kind === 'Role' || kind === 'ClusterRole') {
      for (const { item: rule, index } of records(at(o.object, ['rules']))) {
        const what = grants(rule);
        if (what.length > 0) out.push({ message: `${kind} ${text(o.object.metadata?.name)} grants ${what.join('; ')}`, path: ['rules', index] });
      }
      return out;
    }
    const role = str(at(o.object, ['roleRef', 'name']));
    if (at(o.object, ['roleRef', 'kind']) === 'ClusterRole' && role !== undefined && BROAD_ROLES.has(role)) {
      out.push({ message: `${kind} ${text(o.object.metadata?.name)} grants the built-in ClusterRole ${role}${kind === 'ClusterRoleBinding' ? ' in every namespace' : ''}`, path: ['roleRef', 'name'] });
    }
    for (const { item: subject, index } of records(at(o.object, ['subjects']))) {
      if (subject.kind === 'Group' && isRecord(subject) && EVERYONE.has(text(subject.name))) {
        out.push({ message: `${kind} ${text(o.object.metadata?.name)} binds the group ${text(subject.name)}: everyone in it gets the role`, path: ['subjects', index] });
      }
    }
    return out;
  },
});
