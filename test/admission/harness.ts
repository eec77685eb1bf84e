/**
 * A ValidatingAdmissionPolicy evaluator for tests: the API server's admission steps for one
 * request, with every CEL expression evaluated by a real CEL implementation (@bufbuild/cel).
 *
 * What it does as Kubernetes does (admissionregistration.k8s.io/v1):
 * - matching: `matchConstraints.resourceRules` of the policy and `matchResources` of the
 *   binding (group, version under `matchPolicy: Equivalent`, resource, operation,
 *   `resourceNames`), `namespaceSelector` against the namespace's labels (for a Namespace, its
 *   own labels plus `kubernetes.io/metadata.name`);
 * - `matchConditions`: any false skips the policy; otherwise an error fails the request
 *   (`failurePolicy: Fail`);
 * - `variables` in order, each seeing the earlier ones; a variable that fails is left unbound,
 *   so an expression that uses it fails as it would in the API server;
 * - `validations`: false denies with `messageExpression` (falling back to `message`); a
 *   non-boolean or an error fails the request; `validationActions` of the binding say whether
 *   a denial is a refusal (`Deny`) or a warning (`Warn`).
 * - values as the API server hands them to CEL: integers are CEL `int`, absent (null) fields
 *   are absent.
 *
 * Functions: the CEL standard library plus the Kubernetes strings extension's functions
 * (`charAt`, `indexOf`, `lastIndexOf`, `lowerAscii`, `upperAscii`, `replace`, `split`,
 * `substring`, `trim`, `join`), taken from @bufbuild/cel's strings extension; other extension
 * functions of that package (`format`, `quote`) are left out, so an expression using one fails
 * here. No other Kubernetes library (lists, regex, url, quantity, authorizer) is provided: the
 * policies use none.
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/manifests';
import { Model, ofKind } from '../support/k8s';

/** An object sent to the API server: anything with an apiVersion, a kind and metadata. */
export type Obj = KubeObject;

/** A ValidatingAdmissionPolicy and a binding as rendered. */
export type Policy = Model<'ValidatingAdmissionPolicy'>;
export type Binding = Model<'ValidatingAdmissionPolicyBinding'>;
type Match = Policy['spec']['matchConstraints'];

/** The functions of Kubernetes' CEL strings library (ext.Strings) that @bufbuild/cel also implements. */
export const KUBERNETES_STRING_FUNCTIONS = ['charAt', 'indexOf', 'lastIndexOf', 'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'join'];

const ENV = celEnv({ funcs: strings.filter((f) => KUBERNETES_STRING_FUNCTIONS.includes(f.name)) });
const plans = new Map<string, ReturnType<typeof plan>>();

/** Evaluates one CEL expression; returns the value or `{ error }`. */
export function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
  let p = plans.get(expression);
  if (!p) {
    p = plan(ENV, parse(expression));
    plans.set(expression, p);
  }
  const r = (p as (ctx: unknown) => unknown)(bindings);
  return isCelError(r) ? { error: (r as { message: string }).message } : r;
}

/** A CEL value as the API server's messages show it. */
function shown(v: unknown): string {
  return String(v);
}

function isError(v: unknown): v is { error: string } {
  return typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).length === 1;
}

/** JSON as the API server hands it to CEL: integers as int (bigint), nulls dropped. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** Kind -> plural resource, for the kinds the tests send. */
const RESOURCES: Record<string, string> = {
  Namespace: 'namespaces', Pod: 'pods', Service: 'services', ConfigMap: 'configmaps', ServiceAccount: 'serviceaccounts',
  PersistentVolumeClaim: 'persistentvolumeclaims', Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets', ReplicationController: 'replicationcontrollers', Job: 'jobs', CronJob: 'cronjobs', Rollout: 'rollouts', HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  PodDisruptionBudget: 'poddisruptionbudgets', NetworkPolicy: 'networkpolicies', Ingress: 'ingresses', HTTPRoute: 'httproutes',
  Gateway: 'gateways', Middleware: 'middlewares', ExternalSecret: 'externalsecrets', Certificate: 'certificates',
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies', ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
  IngressRoute: 'ingressroutes', IngressRouteTCP: 'ingressroutetcps', GRPCRoute: 'grpcroutes', TCPRoute: 'tcproutes', TLSRoute: 'tlsroutes',
  ServiceMonitor: 'servicemonitors', PodMonitor: 'podmonitors', PrometheusRule: 'prometheusrules', TLSOption: 'tlsoptions',
  AnalysisTemplate: 'analysistemplates',
};
const CLUSTER_SCOPED = new Set(['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

export function resourceOf(o: Obj): { group: string; version: string; resource: string } {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  const resource = RESOURCES[o.kind];
  if (!resource) throw new Error(`harness: no resource name for kind ${o.kind}`);
  return { group, version, resource };
}

export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly object: Obj;
  readonly oldObject?: Obj;
  /** Namespace of a namespaced object. @default - object.metadata.namespace */
  readonly namespace?: string;
  /** Who sends it. @default - Argo CD's application controller */
  readonly username?: string;
}

export interface Denial {
  readonly policy: string;
  readonly message: string;
  /** Index of the validation in the policy (or -1 for a match condition that failed). */
  readonly validation: number;
  readonly actions: readonly string[];
  /** Set when the check failed with an error rather than evaluating to false. */
  readonly error?: string;
  /** Set when the message expression itself failed (the static message was used). */
  readonly messageError?: string;
}

export interface Verdict {
  /** Policies that judged the request. */
  readonly judgedBy: string[];
  readonly denials: Denial[];
  /** Refused by at least one binding with `Deny`. */
  readonly refused: boolean;
}

function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string | undefined>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value!))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function rulesMatch(rules: Match['resourceRules'] | undefined, req: AdmissionRequest, matchPolicy: string | undefined): boolean {
  if (!rules) return true;
  const r = resourceOf(req.object);
  const name = req.object.metadata?.name;
  return rules.some(
    (rule) =>
      (rule.apiGroups.includes('*') || rule.apiGroups.includes(r.group)) &&
      (rule.apiVersions.includes('*') || rule.apiVersions.includes(r.version) || matchPolicy !== 'Exact') &&
      (rule.resources.includes('*') || rule.resources.includes(r.resource)) &&
      (rule.operations.includes('*') || rule.operations.includes(req.operation)) &&
      (!rule.resourceNames || rule.resourceNames.length === 0 || (name !== undefined && rule.resourceNames.includes(name))),
  );
}

function scopeMatches(match: Partial<Match> | undefined, req: AdmissionRequest): boolean {
  if (!match) return true;
  if (!rulesMatch(match.resourceRules, req, match.matchPolicy)) return false;
  const kind = req.object.kind;
  if (kind === 'Namespace') {
    const labels = { ...(req.object.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': req.object.metadata?.name };
    return selectorMatches(match.namespaceSelector, labels);
  }
  if (CLUSTER_SCOPED.has(kind)) return true;
  const ns = req.namespace ?? req.object.metadata?.namespace;
  return selectorMatches(match.namespaceSelector, { 'kubernetes.io/metadata.name': ns });
}

/** A policy with its binding(s), as found in rendered output. */
export interface BoundPolicy {
  readonly policy: Policy;
  readonly bindings: Binding[];
}

/** Pairs every ValidatingAdmissionPolicy of a manifest list with its bindings. */
export function boundPolicies(manifests: readonly unknown[]): BoundPolicy[] {
  const bindings = ofKind(manifests, 'ValidatingAdmissionPolicyBinding');
  return ofKind(manifests, 'ValidatingAdmissionPolicy').map((policy) => ({
    policy,
    bindings: bindings.filter((m) => m.spec.policyName === policy.metadata.name),
  }));
}

export const ARGOCD_CONTROLLER = 'system:serviceaccount:argocd:argocd-application-controller';

/** Sends one request through every bound policy. */
export function admit(policies: readonly BoundPolicy[], req: AdmissionRequest): Verdict {
  const object = toCel(req.object);
  const oldObject = req.oldObject ? toCel(req.oldObject) : null;
  const r = resourceOf(req.object);
  const request = toCel({
    operation: req.operation,
    namespace: req.namespace ?? req.object.metadata?.namespace ?? '',
    name: req.object.metadata?.name ?? '',
    kind: { group: r.group, version: r.version, kind: req.object.kind },
    resource: { group: r.group, version: r.version, resource: r.resource },
    userInfo: { username: req.username ?? ARGOCD_CONTROLLER },
  });
  const judgedBy: string[] = [];
  const denials: Denial[] = [];
  for (const { policy, bindings } of policies) {
    const name = policy.metadata.name;
    for (const binding of bindings) {
      if (!scopeMatches(policy.spec.matchConstraints, req) || !scopeMatches(binding.spec.matchResources, req)) continue;
      const actions: string[] = binding.spec.validationActions;
      const base: Record<string, unknown> = { object, oldObject, request, params: null, namespaceObject: null };
      const conditions = (policy.spec.matchConditions ?? []).map((c) => evaluate(c.expression, base));
      if (conditions.some((v) => v === false)) continue;
      judgedBy.push(name);
      const failed = conditions.find((v) => v !== true);
      const deny = (d: Omit<Denial, 'policy' | 'actions'>) => denials.push({ policy: name, actions, ...d });
      if (failed !== undefined) {
        const error = isError(failed) ? failed.error : `match condition is ${shown(failed)}`;
        deny({ message: `match condition failed: ${error}`, validation: -1, error });
        continue;
      }
      const variables: Record<string, unknown> = {};
      for (const v of policy.spec.variables ?? []) {
        const value = evaluate(v.expression, { ...base, variables });
        if (!isError(value)) variables[v.name] = value;
      }
      (policy.spec.validations ?? []).forEach((v, i) => {
        const bindings = { ...base, variables };
        const result = evaluate(v.expression, bindings);
        if (result === true) return;
        if (result !== false) {
          const error = isError(result) ? result.error : `expression returned ${String(result)}, not a boolean`;
          deny({ message: v.message ?? 'failed', validation: i, error });
          return;
        }
        if (v.messageExpression) {
          const m = evaluate(v.messageExpression, bindings);
          if (typeof m === 'string' && m.trim() !== '' && !/[\r\n]/.test(m)) deny({ message: m, validation: i });
          else deny({ message: v.message ?? 'failed', validation: i, messageError: isError(m) ? m.error : `message expression returned ${JSON.stringify(String(m))}` });
        } else {
          deny({ message: v.message ?? 'failed', validation: i });
        }
      });
    }
  }
  return { judgedBy, denials, refused: denials.some((d) => d.actions.includes('Deny')) };
}
