/**
 * How a route names its backend: Ingress (`networking.k8s.io/v1` `service.name`/`service.port`,
 * and the older `serviceName`/`servicePort` with `spec.backend`) and Gateway API HTTPRoute
 * `backendRefs`. Every reader of routes goes through here.
 */
import { at, Fields, isRecord, list, records, str } from './fields';

type Path = (string | number)[];

/** A Service a route sends traffic to, with where the route names it. */
export interface BackendRef {
  readonly service: string;
  /** Namespace of the Service when the route names one (HTTPRoute); else the route's own. */
  readonly namespace?: string;
  /** Service port number or name; undefined means every port of the Service. */
  readonly port?: number | string;
  /** Path of the backend inside the route object (`spec.rules[i].http.paths[j].backend`, `spec.rules[i].backendRefs[j]`). */
  readonly path: Path;
  /** Path of the field that names the Service (`...backend.service`, `...backend.serviceName`, `...backendRefs[j]`). */
  readonly servicePath: Path;
}

/** An Ingress backend with the requests it is routed for. */
export interface IngressBackend extends BackendRef {
  /** URL path the backend is routed for (`/` for the default backend or a rule without a path). */
  readonly urlPath: string;
  readonly pathType: string;
  /** Host names the backend is routed for (empty: every host). */
  readonly hosts: readonly string[];
}

function portOf(v: unknown): number | string | undefined {
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

/** The Service an Ingress backend names, in either form; undefined for a resource backend. */
function ingressService(b: unknown, path: Path): BackendRef | undefined {
  if (!isRecord(b)) return undefined;
  if (isRecord(b.service) && typeof b.service.name === 'string') {
    const port = portOf(at(b.service, ['port', 'number'])) ?? portOf(at(b.service, ['port', 'name']));
    return { service: b.service.name, ...(port !== undefined ? { port } : {}), path, servicePath: [...path, 'service'] };
  }
  if (typeof b.serviceName === 'string') {
    const port = portOf(b.servicePort);
    return { service: b.serviceName, ...(port !== undefined ? { port } : {}), path, servicePath: [...path, 'serviceName'] };
  }
  return undefined;
}

/** Backends of an Ingress: the default backend (`spec.defaultBackend`, or `spec.backend`) and every rule path. */
export function ingressBackends(obj: unknown): IngressBackend[] {
  const specValue = at(obj, ['spec']);
  const spec = isRecord(specValue) ? specValue : {};
  const out: IngressBackend[] = [];
  const defField = spec.defaultBackend !== undefined && spec.defaultBackend !== null ? 'defaultBackend' : 'backend';
  const def = ingressService(spec[defField], ['spec', defField]);
  if (def) out.push({ ...def, urlPath: '/', pathType: 'Prefix', hosts: [] });
  list(spec.rules).forEach((rule, ri) => {
    if (!isRecord(rule)) return;
    const hosts = typeof rule.host === 'string' ? [rule.host] : [];
    for (const { item: p, index: pi } of records(at(rule, ['http', 'paths']))) {
      const b = ingressService(p.backend, ['spec', 'rules', ri, 'http', 'paths', pi, 'backend']);
      if (b) out.push({ ...b, urlPath: str(p.path) ?? '/', pathType: str(p.pathType) ?? 'Prefix', hosts });
    }
  });
  return out;
}

/** One rule of an HTTPRoute: its path matches, filters and Service backends. */
export interface HttpRouteRule {
  readonly index: number;
  /** Path matches; a rule without matches matches every path (`PathPrefix /`). */
  readonly matches: readonly { readonly type: string; readonly value: string }[];
  readonly filters: readonly Fields[];
  /** The `backendRefs` that name a Service (core group, kind Service). */
  readonly backends: readonly BackendRef[];
}

/** Rules of a Gateway API HTTPRoute. */
export function httpRouteRules(obj: unknown): HttpRouteRule[] {
  const out: HttpRouteRule[] = [];
  list(at(obj, ['spec', 'rules'])).forEach((rule, ri) => {
    if (!isRecord(rule)) return;
    const matches = list(rule.matches)
      .filter(isRecord)
      .map((m) => ({ type: str(at(m, ['path', 'type'])) ?? 'PathPrefix', value: str(at(m, ['path', 'value'])) ?? '/' }));
    if (matches.length === 0) matches.push({ type: 'PathPrefix', value: '/' });
    const backends: BackendRef[] = [];
    list(rule.backendRefs).forEach((b, bi) => {
      if (!isRecord(b) || typeof b.name !== 'string') return;
      if ((str(b.kind) ?? 'Service') !== 'Service' || (str(b.group) ?? '') !== '') return;
      const path = ['spec', 'rules', ri, 'backendRefs', bi];
      const port = portOf(b.port);
      const namespace = str(b.namespace);
      backends.push({
        service: b.name,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(port !== undefined ? { port } : {}),
        path,
        servicePath: path,
      });
    });
    out.push({ index: ri, matches, filters: list(rule.filters).filter(isRecord), backends });
  });
  return out;
}

/** The host names an HTTPRoute is attached for (empty: every host of its listeners). */
export function httpRouteHostnames(obj: unknown): string[] {
  return list(at(obj, ['spec', 'hostnames'])).filter((h): h is string => typeof h === 'string');
}

/** Whether an object is a route this module reads: an Ingress or a Gateway API HTTPRoute. */
export function isRoute(obj: unknown): boolean {
  const apiVersion = at(obj, ['apiVersion']);
  const kind = at(obj, ['kind']);
  const api = typeof apiVersion === 'string' ? apiVersion : '';
  if (kind === 'Ingress') return /^(networking\.k8s\.io|extensions)\//.test(api);
  if (kind === 'HTTPRoute') return api.startsWith('gateway.networking.k8s.io/');
  return false;
}

/** Service backends of a route object (Ingress or HTTPRoute); other objects have none. */
export function routeBackends(obj: unknown): BackendRef[] {
  const kind = at(obj, ['kind']);
  if (kind === 'Ingress') return ingressBackends(obj);
  if (kind === 'HTTPRoute') return httpRouteRules(obj).flatMap((r) => r.backends);
  return [];
}

/** A path a route matches requests on, as written, with where it is written. */
export interface RoutePathMatch {
  /** The path as written; undefined where the field is absent. */
  readonly value: string | undefined;
  /** The match type as written (Ingress `pathType`, HTTPRoute `path.type`); undefined where absent. */
  readonly type: string | undefined;
  /** Path of the field that holds the path (`spec.rules[i].http.paths[j]`, `spec.rules[i].matches[j].path`). */
  readonly path: Path;
}

/**
 * The request paths an Ingress or HTTPRoute matches, exactly as written (no defaults applied, so
 * a reader can judge what the API server will be sent): every `spec.rules[].http.paths[]` of an
 * Ingress, every `spec.rules[].matches[].path` of an HTTPRoute.
 */
export function routePathMatches(obj: unknown): RoutePathMatch[] {
  const kind = at(obj, ['kind']);
  const out: RoutePathMatch[] = [];
  list(at(obj, ['spec', 'rules'])).forEach((rule, ri) => {
    if (!isRecord(rule)) return;
    if (kind === 'Ingress') {
      for (const { item: p, index: pi } of records(at(rule, ['http', 'paths']))) {
        out.push({ value: str(p.path), type: str(p.pathType), path: ['spec', 'rules', ri, 'http', 'paths', pi] });
      }
    } else if (kind === 'HTTPRoute') {
      for (const { item: m, index: mi } of records(rule.matches)) {
        if (!isRecord(m.path)) continue;
        out.push({ value: str(m.path.value), type: str(m.path.type), path: ['spec', 'rules', ri, 'matches', mi, 'path'] });
      }
    }
  });
  return out;
}
