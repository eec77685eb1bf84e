import { MONITORING_CRD_KINDS } from './monitoring-crds';
import { anyObject, anything, arr, bool, int, map, model, obj, oneOf, SchemaNode, str } from './types';

/**
 * Structural schemas of the custom resources the stack renders, written from the upstream CRDs
 * (External Secrets v1, cert-manager v1, Gateway API v1, Traefik v1alpha1, Envoy Gateway v1alpha1, Argo CD v1alpha1). They
 * describe the served versions, the required fields and the fields the validator's rules read;
 * subtrees nobody reads are accepted as any mapping.
 */

const objectMeta = model('V1ObjectMeta');
const root = (spec: SchemaNode, specRequired: boolean): SchemaNode =>
  obj({ apiVersion: str, kind: str, metadata: objectMeta, spec, status: anything }, specRequired ? ['spec'] : []);

const externalSecretSpec = obj({
  data: arr(
    obj(
      {
        remoteRef: obj(
          {
            conversionStrategy: oneOf('Default', 'Unicode'),
            decodingStrategy: oneOf('Auto', 'Base64', 'Base64URL', 'None'),
            key: str,
            metadataPolicy: oneOf('None', 'Fetch'),
            nullBytePolicy: oneOf('Ignore', 'Fail'),
            property: str,
            version: str,
          },
          ['key'],
        ),
        secretKey: str,
        sourceRef: anyObject,
      },
      ['remoteRef', 'secretKey'],
    ),
  ),
  dataFrom: arr(anyObject),
  refreshInterval: str,
  refreshPolicy: oneOf('CreatedOnce', 'Periodic', 'OnChange'),
  secretStoreRef: obj({ kind: oneOf('SecretStore', 'ClusterSecretStore'), name: str }),
  syncWindows: anyObject,
  target: obj({
    creationPolicy: oneOf('Owner', 'Orphan', 'Merge', 'None', 'CreateOrMerge'),
    deletionPolicy: oneOf('Delete', 'Merge', 'Retain'),
    immutable: bool,
    manifest: anyObject,
    name: str,
    template: anyObject,
  }),
});

const certificateSpec = obj(
  {
    additionalOutputFormats: arr(anyObject),
    commonName: str,
    dnsNames: arr(str),
    duration: str,
    emailAddresses: arr(str),
    encodeUsagesInRequest: bool,
    ipAddresses: arr(str),
    isCA: bool,
    issuerRef: obj({ group: str, kind: str, name: str }, ['name']),
    keystores: anyObject,
    literalSubject: str,
    nameConstraints: anyObject,
    otherNames: arr(anyObject),
    privateKey: obj({
      algorithm: oneOf('RSA', 'ECDSA', 'Ed25519'),
      encoding: oneOf('PKCS1', 'PKCS8'),
      rotationPolicy: oneOf('Never', 'Always'),
      size: int,
    }),
    renewBefore: str,
    renewBeforePercentage: int,
    renewal: anyObject,
    revisionHistoryLimit: int,
    secretName: str,
    secretTemplate: anyObject,
    signatureAlgorithm: str,
    subject: anyObject,
    uris: arr(str),
    usages: arr(str),
  },
  ['issuerRef', 'secretName'],
);

const secretObjectRef = obj({ group: str, kind: str, name: str, namespace: str }, ['name']);
const gatewaySpec = obj(
  {
    addresses: arr(anyObject),
    allowedListeners: anyObject,
    gatewayClassName: str,
    infrastructure: anyObject,
    listeners: arr(
      obj(
        {
          allowedRoutes: obj({ kinds: arr(anyObject), namespaces: anyObject }),
          hostname: str,
          name: str,
          port: int,
          protocol: str,
          tls: obj({ certificateRefs: arr(secretObjectRef), mode: oneOf('Terminate', 'Passthrough'), options: map(str) }),
        },
        ['name', 'port', 'protocol'],
      ),
    ),
    tls: anyObject,
  },
  ['gatewayClassName', 'listeners'],
);

const header = obj({ name: str, value: str }, ['name', 'value']);
const headerModifier = obj({ add: arr(header), remove: arr(str), set: arr(header) });
const httpRouteFilter = obj(
  {
    cors: anyObject,
    extensionRef: anyObject,
    requestHeaderModifier: headerModifier,
    requestMirror: anyObject,
    requestRedirect: obj({
      hostname: str,
      path: anyObject,
      port: int,
      scheme: oneOf('http', 'https'),
      statusCode: oneOf(301, 302, 303, 307, 308),
    }),
    responseHeaderModifier: headerModifier,
    type: oneOf('RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef', 'CORS'),
    urlRewrite: anyObject,
  },
  ['type'],
);
const httpRouteSpec = obj({
  hostnames: arr(str),
  parentRefs: arr(obj({ group: str, kind: str, name: str, namespace: str, port: int, sectionName: str }, ['name'])),
  rules: arr(
    obj({
      backendRefs: arr(
        obj({ filters: arr(httpRouteFilter), group: str, kind: str, name: str, namespace: str, port: int, weight: int }, ['name']),
      ),
      filters: arr(httpRouteFilter),
      matches: arr(
        obj({
          headers: arr(anyObject),
          method: str,
          path: obj({ type: oneOf('Exact', 'PathPrefix', 'RegularExpression'), value: str }),
          queryParams: arr(anyObject),
        }),
      ),
      name: str,
      timeouts: anyObject,
    }),
  ),
});

const middlewareSpec = obj(
  {
    headers: obj(
      {
        customRequestHeaders: map(str),
        customResponseHeaders: map(str),
        forceSTSHeader: bool,
        stsIncludeSubdomains: bool,
        stsPreload: bool,
        stsSeconds: int,
        contentSecurityPolicy: str,
        contentSecurityPolicyReportOnly: str,
        customFrameOptionsValue: str,
        frameDeny: bool,
        contentTypeNosniff: bool,
        referrerPolicy: str,
        permissionsPolicy: str,
        featurePolicy: str,
        sslRedirect: bool,
      },
      [],
      true,
    ),
    redirectScheme: obj({ permanent: bool, port: str, scheme: str }),
    ipAllowList: obj({ ipStrategy: anyObject, rejectStatusCode: int, sourceRange: arr(str) }),
    ipWhiteList: obj({ ipStrategy: anyObject, sourceRange: arr(str) }),
    chain: obj({ middlewares: arr(obj({ name: str, namespace: str }, ['name'])) }),
  },
  [],
  true,
);

const tlsOptionSpec = obj({
  alpnProtocols: arr(str),
  cipherSuites: arr(str),
  clientAuth: obj({
    clientAuthType: oneOf('NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'),
    secretNames: arr(str),
  }),
  curvePreferences: arr(str),
  disableSessionTickets: bool,
  maxVersion: str,
  minVersion: str,
  preferServerCipherSuites: bool,
  sniStrict: bool,
});

/** Envoy Gateway's ClientTrafficPolicy: the target references and the TLS settings; the other settings are not read. */
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

const applicationSpec = obj(
  {
    destination: obj({ name: str, namespace: str, server: str }),
    ignoreDifferences: arr(anyObject),
    info: arr(anyObject),
    project: str,
    revisionHistoryLimit: int,
    source: obj({ repoURL: str, path: str, targetRevision: str }, ['repoURL'], true),
    sourceHydrator: anyObject,
    sources: arr(obj({ repoURL: str }, ['repoURL'], true)),
    syncPolicy: anyObject,
  },
  ['destination', 'project'],
);

const appProjectSpec = obj(
  {
    clusterResourceBlacklist: arr(anyObject),
    clusterResourceWhitelist: arr(anyObject),
    description: str,
    destinationServiceAccounts: arr(anyObject),
    destinations: arr(obj({ name: str, namespace: str, server: str })),
    namespaceResourceBlacklist: arr(anyObject),
    namespaceResourceWhitelist: arr(anyObject),
    orphanedResources: anyObject,
    permitOnlyProjectScopedClusters: bool,
    roles: arr(anyObject),
    signatureKeys: arr(anyObject),
    sourceIntegrity: anyObject,
    sourceNamespaces: arr(str),
    sourceRepos: arr(str),
    syncWindows: arr(anyObject),
  },
  [],
);

const applicationSetSpec = obj(
  {
    applyNestedSelectors: bool,
    generators: arr(anyObject),
    goTemplate: bool,
    goTemplateOptions: arr(str),
    ignoreApplicationDifferences: arr(anyObject),
    preservedFields: anyObject,
    strategy: anyObject,
    syncPolicy: anyObject,
    template: anyObject,
    templatePatch: str,
  },
  ['generators', 'template'],
);

const storeSpec = obj({ provider: anyObject, controller: str, refreshInterval: int, retrySettings: anyObject, conditions: arr(anyObject) }, [], true);

/** CRD kinds: kind -> served apiVersion -> schema of the whole object. */
export const CRD_KINDS: Record<string, Record<string, SchemaNode>> = {
  ExternalSecret: { 'external-secrets.io/v1': root(externalSecretSpec, false) },
  SecretStore: { 'external-secrets.io/v1': root(storeSpec, false) },
  ClusterSecretStore: { 'external-secrets.io/v1': root(storeSpec, false) },
  Certificate: { 'cert-manager.io/v1': root(certificateSpec, true) },
  Gateway: { 'gateway.networking.k8s.io/v1': root(gatewaySpec, true), 'gateway.networking.k8s.io/v1beta1': root(gatewaySpec, true) },
  HTTPRoute: { 'gateway.networking.k8s.io/v1': root(httpRouteSpec, true), 'gateway.networking.k8s.io/v1beta1': root(httpRouteSpec, true) },
  GatewayClass: {
    'gateway.networking.k8s.io/v1': root(obj({ controllerName: str, description: str, parametersRef: anyObject }, ['controllerName']), true),
  },
  ReferenceGrant: {
    'gateway.networking.k8s.io/v1beta1': root(obj({ from: arr(anyObject), to: arr(anyObject) }, ['from', 'to']), true),
    'gateway.networking.k8s.io/v1': root(obj({ from: arr(anyObject), to: arr(anyObject) }, ['from', 'to']), true),
  },
  Middleware: { 'traefik.io/v1alpha1': obj({ apiVersion: str, kind: str, metadata: objectMeta, spec: middlewareSpec }, ['metadata', 'spec']) },
  TLSOption: { 'traefik.io/v1alpha1': obj({ apiVersion: str, kind: str, metadata: objectMeta, spec: tlsOptionSpec }, ['metadata', 'spec']) },
  ClientTrafficPolicy: { 'gateway.envoyproxy.io/v1alpha1': root(clientTrafficPolicySpec, true) },
  Application: {
    'argoproj.io/v1alpha1': obj(
      { apiVersion: str, kind: str, metadata: objectMeta, spec: applicationSpec, operation: anything, status: anything },
      ['metadata', 'spec'],
    ),
  },
  AppProject: { 'argoproj.io/v1alpha1': obj({ apiVersion: str, kind: str, metadata: objectMeta, spec: appProjectSpec, status: anything }, ['metadata', 'spec']) },
  ApplicationSet: { 'argoproj.io/v1alpha1': root(applicationSetSpec, true) },
  ...MONITORING_CRD_KINDS,
};

