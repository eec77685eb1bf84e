import { lit } from './cel';
import { AdmissionInputs, check, PolicyDefinition } from './model';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/**
 * The environment's Namespace keeps Pod Security `restricted` enforced: removing or weakening
 * the label would let every pod check of the namespace lapse at once.
 */
export function namespacePolicy(inputs: AdmissionInputs): PolicyDefinition {
  const labels = 'object.metadata.labels';
  return {
    concern: 'namespace',
    description: `The Namespace ${inputs.namespace} keeps ${ENFORCE}: restricted.`,
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['CREATE', 'UPDATE'], resourceNames: [inputs.namespace] }],
    judged: (root) => [`(has(${root}.metadata.labels) ? ${root}.metadata.labels : {})`],
    variables: [],
    checks: [
      check({
        id: 'pod-security-label',
        runbookItem: 'SPEC §2 rule 14',
        validatorRule: 'namespace-pod-security',
        expression: `has(${labels}) && ${lit(ENFORCE)} in ${labels} && ${labels}[${lit(ENFORCE)}] == 'restricted'`,
        subject: "'Namespace ' + object.metadata.name",
        detail: `${lit(`must keep ${ENFORCE}: restricted, it has `)} + (has(${labels}) && ${lit(ENFORCE)} in ${labels} ? ${labels}[${lit(ENFORCE)}] : 'none')`,
        message: `the Namespace must keep ${ENFORCE}: restricted`,
      }),
    ],
  };
}
