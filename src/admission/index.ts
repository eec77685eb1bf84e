import { AdmissionInputs, PolicyDefinition } from './model';
import { namespacePolicy } from './namespace';
import { networkPolicyPolicy } from './network-policies';
import { podPolicies } from './pods';
import { allowListPolicy, httpRoutePolicy, ingressPolicy, otherRoutesPolicy } from './routes';
import { servicePolicy } from './services';

export * from './model';
export { SECRET_NAME_PATTERN, TEMPLATE_KINDS } from './pods';

/**
 * Every admission policy of one environment, in output order: the namespace, pods and pod
 * templates, Services, the edge (Ingress, HTTPRoute, the Traefik allow-list, other route kinds),
 * NetworkPolicies.
 */
export function admissionPolicies(inputs: AdmissionInputs): PolicyDefinition[] {
  const policies: Array<PolicyDefinition | undefined> = [
    namespacePolicy(inputs),
    ...podPolicies(inputs),
    servicePolicy(),
    ingressPolicy(inputs),
    httpRoutePolicy(inputs),
    allowListPolicy(inputs),
    otherRoutesPolicy(),
    networkPolicyPolicy(inputs),
  ];
  return policies.filter((p): p is PolicyDefinition => p !== undefined);
}
