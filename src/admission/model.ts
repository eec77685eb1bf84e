import type { EnvironmentConfig } from '../config/schema';
import { blueGreenOf } from '../config/strategy';
import { previewServiceName } from '../constructs/blue-green';
import { EffectiveTopology, edgesTo, PodsElsewhere } from '../topology/effective';
import { ComponentSpec } from '../topology/model';
import { lit } from './cel';

/**
 * What an admission policy is, before it becomes Kubernetes objects: which requests it judges,
 * the CEL it judges them with, and the runbook rule each check enforces. Built from the
 * effective topology and the environment's configuration (`index.ts`); rendered into a
 * ValidatingAdmissionPolicy and its binding by `src/constructs/admission.ts`.
 */

export type Operation = 'CREATE' | 'UPDATE';

/** A group of resources a policy matches (`matchConstraints.resourceRules`). */
export interface ResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly operations: readonly Operation[];
  /** Limits the rule to named objects. @default - every object of the resources */
  readonly resourceNames?: readonly string[];
}

/** One check: the request is admitted when `expression` is true. */
export interface Check {
  /** Kebab-case id, unique in its policy: names the check in the source (Kubernetes validations have no name). */
  readonly id: string;
  readonly expression: string;
  /** CEL that builds the denial message (component, offending fields, runbook rule). */
  readonly messageExpression: string;
  /** Static message used when `messageExpression` cannot be evaluated. */
  readonly message: string;
  /** The runbook item the check enforces, e.g. `SPEC §2 rule 1`. */
  readonly runbookItem: string;
  /** The validator rule that checks the same before merge. */
  readonly validatorRule: string;
}

export interface Variable {
  readonly name: string;
  readonly expression: string;
}

export interface PolicyDefinition {
  /** Suffix of the policy's name: `<instance>-<concern>`. */
  readonly concern: string;
  /** One sentence for reviewers, rendered as an annotation. */
  readonly description: string;
  readonly resourceRules: readonly ResourceRule[];
  /**
   * The parts of the object the checks read (CEL expressions over `object` or `oldObject`, e.g.
   * `object.spec.template.spec`). An UPDATE that leaves them all unchanged is not judged:
   * controllers that scale, relabel or annotate objects at run time (HPA, Deployment and Argo
   * Rollouts controllers) are never refused for what was already there.
   */
  readonly judged: (root: 'object' | 'oldObject') => readonly string[];
  /**
   * CEL true when the old object has the judged parts at all (a Rollout that referenced a
   * Deployment through `workloadRef` has no template): an UPDATE from an object without them is
   * judged rather than failing on the missing field. @default - the judged parts are always present
   */
  readonly judgedPresent?: (root: 'oldObject') => string;
  /** Further conditions a request must meet to be judged (CEL over `object`). @default - none */
  readonly matchConditions?: readonly Variable[];
  readonly variables: readonly Variable[];
  readonly checks: readonly Check[];
}

/** The facts of one environment the policies are generated from. */
export class AdmissionInputs {
  constructor(
    readonly effective: EffectiveTopology,
    readonly env: EnvironmentConfig,
    /** `app.kubernetes.io/instance` of the environment: the prefix of every policy name. */
    readonly instance: string,
    /** The labels every object the project renders for the environment carries. */
    readonly platformLabels: Readonly<Record<string, string>>,
  ) {}

  get namespace(): string {
    return this.env.namespace;
  }

  /** Components of the topology. */
  get components(): readonly ComponentSpec[] {
    return this.effective.topology.components;
  }

  /** Public components that run in the cluster: the only Services the edge may route to. */
  publicBackends(): string[] {
    return this.effective.components.filter((c) => c.spec.exposure === 'public' && c.inCluster).map((c) => c.id);
  }

  /**
   * The preview Services of public blue-green components that have a preview host, with that
   * host. Only the Traefik profile with an admin allow-list renders one (the configuration
   * refuses a preview host elsewhere), always behind the allow-list.
   */
  previewRoutes(): Array<{ service: string; host: string }> {
    const edge = this.env.edge;
    if (edge.profile !== 'traefik' || edge.adminAllowList.length === 0) return [];
    return this.publicBackends().flatMap((id) => {
      const host = blueGreenOf(this.env.workloads[id] ?? {})?.previewHost;
      return host ? [{ service: previewServiceName(id), host }] : [];
    });
  }

  /** Components that serve `/admin`, `/ops`, `/hangfire`. */
  adminServing(): string[] {
    return this.components.filter((c) => c.servesAdminPaths).map((c) => c.id);
  }

  /** Internal components of the topology (whether or not they run in the cluster). */
  internal(): ComponentSpec[] {
    return this.components.filter((c) => c.exposure === 'internal');
  }

  /** Pods of other namespaces the topology lets reach a component (Prometheus scraping its metrics). */
  inbound(id: string): PodsElsewhere[] {
    const seen = new Map<string, PodsElsewhere>();
    for (const i of this.effective.inbound) if (i.to === id) seen.set(`${i.from.namespace}/${JSON.stringify(i.from.labels)}`, i.from);
    return [...seen.values()];
  }

  /** In-cluster callers of a component, by the effective edges (none for a managed data store). */
  callers(id: string): string[] {
    return [...new Set(edgesTo(this.effective, id).map((e) => e.from))].sort();
  }
}

/** The `<part> (<runbook item>; validator rule <id>)` tail every denial message ends with. */
export function ruleTail(runbookItem: string, validatorRule: string): string {
  return ` (${runbookItem}; validator rule ${validatorRule})`;
}

/** A check whose denial message reads `<subject>: <detail> (<runbook item>; validator rule <id>)`. */
export function check(c: {
  readonly id: string;
  readonly runbookItem: string;
  readonly validatorRule: string;
  readonly expression: string;
  /** CEL string naming what the denial is about (usually the component). */
  readonly subject: string;
  /** CEL string: what is wrong, naming the offending fields. */
  readonly detail: string;
  /** The same without dynamic parts, for when the message expression cannot be evaluated. */
  readonly message: string;
}): Check {
  const tail = ruleTail(c.runbookItem, c.validatorRule);
  return {
    id: c.id,
    runbookItem: c.runbookItem,
    validatorRule: c.validatorRule,
    expression: c.expression,
    messageExpression: `(${c.subject}) + ': ' + (${c.detail}) + ${lit(tail)}`,
    message: `${c.message}${tail}`,
  };
}
