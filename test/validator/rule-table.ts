/**
 * Per-rule valid/invalid cases: each case builds a small set of objects (or mutates the committed
 * dist/<env>) and states the exact findings of the rule under test, per resource. An empty
 * expectation means every object must pass.
 */
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import type { LoadedObject, NotAnObject } from '../../src/manifests';
import type { Topology } from '../../src/topology/model';
import { APPLICATION_CASES } from './rule-table-application';
import { BLUE_GREEN_CASES, BLUE_GREEN_EXTRA_CASES } from './rule-table-blue-green';
import { DELIVERY_RULE_CASES } from './rule-table-delivery';
import { NETWORK_AND_EDGE_CASES } from './rule-table-network';
import { OBJECT_CASES } from './rule-table-objects';
import { OPERATIONS_CASES } from './rule-table-operations';
import { GENERIC_CASES } from './rule-table-generic';

export interface RuleCase {
  readonly name: string;
  readonly env?: EnvironmentName;
  /** Configuration fields to override for this case. */
  readonly config?: Partial<EnvironmentConfig>;
  readonly objects: () => LoadedObject[];
  /** The topology to judge by. @default CTIS_TOPOLOGY */
  readonly topology?: () => Topology;
  /** Documents of the validated files that are not Kubernetes objects. */
  readonly documents?: () => NotAnObject[];
  /** resource (`Kind/namespace/name`) -> one pattern per expected finding, in line order. */
  readonly expect: Record<string, RegExp[]>;
  /** When given: the expected findings these match are warnings, every other one an error. */
  readonly warnings?: RegExp[];
  /** [message, remediation]: a finding whose message matches the first has a remediation matching the second. */
  readonly remediations?: [RegExp, RegExp][];
  /**
   * [message, line text]: a finding whose message matches the first is on a line of its file (in
   * the committed dist/<env>) whose text matches the second.
   */
  readonly lines?: [RegExp, RegExp][];
}

export interface RuleCases {
  readonly valid: RuleCase[];
  readonly invalid: RuleCase[];
}

export const RULE_CASES: Record<string, RuleCases> = { ...DELIVERY_RULE_CASES, ...NETWORK_AND_EDGE_CASES, ...APPLICATION_CASES, ...OBJECT_CASES, ...BLUE_GREEN_CASES };

// The operations rules and the network cases of the connections they add; the generic checks and what they added to older rules.
for (const [id, cases] of [...Object.entries(OPERATIONS_CASES), ...Object.entries(GENERIC_CASES)]) {
  const own = RULE_CASES[id];
  RULE_CASES[id] = own ? { valid: [...own.valid, ...cases.valid], invalid: [...own.invalid, ...cases.invalid] } : cases;
}

// Blue-green cases of rules that are not blue-green's own.
for (const [id, cases] of Object.entries(BLUE_GREEN_EXTRA_CASES)) RULE_CASES[id].invalid.push(...cases);
