import { Construct } from 'constructs';
import { admissionPolicies, AdmissionInputs } from '../src/admission';
import { AdmissionPolicy } from '../src/constructs/admission';
import { StackChart } from './component-chart';
import { StackContext } from './context';

/**
 * Admission policies of the environment (`admission.yaml`): the topology and the runbook rules
 * enforced by the API server for every write in the namespace, whoever makes it. Policies and
 * bindings are cluster-scoped, so each is named `<instance>-<concern>` (e.g.
 * `ctis-production-pods`) and scoped to the environment's namespace.
 */
export class AdmissionChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'admission', ctx);
    const inputs = new AdmissionInputs(ctx.effective, ctx.env, ctx.labelContext.instance, ctx.platformLabels());
    for (const definition of admissionPolicies(inputs)) {
      new AdmissionPolicy(this, definition.concern, {
        name: `${inputs.instance}-${definition.concern}`,
        namespace: ctx.namespace,
        labels: ctx.platformLabels(),
        definition,
        validationActions: ctx.env.admission.validationActions,
      });
    }
  }
}
