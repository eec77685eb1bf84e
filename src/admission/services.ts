import { lit } from './cel';
import { check, PolicyDefinition } from './model';

const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * Services: nothing in the namespace is reachable from outside the cluster except through the
 * edge, so no Service of any component is a NodePort or LoadBalancer or carries externalIPs.
 * The component is the one the Service selects (else its label, else its name).
 */
export function servicePolicy(): PolicyDefinition {
  const subject = 'variables.component';
  return {
    concern: 'services',
    description: 'Services: ClusterIP (or ExternalName) only, no externalIPs.',
    resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['services'], operations: ['CREATE', 'UPDATE'] }],
    judged: (root) => [`${root}.spec`],
    variables: [
      {
        name: 'component',
        expression:
          `has(object.spec.selector) && ${lit(NAME_LABEL)} in object.spec.selector ? object.spec.selector[${lit(NAME_LABEL)}] : ` +
          `(has(object.metadata.labels) && ${lit(NAME_LABEL)} in object.metadata.labels ? object.metadata.labels[${lit(NAME_LABEL)}] : object.metadata.name)`,
      },
    ],
    checks: [
      check({
        id: 'service-type',
        runbookItem: 'SPEC §2 rule 1',
        validatorRule: 'service-type',
        expression: "!has(object.spec.type) || object.spec.type in ['ClusterIP', 'ExternalName']",
        subject,
        detail: "'Service ' + object.metadata.name + ' is of type ' + object.spec.type + ': only ClusterIP Services are allowed, the edge is the only way in'",
        message: 'the Service is a NodePort or LoadBalancer: only ClusterIP Services are allowed',
      }),
      check({
        id: 'external-ips',
        runbookItem: 'SPEC §2 rule 1',
        validatorRule: 'service-type',
        expression: '!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0',
        subject,
        detail: "'Service ' + object.metadata.name + ' has externalIPs ' + object.spec.externalIPs.join(', ')",
        message: 'the Service has externalIPs',
      }),
    ],
  };
}
