import { httpRouteHostnames, httpRouteRules, isRecord, list, LoadedObject, str, stringMap } from '../../manifests';
import type { ValidationContext } from '../context';
import { ingressRoutes, serviceComponents } from './routes';

/** Response headers the applications set and the edge must pass through (SPEC §2 rule 3). */
export const SECURITY_HEADERS = ['Content-Security-Policy', 'X-Content-Type-Options', 'X-Frame-Options'];

/** HSTS as a route applies it. */
export interface Hsts {
  readonly maxAge?: number;
  readonly includeSubDomains: boolean;
  /** Where it comes from, for messages. */
  readonly source: string;
}

/**
 * One way a request reaches (or is turned away from) the cluster through the edge: a host and
 * path on one scheme, and what happens to it.
 */
export interface EdgeRoute {
  readonly object: LoadedObject;
  /** Location of the route inside the object. */
  readonly path: (string | number)[];
  /** Host name (undefined: any host). */
  readonly host?: string;
  readonly urlPath: string;
  readonly pathType: string;
  readonly scheme: 'http' | 'https';
  /** For https routes: whether a certificate for the host is configured (not a default one). */
  readonly certificate: boolean;
  /** Whether the request is redirected to https instead of reaching the backend. */
  readonly redirectsToHttps: boolean;
  /** Backend Service, when the route forwards. */
  readonly service?: string;
  /** Components behind the backend. */
  readonly components: readonly string[];
  readonly hsts?: Hsts;
  /** Source CIDRs the route is restricted to; undefined when open to everyone. */
  readonly allowList?: readonly string[];
  /** Security headers the edge removes or blanks on this route. */
  readonly strippedHeaders: readonly string[];
}

/** Every edge route of the environment's namespace, by object. */
export interface EdgeModel {
  readonly routes: readonly EdgeRoute[];
  readonly byObject: ReadonlyMap<LoadedObject, EdgeRoute[]>;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

function parseHstsHeader(value: string, source: string): Hsts {
  const m = /max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return { maxAge: m ? Number(m[1]) : undefined, includeSubDomains: /(^|;)\s*includesubdomains\s*(;|$)/i.test(value), source };
}

function strippedBySnippet(text: string): string[] {
  const out: string[] = [];
  for (const h of SECURITY_HEADERS) {
    const re = new RegExp(`(proxy_hide_header|more_clear_headers)[^;]*\\b${h}\\b`, 'i');
    if (re.test(text)) out.push(h);
  }
  return out;
}

function backendsComponents(ctx: ValidationContext, ns: string, service: string): string[] {
  const svc = ctx.objects.get('Service', ns, service);
  return svc ? [...serviceComponents(ctx, svc)].sort() : [];
}

/** F5 NGINX Ingress Controller semantics of one Ingress. */
function nginxRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ann = stringMap(o.object.metadata?.annotations);
  const ns = ctx.objects.namespaceOf(o);
  const tlsHosts = new Set(list(o.object.spec?.tls).flatMap((t) => (isRecord(t) ? list(t.hosts).filter((h): h is string => typeof h === 'string') : [])));
  const redirect = (truthy(ann['nginx.org/redirect-to-https']) || truthy(ann['ingress.kubernetes.io/ssl-redirect'])) && ann['ingress.kubernetes.io/ssl-redirect']?.trim().toLowerCase() !== 'false';
  const hsts: Hsts | undefined = truthy(ann['nginx.org/hsts'])
    ? {
        maxAge: ann['nginx.org/hsts-max-age'] !== undefined && /^\d+$/.test(ann['nginx.org/hsts-max-age'].trim()) ? Number(ann['nginx.org/hsts-max-age']) : undefined,
        includeSubDomains: truthy(ann['nginx.org/hsts-include-subdomains']),
        source: 'nginx.org/hsts annotations',
      }
    : undefined;
  const stripped = new Set<string>();
  for (const h of (ann['nginx.org/hide-headers'] ?? '').split(',').map((x) => x.trim().toLowerCase())) {
    const hit = SECURITY_HEADERS.find((s) => s.toLowerCase() === h);
    if (hit) stripped.add(hit);
  }
  for (const key of ['nginx.org/server-snippets', 'nginx.org/location-snippets']) for (const h of strippedBySnippet(ann[key] ?? '')) stripped.add(h);
  const allowList = nginxAllowList(ctx, ns, ann['nginx.org/policies']);
  const out: EdgeRoute[] = [];
  for (const b of ingressRoutes(o)) {
    const hosts = b.hosts.length > 0 ? b.hosts : [undefined];
    for (const host of hosts) {
      const tls = host !== undefined && tlsHosts.has(host);
      const common = { object: o, path: b.path, host, urlPath: b.urlPath, pathType: b.pathType, service: b.service, components: backendsComponents(ctx, ns, b.service), allowList, strippedHeaders: [...stripped] };
      if (tls) out.push({ ...common, scheme: 'https', certificate: true, redirectsToHttps: false, hsts });
      out.push({ ...common, scheme: 'http', certificate: false, redirectsToHttps: tls && redirect, hsts: undefined });
    }
  }
  return out;
}

/** Source ranges of F5 NGINX `Policy` objects with an access-control allow list. */
function nginxAllowList(ctx: ValidationContext, ns: string, policies: string | undefined): string[] | undefined {
  if (!policies) return undefined;
  let ranges: string[] | undefined;
  for (const ref of policies.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [pns, name] = ref.includes('/') ? ref.split('/', 2) : [ns, ref];
    const policy = ctx.objects.get('Policy', pns, name);
    const allow = list(policy?.object.spec?.accessControl?.allow).filter((x): x is string => typeof x === 'string');
    if (allow.length > 0) ranges = [...(ranges ?? []), ...allow];
  }
  return ranges;
}

/** Middlewares by the reference form `<namespace>-<name>@kubernetescrd`. */
function middlewareIndex(ctx: ValidationContext): Map<string, LoadedObject> {
  return ctx.memo('edge:middlewares', () => {
    const m = new Map<string, LoadedObject>();
    for (const o of ctx.objects.ofKind('Middleware')) {
      if (ctx.schema.isMalformed(o)) continue;
      m.set(`${ctx.objects.namespaceOf(o)}-${ctx.objects.nameOf(o)}@kubernetescrd`, o);
    }
    return m;
  });
}

interface MiddlewareEffect {
  redirectsToHttps: boolean;
  hsts?: Hsts;
  allowList?: string[];
  stripped: string[];
}

function middlewareEffect(ctx: ValidationContext, refs: string[], depth = 0): MiddlewareEffect {
  const index = middlewareIndex(ctx);
  const effect: MiddlewareEffect = { redirectsToHttps: false, stripped: [] };
  for (const ref of refs) {
    const mw = index.get(ref.includes('@') ? ref : `${ref}@kubernetescrd`);
    if (!mw) continue;
    const spec = mw.object.spec ?? {};
    if (isRecord(spec.redirectScheme) && str(spec.redirectScheme.scheme) === 'https') effect.redirectsToHttps = true;
    const headers = spec.headers;
    if (isRecord(headers)) {
      if (typeof headers.stsSeconds === 'number' && headers.stsSeconds > 0) {
        effect.hsts = { maxAge: headers.stsSeconds, includeSubDomains: headers.stsIncludeSubdomains === true, source: `Middleware ${ctx.objects.nameOf(mw)}` };
      }
      const custom = isRecord(headers.customResponseHeaders) ? headers.customResponseHeaders : {};
      for (const [k, v] of Object.entries(custom)) {
        const hit = SECURITY_HEADERS.find((h) => h.toLowerCase() === k.toLowerCase());
        if (hit && (v === '' || v === null)) effect.stripped.push(hit);
        if (k.toLowerCase() === 'strict-transport-security' && typeof v === 'string' && v !== '') {
          effect.hsts = parseHstsHeader(v, `Middleware ${ctx.objects.nameOf(mw)}`);
        }
      }
    }
    const allow = isRecord(spec.ipAllowList) ? spec.ipAllowList : isRecord(spec.ipWhiteList) ? spec.ipWhiteList : undefined;
    if (allow) effect.allowList = list(allow.sourceRange).filter((x): x is string => typeof x === 'string');
    if (isRecord(spec.chain) && depth < 5) {
      const mwNs = ctx.objects.namespaceOf(mw);
      const inner = middlewareEffect(
        ctx,
        list(spec.chain.middlewares)
          .filter(isRecord)
          .map((x) => `${str(x.namespace) ?? mwNs}-${str(x.name)}@kubernetescrd`),
        depth + 1,
      );
      effect.redirectsToHttps ||= inner.redirectsToHttps;
      effect.hsts ??= inner.hsts;
      effect.allowList ??= inner.allowList;
      effect.stripped.push(...inner.stripped);
    }
  }
  return effect;
}

/** Traefik (kubernetes ingress provider) semantics of one Ingress. */
function traefikRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ann = stringMap(o.object.metadata?.annotations);
  const ns = ctx.objects.namespaceOf(o);
  const tlsHosts = new Set(list(o.object.spec?.tls).flatMap((t) => (isRecord(t) ? list(t.hosts).filter((h): h is string => typeof h === 'string') : [])));
  const routerTls = truthy(ann['traefik.ingress.kubernetes.io/router.tls']) || tlsHosts.size > 0;
  const entrypoints = (ann['traefik.ingress.kubernetes.io/router.entrypoints'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const refs = (ann['traefik.ingress.kubernetes.io/router.middlewares'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const effect = middlewareEffect(ctx, refs);
  const out: EdgeRoute[] = [];
  for (const b of ingressRoutes(o)) {
    const hosts = b.hosts.length > 0 ? b.hosts : [undefined];
    for (const host of hosts) {
      const common = {
        object: o,
        path: b.path,
        host,
        urlPath: b.urlPath,
        pathType: b.pathType,
        service: b.service,
        components: backendsComponents(ctx, ns, b.service),
        allowList: effect.allowList,
        strippedHeaders: effect.stripped,
      };
      if (routerTls) {
        // A TLS router only answers TLS requests; it has a host certificate when spec.tls names the host.
        out.push({ ...common, scheme: 'https', certificate: host !== undefined && tlsHosts.has(host), redirectsToHttps: false, hsts: effect.hsts });
      } else if (entrypoints.length === 0 || entrypoints.some((e) => e !== 'websecure')) {
        out.push({ ...common, scheme: 'http', certificate: false, redirectsToHttps: effect.redirectsToHttps, hsts: undefined });
      }
    }
  }
  return out;
}

interface Listener {
  readonly gateway: LoadedObject;
  readonly name: string;
  readonly protocol: string;
  readonly hostname?: string;
  readonly port: number;
  readonly hasCertificate: boolean;
}

function hostMatches(pattern: string | undefined, host: string): boolean {
  if (pattern === undefined) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Gateway API semantics of one HTTPRoute attached to Gateways in the manifests. */
function gatewayRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ns = ctx.objects.namespaceOf(o);
  const hostnames = httpRouteHostnames(o.object);
  const listeners: Listener[] = [];
  for (const ref of list(o.object.spec?.parentRefs)) {
    if (!isRecord(ref) || typeof ref.name !== 'string') continue;
    if ((str(ref.kind) ?? 'Gateway') !== 'Gateway') continue;
    const gw = ctx.objects.get('Gateway', str(ref.namespace) ?? ns, ref.name);
    if (!gw || ctx.schema.isMalformed(gw)) continue;
    for (const l of list(gw.object.spec?.listeners)) {
      if (!isRecord(l)) continue;
      if (typeof ref.sectionName === 'string' && l.name !== ref.sectionName) continue;
      if (typeof ref.port === 'number' && l.port !== ref.port) continue;
      const tls = isRecord(l.tls) ? l.tls : undefined;
      listeners.push({
        gateway: gw,
        name: str(l.name) ?? '',
        protocol: str(l.protocol) ?? '',
        hostname: str(l.hostname),
        port: typeof l.port === 'number' ? l.port : 0,
        hasCertificate: !!tls && (str(tls.mode) ?? 'Terminate') === 'Terminate' && list(tls.certificateRefs).length > 0,
      });
    }
  }
  const out: EdgeRoute[] = [];
  for (const rule of httpRouteRules(o.object)) {
    let redirect = false;
    let hsts: Hsts | undefined;
    const stripped: string[] = [];
    const modifiers: Record<string, any>[] = [];
    for (const f of rule.filters) {
      if (f.type === 'RequestRedirect' && isRecord(f.requestRedirect) && f.requestRedirect.scheme === 'https') redirect = true;
      if (f.type === 'ResponseHeaderModifier' && isRecord(f.responseHeaderModifier)) modifiers.push(f.responseHeaderModifier);
    }
    for (const m of modifiers) {
      for (const h of [...list(m.set), ...list(m.add)]) {
        if (!isRecord(h) || typeof h.name !== 'string') continue;
        if (h.name.toLowerCase() === 'strict-transport-security' && typeof h.value === 'string') hsts = parseHstsHeader(h.value, 'ResponseHeaderModifier filter');
        const hit = SECURITY_HEADERS.find((s) => s.toLowerCase() === h.name.toLowerCase());
        if (hit && h.value === '') stripped.push(hit);
      }
      for (const r of list(m.remove)) {
        const hit = SECURITY_HEADERS.find((s) => typeof r === 'string' && s.toLowerCase() === r.toLowerCase());
        if (hit) stripped.push(hit);
      }
    }
    for (const l of listeners) {
      const scheme: 'http' | 'https' | undefined = l.protocol === 'HTTPS' ? 'https' : l.protocol === 'HTTP' ? 'http' : undefined;
      if (!scheme) continue;
      const hosts = hostnames.length > 0 ? hostnames.filter((h) => hostMatches(l.hostname, h) || hostMatches(h, l.hostname ?? h)) : [l.hostname];
      const targets =
        rule.backends.length > 0
          ? rule.backends.flatMap((b) => rule.matches.map((m) => ({ service: b.service, urlPath: m.value, pathType: m.type, path: b.servicePath })))
          : rule.matches.map((m) => ({ service: undefined, urlPath: m.value, pathType: m.type, path: ['spec', 'rules', rule.index] }));
      for (const host of hosts) {
        for (const b of targets) {
          out.push({
            object: o,
            path: b.path as (string | number)[],
            host,
            urlPath: b.urlPath,
            pathType: b.pathType,
            scheme,
            certificate: scheme === 'https' && l.hasCertificate,
            redirectsToHttps: redirect,
            service: redirect ? undefined : b.service,
            components: !redirect && b.service ? backendsComponents(ctx, ns, b.service) : [],
            hsts: scheme === 'https' ? hsts : undefined,
            strippedHeaders: stripped,
          });
        }
      }
    }
  }
  return out;
}

/** The edge of the environment's namespace under its configured profile (memoised). */
export function edgeModel(ctx: ValidationContext): EdgeModel {
  return ctx.memo('edge:model', () => {
    const routes: EdgeRoute[] = [];
    const byObject = new Map<LoadedObject, EdgeRoute[]>();
    const profile = ctx.env.edge.profile;
    const add = (o: LoadedObject, rs: EdgeRoute[]) => {
      routes.push(...rs);
      byObject.set(o, rs);
    };
    for (const o of ctx.objects.ofKind('Ingress')) {
      if (ctx.schema.isMalformed(o)) continue;
      add(o, profile === 'traefik' ? traefikRoutes(ctx, o) : nginxRoutes(ctx, o));
    }
    for (const o of ctx.objects.ofKind('HTTPRoute')) {
      if (ctx.schema.isMalformed(o)) continue;
      add(o, gatewayRoutes(ctx, o));
    }
    return { routes, byObject };
  });
}

/** Whether a route hands requests to a backend (rather than redirecting). */
export function forwards(r: EdgeRoute): boolean {
  return !r.redirectsToHttps && r.service !== undefined;
}
