import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';
import { isRecord, list, str } from './util';

/** A backend a route sends traffic to, with where it is written. */
export interface RouteBackend {
  readonly service: string;
  /** Port number or name, when given. */
  readonly port?: number | string;
  readonly path: (string | number)[];
  /** URL path prefix/exact the backend is routed for (`/` when none). */
  readonly urlPath: string;
  readonly pathType: string;
  /** Host names the backend is routed for (empty: every host). */
  readonly hosts: readonly string[];
}

/** Backends of an Ingress: every rule path and the default backend. */
export function ingressBackends(o: LoadedObject): RouteBackend[] {
  const ing = o.object as V1Ingress;
  const out: RouteBackend[] = [];
  const def = ing.spec?.defaultBackend;
  if (isRecord(def) && isRecord(def.service) && typeof def.service.name === 'string') {
    out.push({
      service: def.service.name,
      port: def.service.port?.number ?? def.service.port?.name,
      path: ['spec', 'defaultBackend'],
      urlPath: '/',
      pathType: 'Prefix',
      hosts: [],
    });
  }
  list(ing.spec?.rules).forEach((rule, ri) => {
    if (!isRecord(rule)) return;
    const hosts = typeof rule.host === 'string' ? [rule.host] : [];
    list(rule.http?.paths).forEach((p, pi) => {
      const svc = isRecord(p) ? p.backend?.service : undefined;
      if (!isRecord(svc) || typeof svc.name !== 'string') return;
      out.push({
        service: svc.name,
        port: svc.port?.number ?? svc.port?.name,
        path: ['spec', 'rules', ri, 'http', 'paths', pi, 'backend', 'service'],
        urlPath: str(p.path) ?? '/',
        pathType: str(p.pathType) ?? 'Prefix',
        hosts,
      });
    });
  });
  return out;
}

/** One rule of an HTTPRoute with its path matches and Service backends. */
export interface HttpRouteRule {
  readonly index: number;
  readonly matches: { readonly type: string; readonly value: string }[];
  readonly filters: readonly Record<string, any>[];
  readonly backends: RouteBackend[];
}

/** Rules of an HTTPRoute; a rule without matches matches every path (`PathPrefix /`). */
export function httpRouteRules(o: LoadedObject): HttpRouteRule[] {
  const spec = o.object.spec;
  const hosts = list(spec?.hostnames).filter((h): h is string => typeof h === 'string');
  const out: HttpRouteRule[] = [];
  list(spec?.rules).forEach((rule, ri) => {
    if (!isRecord(rule)) return;
    const matches = list(rule.matches)
      .filter(isRecord)
      .map((m) => ({ type: str(m.path?.type) ?? 'PathPrefix', value: str(m.path?.value) ?? '/' }));
    if (matches.length === 0) matches.push({ type: 'PathPrefix', value: '/' });
    const backends: RouteBackend[] = [];
    list(rule.backendRefs).forEach((b, bi) => {
      if (!isRecord(b) || typeof b.name !== 'string') return;
      const kind = str(b.kind) ?? 'Service';
      const group = str(b.group) ?? '';
      if (kind !== 'Service' || group !== '') return;
      for (const m of matches) {
        backends.push({
          service: b.name,
          port: typeof b.port === 'number' ? b.port : undefined,
          path: ['spec', 'rules', ri, 'backendRefs', bi],
          urlPath: m.value,
          pathType: m.type,
          hosts,
        });
      }
    });
    out.push({ index: ri, matches, filters: list(rule.filters).filter(isRecord), backends });
  });
  return out;
}

/** Backends of a route object (Ingress or HTTPRoute); other kinds have none. */
export function routeBackends(o: LoadedObject): RouteBackend[] {
  if (o.object.kind === 'Ingress') return ingressBackends(o);
  if (o.object.kind === 'HTTPRoute') return httpRouteRules(o).flatMap((r) => r.backends);
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
    for (const t of ctx.selectTemplatesByMap(ctx.namespaceOf(svc), s.spec.selector)) if (t.component) out.add(t.component);
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
