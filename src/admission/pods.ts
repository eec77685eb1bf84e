import { hasPath, joinNonEmpty, lit, litList, not } from './cel';
import { AdmissionInputs, check, Check, PolicyDefinition, ResourceRule, Variable } from './model';

/**
 * Pod templates: what every pod of the namespace must be, whichever object carries it. Three
 * policies share the same checks and differ only in where the pod spec sits, so each is
 * type-checked by the API server against one shape (`spec`, `spec.template.spec` or
 * `spec.jobTemplate.spec.template.spec`).
 */

const NAME_LABEL = 'app.kubernetes.io/name';
const RULE_14 = 'SPEC §2 rule 14';

/**
 * Environment variable names that hold secrets: connection strings, and names whose last word
 * is a password, secret, token, credential, passphrase or a qualified key (`ApiKey`,
 * `SIGNING_KEY`). RE2 syntax, case-insensitive.
 */
export const SECRET_NAME_PATTERN =
  '(?i)(^connectionstrings(__|:)|connection_?string|(password|passwd|pwd|secret|token|credentials?|passphrase|apikey|privatekey)$|(api|private|access|signing|encryption|client|secret|master|account|shared)[_-]?key$)';

/** A digest reference: `...@sha256:<64 hex>`. */
const DIGEST = '@sha256:[a-f0-9]{64}$';
/** A tag on a reference without digest: the part after the last `:` holds no `/`. */
const TAGGED = '^[^@]*:[^/:@]+$';

interface PodShape {
  readonly concern: string;
  readonly description: string;
  readonly resourceRules: readonly ResourceRule[];
  /** Field path from `object` to the pod template (or the Pod itself: `[]`). */
  readonly template: readonly string[];
}

const CREATE_UPDATE = ['CREATE', 'UPDATE'] as const;

/**
 * Kinds that carry a pod template at `spec.template`. Argo Rollouts' Rollout is among them (a
 * Rollout that references a Deployment through `workloadRef` has no template and is not judged;
 * the Deployment is), and so is the core ReplicationController, whose template is optional in
 * the API's schema (one without is not judged here; the API server's own validation refuses it).
 */
export const TEMPLATE_KINDS: readonly ResourceRule[] = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['replicationcontrollers'], operations: CREATE_UPDATE },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], operations: CREATE_UPDATE },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs'], operations: CREATE_UPDATE },
  { apiGroups: ['argoproj.io'], apiVersions: ['v1alpha1'], resources: ['rollouts'], operations: CREATE_UPDATE },
];

const SHAPES: readonly PodShape[] = [
  {
    concern: 'pods',
    description: 'Pods: restricted essentials, no API token, no literal secrets, pinned images.',
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: CREATE_UPDATE }],
    template: [],
  },
  {
    concern: 'workloads',
    description: 'Pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and Argo Rollouts.',
    resourceRules: TEMPLATE_KINDS,
    template: ['spec', 'template'],
  },
  {
    concern: 'cronjobs',
    description: 'Pod templates of CronJobs.',
    resourceRules: [{ apiGroups: ['batch'], apiVersions: ['v1'], resources: ['cronjobs'], operations: CREATE_UPDATE }],
    template: ['spec', 'jobTemplate', 'spec', 'template'],
  },
];

const P = 'variables.pod';
const C = 'variables.containers';

/** `has(c.securityContext) && has(c.securityContext.<field>) && ...` for a container field. */
const sc = (c: string, ...fields: string[]) => hasPath(c, ['securityContext', ...fields]);

/** Names of the containers failing a predicate over `c`, for a message. */
const failing = (bad: string, describe = 'c.name') => `${C}.filter(c, ${bad}).map(c, ${describe}).join(', ')`;

function variables(shape: PodShape): Variable[] {
  const at = (...fields: string[]) => ['object', ...fields].join('.');
  const meta = at(...shape.template, 'metadata');
  const hasLabels = hasPath('object', [...shape.template, 'metadata', 'labels']);
  return [
    { name: 'pod', expression: at(...shape.template, 'spec') },
    {
      name: 'component',
      expression: `${hasLabels} && ${lit(NAME_LABEL)} in ${meta}.labels ? ${meta}.labels[${lit(NAME_LABEL)}] : object.metadata.name`,
    },
    // Init containers run under the same rules. Ephemeral containers are added only through the
    // pods/ephemeralcontainers subresource, which Pod Security admission judges.
    { name: 'containers', expression: `${P}.containers + (has(${P}.initContainers) ? ${P}.initContainers : [])` },
    { name: 'podRunAsNonRoot', expression: `${hasPath(P, ['securityContext', 'runAsNonRoot'])} && ${P}.securityContext.runAsNonRoot` },
    {
      name: 'podSeccomp',
      expression: `${hasPath(P, ['securityContext', 'seccompProfile', 'type'])} ? ${P}.securityContext.seccompProfile.type : ''`,
    },
  ];
}

const SUBJECT = 'variables.component';

/** A check that every container meets `ok` (a predicate over `c`); the message lists those that do not. */
function everyContainer(c: { id: string; runbookItem: string; validatorRule: string; ok: string; failing: string; message: string; describe?: string }): Check {
  return check({
    id: c.id,
    runbookItem: c.runbookItem,
    validatorRule: c.validatorRule,
    expression: `${C}.all(c, ${c.ok})`,
    subject: SUBJECT,
    detail: `${lit(`${c.failing}: `)} + ${failing(not(c.ok), c.describe)}`,
    message: c.message,
  });
}

/** The pod's relation to its node: host namespaces, ports and paths. */
function hostChecks(): Check[] {
  const hostFlag = (f: string) => `(has(${P}.${f}) && ${P}.${f})`;
  const noHostPort = '!(has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0))';
  return [
    check({
      id: 'host-namespaces',
      runbookItem: 'SPEC §2 rules 1 and 14',
      validatorRule: 'pod-security-restricted',
      expression: `!${hostFlag('hostNetwork')} && !${hostFlag('hostPID')} && !${hostFlag('hostIPC')}`,
      subject: SUBJECT,
      detail: `'the pod shares the host\\'s ' + ${joinNonEmpty(`[${['hostNetwork', 'hostPID', 'hostIPC'].map((f) => `${hostFlag(f)} ? ${lit(f)} : ''`).join(', ')}]`)}`,
      message: 'the pod shares a host namespace (hostNetwork, hostPID or hostIPC)',
    }),
    everyContainer({ id: 'host-ports', runbookItem: 'SPEC §2 rule 1', validatorRule: 'internal-not-exposed', ok: noHostPort, failing: 'containers publish host ports', message: 'a container publishes a host port' }),
    check({
      id: 'host-path',
      runbookItem: RULE_14,
      validatorRule: 'pod-security-restricted',
      expression: `!has(${P}.volumes) || ${P}.volumes.all(v, !has(v.hostPath))`,
      subject: SUBJECT,
      detail: `'hostPath volumes are not allowed: ' + ${P}.volumes.filter(v, has(v.hostPath)).map(v, v.name).join(', ')`,
      message: 'the pod mounts a hostPath volume',
    }),
  ];
}

/** The essentials of Pod Security `restricted` for every container (pod-level values inherited). */
function securityContextChecks(): Check[] {
  const restricted = { runbookItem: RULE_14, validatorRule: 'pod-security-restricted' };
  const capabilitiesOk =
    `(${sc('c', 'capabilities', 'drop')} && 'ALL' in c.securityContext.capabilities.drop && ` +
    `(!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(a, a == 'NET_BIND_SERVICE')))`;
  const nonRoot =
    `((${sc('c', 'runAsNonRoot')} ? c.securityContext.runAsNonRoot : variables.podRunAsNonRoot) && ` +
    `!(${sc('c', 'runAsUser')} && c.securityContext.runAsUser == 0))`;
  const podRoot = `(${hasPath(P, ['securityContext', 'runAsUser'])} && ${P}.securityContext.runAsUser == 0)`;
  const seccompOk = `((${sc('c', 'seccompProfile')} ? c.securityContext.seccompProfile.type : variables.podSeccomp) in ['RuntimeDefault', 'Localhost'])`;
  return [
    everyContainer({ id: 'privileged', ...restricted, ok: `!(${sc('c', 'privileged')} && c.securityContext.privileged)`, failing: 'privileged containers', message: 'a container is privileged' }),
    everyContainer({
      id: 'privilege-escalation',
      ...restricted,
      ok: `(${sc('c', 'allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false)`,
      failing: 'containers without allowPrivilegeEscalation: false',
      message: 'a container does not set allowPrivilegeEscalation: false',
    }),
    everyContainer({
      id: 'capabilities',
      ...restricted,
      ok: capabilitiesOk,
      failing: 'containers must drop ALL capabilities and add at most NET_BIND_SERVICE',
      message: 'a container does not drop ALL capabilities or adds one other than NET_BIND_SERVICE',
    }),
    check({
      id: 'run-as-non-root',
      ...restricted,
      expression: `!${podRoot} && ${C}.all(c, ${nonRoot})`,
      subject: SUBJECT,
      detail: `${podRoot} ? 'the pod runs as user 0 (root)' : 'containers without runAsNonRoot: true or running as user 0: ' + ${failing(`!${nonRoot}`)}`,
      message: 'a container may run as root (runAsNonRoot is not true, or runAsUser is 0)',
    }),
    check({
      id: 'seccomp',
      ...restricted,
      expression: `variables.podSeccomp in ['', 'RuntimeDefault', 'Localhost'] && ${C}.all(c, ${seccompOk})`,
      subject: SUBJECT,
      detail: `'containers without a RuntimeDefault or Localhost seccomp profile: ' + ${failing(`!${seccompOk}`)}`,
      message: 'a container has no RuntimeDefault or Localhost seccomp profile',
    }),
  ];
}

/** What the pod carries: no API token, no literal secrets, images pinned as the environment requires. */
function contentChecks(inputs: AdmissionInputs): Check[] {
  const tokenVolume = `has(v.projected) && has(v.projected.sources) && v.projected.sources.exists(s, has(s.serviceAccountToken))`;
  const secretLiteral = `e.name.matches(${lit(SECRET_NAME_PATTERN)}) && has(e.value) && e.value != ''`;
  const digest = inputs.env.images.requireDigest;
  // Components that declare they call the Kubernetes API may mount a token.
  const apiCallers = inputs.effective.components.filter((c) => c.spec.kubernetesApi !== undefined).map((c) => c.id);
  const mayMountToken = apiCallers.length > 0 ? `${SUBJECT} in ${litList(apiCallers)} || ` : '';
  const noToken = `has(${P}.automountServiceAccountToken) && ${P}.automountServiceAccountToken == false && (!has(${P}.volumes) || ${P}.volumes.all(v, !(${tokenVolume})))`;
  const pinned = digest
    ? `(has(c.image) && c.image.matches(${lit(DIGEST)}))`
    : `(has(c.image) && (c.image.matches(${lit(DIGEST)}) || (c.image.matches(${lit(TAGGED)}) && !c.image.endsWith(':latest'))))`;
  return [
    check({
      id: 'service-account-token',
      runbookItem: RULE_14,
      validatorRule: 'service-account-token',
      expression: mayMountToken === '' ? noToken : `${mayMountToken}(${noToken})`,
      subject: SUBJECT,
      detail: `!has(${P}.automountServiceAccountToken) || ${P}.automountServiceAccountToken ? 'the pod mounts the service-account token (set automountServiceAccountToken: false)' : 'volumes project a service-account token: ' + ${P}.volumes.filter(v, ${tokenVolume}).map(v, v.name).join(', ')`,
      message: 'the pod mounts a service-account token',
    }),
    everyContainer({
      id: 'secret-literal',
      runbookItem: 'SPEC §2 rule 5',
      validatorRule: 'secret-literal',
      ok: `(!has(c.env) || c.env.all(e, !(${secretLiteral})))`,
      failing: 'secret-like variables with a literal value (read them from a Secret an ExternalSecret writes)',
      describe: `c.name + ' sets ' + c.env.filter(e, ${secretLiteral}).map(e, e.name).join(', ')`,
      message: 'a secret-like environment variable has a literal value',
    }),
    everyContainer({
      id: 'image-pinned',
      runbookItem: 'SPEC §2 rule 15',
      validatorRule: 'image-pinned',
      ok: pinned,
      failing: digest ? `images must be pinned by sha256 digest in ${inputs.env.name}` : 'images must name a tag other than latest, or a sha256 digest',
      describe: `c.name + ' (' + (has(c.image) ? c.image : 'no image') + ')'`,
      message: digest ? `an image is not pinned by digest (required in ${inputs.env.name})` : 'an image is unpinned or uses latest',
    }),
  ];
}

function checks(inputs: AdmissionInputs): Check[] {
  return [...hostChecks(), ...securityContextChecks(), ...contentChecks(inputs)];
}

/** The three pod-template policies. */
export function podPolicies(inputs: AdmissionInputs): PolicyDefinition[] {
  const all = checks(inputs);
  return SHAPES.map((shape) => ({
    concern: shape.concern,
    description: shape.description,
    resourceRules: shape.resourceRules,
    judged: (root) => [[root, ...shape.template, 'spec'].join('.')],
    ...(shape.template.length > 0 ? { judgedPresent: (root: 'oldObject') => hasPath(root, shape.template) } : {}),
    // A Rollout that points at a Deployment (`workloadRef`) has no template of its own.
    matchConditions: shape.template.length > 0 ? [{ name: 'has-pod-template', expression: hasPath('object', shape.template) }] : [],
    variables: variables(shape),
    checks: all,
  }));
}

