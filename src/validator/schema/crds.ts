import { anyObject, anything, arr, model, obj, oneOf, SchemaNode, str } from './types';

/**
 * Structural schemas written by hand, for the custom resources the validator reads whose upstream
 * CRD is not among the copies the others are generated from (`crd-models.json`, see
 * `generate-crds.ts`): Envoy Gateway's ClientTrafficPolicy, of which only the target references
 * and the TLS settings are described. Prefer adding the CRD to `CRD_FILES` over extending this.
 */

const objectMeta = model('V1ObjectMeta');

const policyTargetRef = obj({ group: str, kind: str, name: str, sectionName: str }, ['group', 'kind', 'name']);
const envoyTlsVersion = oneOf('Auto', '1.0', '1.1', '1.2', '1.3');
const clientTrafficPolicySpec = obj(
  {
    targetRef: policyTargetRef,
    targetRefs: arr(policyTargetRef),
    targetSelectors: arr(anyObject),
    tls: obj({ minVersion: envoyTlsVersion, maxVersion: envoyTlsVersion, ciphers: arr(str) }, [], true),
  },
  [],
  true,
);

/** Hand-written CRD kinds: kind -> served apiVersion -> schema of the whole object. */
export const HAND_WRITTEN_CRD_KINDS: Record<string, Record<string, SchemaNode>> = {
  ClientTrafficPolicy: {
    'gateway.envoyproxy.io/v1alpha1': obj({ apiVersion: str, kind: str, metadata: objectMeta, spec: clientTrafficPolicySpec, status: anything }, ['spec']),
  },
};
