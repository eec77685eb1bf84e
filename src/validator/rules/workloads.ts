import { at, isRecord, list, LoadedObject, records, str, text } from '../../manifests';
import { Selector } from '../../netpol/selector';
import type { PodTemplate, ValidationContext } from '../context';
import { definePodRule, RuleFinding } from '../rule';

/**
 * Generic workload checks: what the API server refuses in a pod template that its schema does not
 * say, how replicas spread over nodes, and how scheduled jobs are bounded.
 */

/** Kinds whose `spec.selector` must select their own template (a Job only with `manualSelector`). */
const SELECTING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);
/** Kinds whose pods are always restarted: `restartPolicy` may only be `Always`. */
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout']);
/** Kinds whose pods run to completion: `restartPolicy` must be `OnFailure` or `Never`. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/** An IANA service name, as container port names must be (at most 15 characters, a letter, no `--`). */
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function selectorProblems(t: PodTemplate): RuleFinding[] {
  const owner = t.owner.object;
  const manual = t.kind === 'Job' && at(owner, ['spec', 'manualSelector']) === true;
  if (!SELECTING.has(t.kind) && !manual) return [];
  const raw = at(owner, ['spec', 'selector']);
  if (raw === undefined) return []; // required: schema-valid reports it
  const selector = Selector.compile(raw);
  if (selector.matchesEverything) {
    return [{ message: `${t.kind} ${t.name} has an empty selector: the API server refuses it (it would adopt every pod of the namespace)`, path: ['spec', 'selector'] }];
  }
  if (!selector.matches(t.labels)) {
    return [{ message: `the selector ${selector.toString()} of ${t.kind} ${t.name} does not select its own pod template (labels ${JSON.stringify(t.labels)}): the API server refuses it`, path: ['spec', 'selector'] }];
  }
  return [];
}

function restartPolicyProblems(t: PodTemplate): RuleFinding[] {
  const policy = str(t.spec.restartPolicy);
  const path = [...t.path, 'spec', ...(policy === undefined ? [] : ['restartPolicy'])];
  if (LONG_RUNNING.has(t.kind) && policy !== undefined && policy !== 'Always') {
    return [{ message: `${t.kind} ${t.name} sets restartPolicy ${policy}: a ${t.kind} only accepts Always`, path }];
  }
  if (RUN_TO_COMPLETION.has(t.kind) && policy !== 'OnFailure' && policy !== 'Never') {
    return [{ message: `${t.kind} ${t.name} ${policy === undefined ? 'sets no restartPolicy (the default, Always,' : `sets restartPolicy ${policy} (which`} is refused for a Job): use OnFailure or Never`, path }];
  }
  return [];
}

function portProblems(t: PodTemplate, ctx: ValidationContext): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const { field, index, container: c } of ctx.pods.containers(t)) {
    const base = [...t.path, 'spec', field, index];
    const names = new Set<string>();
    for (const { item: p, index: pi } of records(c.ports)) {
      const name = str(p.name);
      if (name === undefined) continue;
      names.add(name);
      if (!PORT_NAME.test(name)) {
        out.push({ message: `port name "${name}" of container ${text(c.name)} is not a valid port name (at most 15 lower-case letters, digits and "-", with a letter): the API server refuses it`, path: [...base, 'ports', pi, 'name'] });
      }
    }
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      for (const handler of ['httpGet', 'tcpSocket'] as const) {
        const port = at(c, [probe, handler, 'port']);
        if (typeof port === 'string' && !/^\d+$/.test(port) && !names.has(port)) {
          out.push({ message: `${probe} of container ${text(c.name)} probes port "${port}", which the container does not name: the probe always fails`, path: [...base, probe, handler, 'port'] });
        }
      }
    }
  }
  return out;
}

/** Generic: the API server and the kubelet accept the pod template as written. */
export const workloadTemplateValid = definePodRule({
  id: 'workload-template-valid',
  severity: 'error',
  runbookItem:
    'Generic checks: manifests the cluster accepts (kube-linter mismatching-selector and restart-policy, kube-score *-pod-selector-labels-match-template-metadata-labels and cronjob-restartpolicy, kube-linter invalid-target-ports, liveness-port, readiness-port and startup-port)',
  description:
    'What the API server refuses in a workload although its schema allows it, and probes that can never pass: the selector of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Rollout ' +
    'is not empty and selects its own pod template; long-running pods restart `Always`, those of Jobs and CronJobs `OnFailure` or `Never`; container port names are valid ' +
    '(at most 15 characters); a probe that names a port names one of its container.',
  remediation: 'Make the selector match the template labels, set the restart policy the kind accepts, and name ports and probe ports consistently.',
  check(t, ctx) {
    return selectorProblems(t).concat(restartPolicyProblems(t), portProblems(t, ctx));
  },
});

const HOSTNAME = 'kubernetes.io/hostname';

/** Whether a scheduling term (a spread constraint or an anti-affinity term) on the node level covers the pods. */
function coversNode(term: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(term) || term.topologyKey !== HOSTNAME) return false;
  if (list(term.matchLabelKeys).length > 0 && term.labelSelector === undefined) return true;
  return isRecord(term.labelSelector) && Selector.compile(term.labelSelector).matches(labels);
}

/** Generic: replicas are spread over nodes. */
export const podsSpread = definePodRule({
  id: 'pods-spread',
  severity: 'warning',
  runbookItem:
    'Generic checks: replicas survive a node (kube-score deployment-has-host-podantiaffinity and pod-topology-spread-constraints, kube-linter no-anti-affinity, Polaris topologySpreadConstraint)',
  description:
    'A Deployment, StatefulSet, ReplicaSet or Rollout that can run more than one pod spreads them over nodes: a `topologySpreadConstraint` on `kubernetes.io/hostname`, or a ' +
    'pod anti-affinity term on it, selects its pods. Otherwise every replica may land on one node, and losing it takes the component down despite the replicas and the PodDisruptionBudget.',
  remediation: 'Add a topologySpreadConstraint (topologyKey kubernetes.io/hostname, maxSkew 1, whenUnsatisfiable ScheduleAnyway) whose labelSelector selects the pods.',
  check(t, ctx) {
    if (!['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout', 'ReplicationController'].includes(t.kind)) return [];
    const max = ctx.pods.maxPods(t);
    if (max <= 1) return [];
    const spread = list(t.spec.topologySpreadConstraints).some((c) => coversNode(c, t.labels));
    const anti = at(t.spec, ['affinity', 'podAntiAffinity']);
    const terms = [
      ...list(at(anti, ['requiredDuringSchedulingIgnoredDuringExecution'])),
      ...list(at(anti, ['preferredDuringSchedulingIgnoredDuringExecution'])).map((w) => at(w, ['podAffinityTerm'])),
    ];
    if (spread || terms.some((term) => coversNode(term, t.labels))) return [];
    return [{ message: `up to ${max} pods of ${t.kind} ${t.name} may run on one node: no topologySpreadConstraint or pod anti-affinity on ${HOSTNAME} selects them`, path: [...t.path, 'spec'] }];
  },
});

/** Whether a Job is run by a CronJob (its owner), which bounds its history itself. */
function ownedByCronJob(o: LoadedObject): boolean {
  return records(at(o.object, ['metadata', 'ownerReferences'])).some(({ item }) => item.kind === 'CronJob');
}

/** Generic: scheduled jobs do not overlap or run forever, and finished Jobs go away. */
export const jobsBounded = definePodRule({
  id: 'jobs-bounded',
  severity: 'error',
  runbookItem: 'Generic checks: bounded batch work (kube-linter job-ttl-seconds-after-finished); the backups of the setup guide',
  description:
    "A CronJob's runs do not overlap (`concurrencyPolicy` Forbid or Replace: two dumps of one database at once double its load and race on the files) and each run has a deadline " +
    '(`activeDeadlineSeconds` on the job template: a hung run would otherwise hold the schedule for good under Forbid). A Job of its own has a deadline too, and is deleted ' +
    'some time after it finished (`ttlSecondsAfterFinished`; a warning).',
  remediation: 'Set concurrencyPolicy: Forbid and spec.jobTemplate.spec.activeDeadlineSeconds on the CronJob; activeDeadlineSeconds and ttlSecondsAfterFinished on a Job.',
  check(t) {
    const o = t.owner.object;
    const out: RuleFinding[] = [];
    if (t.kind === 'CronJob') {
      const policy = str(at(o, ['spec', 'concurrencyPolicy']));
      if (policy !== 'Forbid' && policy !== 'Replace') {
        out.push({ message: `CronJob ${t.name} lets runs overlap (concurrencyPolicy ${policy ?? 'unset, Allow'}): a slow run and the next one work at once`, path: ['spec', ...(policy ? ['concurrencyPolicy'] : [])] });
      }
      if (at(o, ['spec', 'jobTemplate', 'spec', 'activeDeadlineSeconds']) === undefined) {
        out.push({ message: `runs of CronJob ${t.name} have no deadline (jobTemplate activeDeadlineSeconds): a hung run never ends${policy === 'Forbid' ? ' and blocks every later one' : ''}`, path: ['spec', 'jobTemplate', 'spec'] });
      }
    } else if (t.kind === 'Job' && !ownedByCronJob(t.owner)) {
      if (at(o, ['spec', 'activeDeadlineSeconds']) === undefined) out.push({ message: `Job ${t.name} has no deadline (activeDeadlineSeconds): a hung run never ends`, path: ['spec'] });
      if (at(o, ['spec', 'ttlSecondsAfterFinished']) === undefined) {
        out.push({ message: `Job ${t.name} is kept after it finished (no ttlSecondsAfterFinished): its pods and logs stay until someone deletes it`, path: ['spec'], severity: 'warning' });
      }
    }
    return out;
  },
});
