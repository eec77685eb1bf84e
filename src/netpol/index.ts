/**
 * NetworkPolicy evaluation: data in (loaded manifests), data out (allowed connections). Nothing
 * here prints.
 *
 * ```ts
 * const index = buildPolicyIndex(loadManifests('dist/production'));
 * const api = index.workload('ctis-production/api[Deployment]')!.pods[0];
 * const stray = index.pod({ namespace: 'ctis-production', labels: { app: 'stray' } });
 * index.allows(stray, api, 'TCP', 8080);          // false with default-deny
 * index.egressToExternal(api);                     // [{ id: '10.0.0.0-10.255.255.255', conns }]
 * index.outsideEndpoints();                       // pods outside the manifests, e.g. {other-namespace}
 * analyzeConnectivity(objects).connections;        // every allowed { src, dst, conns }
 * ```
 */
export { ConnectionSet, PROTOCOLS, MIN_PORT, MAX_PORT } from './connection-set';
export type { Protocol, PortRange } from './connection-set';
export {
  parseAddress,
  parseCidr,
  parseRange,
  formatAddress,
  formatRange,
  compareRanges,
  rangeContains,
  rangesOverlap,
  subtractRanges,
  sweep,
  wholeSpace,
} from './ip';
export type { IpRange, RangeValue } from './ip';
export { Selector } from './selector';
export type { Labels, LabelSelector, LabelSelectorRequirement, SelectorAnchor } from './selector';
export type {
  NamedPort,
  PodEndpoint,
  ExternalEndpoint,
  Endpoint,
  Workload,
  WorkloadKind,
  ObjectRef,
  Direction,
  PolicyInfo,
  Warning,
  ExternalConnection,
} from './types';
export {
  PolicyIndex,
  buildPolicyIndex,
  mergeExternal,
  DEFAULT_INGRESS_CONTROLLER,
  INGRESS_CONTROLLER_ID,
  OTHER_NAMESPACE_ID,
} from './engine';
export type { Admission, PolicyIndexOptions, IngressControllerOptions, HypotheticalPod, RouteTarget, OutsideEndpoint, OutsideSpec, SideExplanation } from './engine';
export {
  analyzeConnectivity,
  computeConnectivity,
  compareNodes,
  compareConnections,
  nodeKindOf,
  nodeOf,
} from './connectivity';
export type { NodeKind, ConnectivityNode, Connection, ConnectionEnds, ConnectivityReport } from './connectivity';
