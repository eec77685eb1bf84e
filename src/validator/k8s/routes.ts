import type { V1Service } from '@kubernetes/client-node';
import { httpRouteHostnames, httpRouteRules, ingressBackends, isRecord, LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';

/** A backend a route sends requests to, for the requests it is routed for. */
export interface RouteBackend {
  readonly service: string;
  /** Namespace of the Service (the route's own unless an HTTPRoute backendRef names one). */
  readonly namespace?: string;
  /** Port number or name, when given. */
  readonly port?: number | string;
  /** Where the route names the Service (findings point there). */
  readonly path: (string | number)[];
  /** URL path prefix/exact the backend is routed for (`/` when none). */
  readonly urlPath: string;
  readonly pathType: string;
  /** Host names the backend is routed for (empty: every host). */
  readonly hosts: readonly string[];
}

/** Backends of an Ingress (both backend forms): every rule path and the default backend. */
export function ingressRoutes(o: LoadedObject): RouteBackend[] {
  return ingressBackends(o.object).map((b) => ({ ...b, path: b.servicePath }));
}

/**
 * Backends of an HTTPRoute, one per backendRef and path match (a rule without matches is
 * routed for every path).
 */
export function httpRouteBackends(o: LoadedObject): RouteBackend[] {
  const hosts = httpRouteHostnames(o.object);
  return httpRouteRules(o.object).flatMap((rule) =>
    rule.backends.flatMap((b) => rule.matches.map((m) => ({ ...b, path: b.servicePath, urlPath: m.value, pathType: m.type, hosts }))),
  );
}

/** Backends of a route object (Ingress or HTTPRoute); other kinds have none. */
export function routeBackends(o: LoadedObject): RouteBackend[] {
  if (o.object.kind === 'Ingress') return ingressRoutes(o);
  if (o.object.kind === 'HTTPRoute') return httpRouteBackends(o);
  return [];
}

/**
 * Components behind a Service: those whose pods its selector picks, plus its own
 * `app.kubernetes.io/name` label.
 */
export function serviceComponents(ctx: ValidationContext, svc: LoadedObject): Set<string> {
  const out = new Set<string>();
  const s = svc.object as V1Service;
  const own = s.metadata?.labels?.['app.kubernetes.io/name'];
  if (typeof own === 'string') out.add(own);
  if (isRecord(s.spec?.selector) && Object.keys(s.spec.selector).length > 0) {
    for (const t of ctx.pods.selectByLabels(ctx.objects.namespaceOf(svc), s.spec.selector)) if (t.component) out.add(t.component);
  }
  return out;
}

/** Whether a route path reaches `target` (e.g. `/admin`): `/`, `/admin`, `/admin/x` (Prefix) do. */
export function pathReaches(routePath: string, pathType: string, target: string, ignoreCase = false): boolean {
  // A regular-expression or implementation-specific path without metacharacters is a prefix.
  const pattern = (pathType === 'RegularExpression' || pathType === 'ImplementationSpecific') && /[\\^$.*+?()[\]{}|]/.test(routePath);
  if (pattern) {
    if (routePath === '/' || routePath === '' || routePath === '/.*' || routePath === '.*') return true;
    try {
      const re = new RegExp(`^${routePath}`, ignoreCase ? 'i' : '');
      return re.test(target) || re.test(`${target}/`);
    } catch {
      return ignoreCase ? routePath.toLowerCase().startsWith(target.toLowerCase()) : routePath.startsWith(target);
    }
  }
  if (ignoreCase) return pathReaches(routePath.toLowerCase(), pathType, target.toLowerCase());
  const p = routePath === '' ? '/' : routePath;
  if (pathType === 'Exact') return p === target || p.startsWith(`${target}/`);
  // Prefix matching is element-wise: `/` covers everything, `/ad` does not cover `/admin`.
  const trimmed = p.endsWith('/') && p.length > 1 ? p.slice(0, -1) : p;
  if (trimmed === '/') return true;
  return target === trimmed || target.startsWith(`${trimmed}/`) || trimmed.startsWith(`${target}/`) || trimmed === target;
}
