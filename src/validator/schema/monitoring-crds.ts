import { anyObject, arr, bool, int, intOrString, map, model, obj, oneOf, SchemaNode, str } from './types';

/**
 * Structural schemas of the prometheus-operator kinds (`monitoring.coreos.com/v1`), written from
 * the upstream CRDs: the served version, the required fields, and the fields the operations
 * rules read; subtrees nobody reads are accepted as any mapping.
 */

const objectMeta = model('V1ObjectMeta');
const labelSelector = model('V1LabelSelector');
const namespaceSelector = obj({ any: bool, matchNames: arr(str) });

/** Fields a PodMonitor's and a ServiceMonitor's endpoints share. */
const endpointFields: Record<string, SchemaNode> = {
  authorization: anyObject,
  basicAuth: anyObject,
  bearerTokenSecret: anyObject,
  enableHttp2: bool,
  filterRunning: bool,
  followRedirects: bool,
  honorLabels: bool,
  honorTimestamps: bool,
  interval: str,
  metricRelabelings: arr(anyObject),
  noProxy: str,
  oauth2: anyObject,
  params: map(arr(str)),
  path: str,
  port: str,
  proxyConnectHeader: anyObject,
  proxyFromEnvironment: bool,
  proxyUrl: str,
  relabelings: arr(anyObject),
  scheme: oneOf('http', 'https', 'HTTP', 'HTTPS'),
  scrapeTimeout: str,
  targetPort: intOrString,
  tlsConfig: anyObject,
  trackTimestampsStaleness: bool,
};

/** Fields both monitor kinds share at the top of `spec`. */
const monitorFields: Record<string, SchemaNode> = {
  attachMetadata: anyObject,
  bodySizeLimit: str,
  convertClassicHistogramsToNHCB: bool,
  fallbackScrapeProtocol: str,
  jobLabel: str,
  keepDroppedTargets: int,
  labelLimit: int,
  labelNameLengthLimit: int,
  labelValueLengthLimit: int,
  namespaceSelector,
  nativeHistogramBucketLimit: int,
  nativeHistogramMinBucketFactor: intOrString,
  podTargetLabels: arr(str),
  sampleLimit: int,
  scrapeClass: str,
  scrapeClassicHistograms: bool,
  scrapeNativeHistograms: bool,
  scrapeProtocols: arr(str),
  selector: labelSelector,
  selectorMechanism: oneOf('RelabelConfig', 'RoleSelector'),
  targetLimit: int,
};

const podMonitorSpec = obj(
  { ...monitorFields, podMetricsEndpoints: arr(obj({ ...endpointFields, portNumber: int })) },
  ['selector'],
);
const serviceMonitorSpec = obj(
  {
    ...monitorFields,
    endpoints: arr(obj({ ...endpointFields, bearerTokenFile: str })),
    serviceDiscoveryRole: oneOf('Endpoints', 'EndpointSlice'),
    targetLabels: arr(str),
  },
  ['endpoints', 'selector'],
);
const prometheusRuleSpec = obj({
  groups: arr(
    obj(
      {
        interval: str,
        labels: map(str),
        limit: int,
        name: str,
        partial_response_strategy: str,
        query_offset: str,
        rules: arr(
          obj(
            { alert: str, annotations: map(str), expr: intOrString, for: str, keep_firing_for: str, labels: map(str), record: str },
            ['expr'],
          ),
        ),
      },
      ['name'],
    ),
  ),
});

const root = (spec: SchemaNode, specRequired: boolean): SchemaNode =>
  obj({ apiVersion: str, kind: str, metadata: objectMeta, spec, status: anyObject }, specRequired ? ['spec'] : []);

/** prometheus-operator kinds: kind -> served apiVersion -> schema of the whole object. */
export const MONITORING_CRD_KINDS: Record<string, Record<string, SchemaNode>> = {
  PodMonitor: { 'monitoring.coreos.com/v1': root(podMonitorSpec, true) },
  ServiceMonitor: { 'monitoring.coreos.com/v1': root(serviceMonitorSpec, true) },
  PrometheusRule: { 'monitoring.coreos.com/v1': root(prometheusRuleSpec, true) },
};
