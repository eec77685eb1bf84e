import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { PolicyDefinition } from '../admission/model';
import type { ValidationAction } from '../config/schema';
import { METADATA_NAME_LABEL } from '../manifests/namespace';
import { SyncWave, syncWave } from './argocd-annotations';

/** `admissionregistration.k8s.io/v1`: served from Kubernetes 1.30 on. */
export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/** Annotation carrying a policy's one-sentence description for reviewers. */
export const DESCRIPTION_ANNOTATION = 'ctis.io/description';

export interface AdmissionPolicyProps {
  /** Name of the policy and of its binding (both cluster-scoped): unique per environment. */
  readonly name: string;
  /** The only namespace the policy applies in. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly definition: PolicyDefinition;
  /** What the API server does with a denial. */
  readonly validationActions: readonly ValidationAction[];
}

/** Selects exactly one namespace by the label the API server sets to its name. */
function onlyNamespace(namespace: string) {
  return { matchLabels: { [METADATA_NAME_LABEL]: namespace } };
}

/**
 * A ValidatingAdmissionPolicy and the binding that applies it to one namespace. Both scope to
 * the namespace (the policy's `matchConstraints` and the binding's `matchResources`), so the
 * policy cannot judge anything elsewhere even if bound again. `failurePolicy: Fail`: a check
 * that cannot be evaluated refuses the request rather than letting it through.
 */
export class AdmissionPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AdmissionPolicyProps) {
    super(scope, id);
    const def = props.definition;
    const metadata = (extra: Record<string, string> = {}) => ({
      name: props.name,
      labels: props.labels,
      annotations: { ...syncWave(SyncWave.ADMISSION), ...extra },
    });
    const changed = def.judged('object').map((part, i) => `${part} != ${def.judged('oldObject')[i]}`);
    const oldLacksThem = def.judgedPresent ? [`!(${def.judgedPresent('oldObject')})`] : [];
    new ApiObject(this, 'Policy', {
      apiVersion: ADMISSION_API_VERSION,
      kind: 'ValidatingAdmissionPolicy',
      metadata: metadata({ [DESCRIPTION_ANNOTATION]: def.description }),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          matchPolicy: 'Equivalent',
          namespaceSelector: onlyNamespace(props.namespace),
          resourceRules: def.resourceRules.map((r) => ({
            apiGroups: [...r.apiGroups],
            apiVersions: [...r.apiVersions],
            operations: [...r.operations],
            resources: [...r.resources],
            ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
          })),
        },
        matchConditions: [
          ...(def.matchConditions ?? []),
          { name: 'judged-part-changed', expression: `request.operation != 'UPDATE' || ${[...oldLacksThem, ...changed].join(' || ')}` },
        ],
        ...(def.variables.length > 0 ? { variables: def.variables.map((v) => ({ name: v.name, expression: v.expression })) } : {}),
        validations: def.checks.map((c) => ({ expression: c.expression, messageExpression: c.messageExpression, message: c.message })),
      },
    });
    new ApiObject(this, 'Binding', {
      apiVersion: ADMISSION_API_VERSION,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: metadata(),
      spec: {
        policyName: props.name,
        validationActions: [...props.validationActions],
        matchResources: { matchPolicy: 'Equivalent', namespaceSelector: onlyNamespace(props.namespace) },
      },
    });
  }
}
