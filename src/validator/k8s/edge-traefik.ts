import type { LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';
import { backendsComponents, EdgeHeaders, EdgeRoute, HeaderBuilder, Hsts, NO_HEADERS, parseHstsHeader, TlsLimit, TlsVersionName, truthy } from './edge-model';
import { ingressBackends } from './routes';
import { isRecord, list, str, stringMap } from './util';

/** Traefik (Kubernetes Ingress provider with the CRD provider's Middlewares and TLSOptions) semantics. */

const TLS_OPTIONS_ANNOTATION = 'traefik.ingress.kubernetes.io/router.tls.options';

/** Objects of a kind by Traefik's cross-provider reference `<namespace>-<name>@kubernetescrd`. */
function crdIndex(ctx: ValidationContext, kind: string): Map<string, LoadedObject> {
  return ctx.memo(`edge:traefik:${kind}`, () => {
    const m = new Map<string, LoadedObject>();
    for (const o of ctx.ofKind(kind)) {
      if (ctx.isMalformed(o)) continue;
      m.set(`${ctx.namespaceOf(o)}-${ctx.nameOf(o)}@kubernetescrd`, o);
    }
    return m;
  });
}

interface MiddlewareEffect {
  redirectsToHttps: boolean;
  hsts?: Hsts;
  allowList?: string[];
}

/** Flattens `chain` Middlewares into the list of Middlewares a router runs, in order. */
function expandChain(ctx: ValidationContext, refs: string[], depth = 0): LoadedObject[] {
  const index = crdIndex(ctx, 'Middleware');
  const out: LoadedObject[] = [];
  for (const ref of refs) {
    const mw = index.get(ref.includes('@') ? ref : `${ref}@kubernetescrd`);
    if (!mw) continue;
    out.push(mw);
    const chain = mw.object.spec?.chain;
    if (isRecord(chain) && depth < 5) {
      const mwNs = ctx.namespaceOf(mw);
      const inner = list(chain.middlewares)
        .filter(isRecord)
        .map((x) => `${str(x.namespace) ?? mwNs}-${str(x.name)}@kubernetescrd`);
      out.push(...expandChain(ctx, inner, depth + 1));
    }
  }
  return out;
}

function middlewareEffect(ctx: ValidationContext, chain: LoadedObject[]): MiddlewareEffect {
  const effect: MiddlewareEffect = { redirectsToHttps: false };
  // Responses pass the chain backwards: the first Middleware setting HSTS has the last word.
  for (const mw of [...chain].reverse()) {
    const spec = mw.object.spec ?? {};
    if (isRecord(spec.redirectScheme) && str(spec.redirectScheme.scheme) === 'https') effect.redirectsToHttps = true;
    const headers = spec.headers;
    if (isRecord(headers)) {
      if (typeof headers.stsSeconds === 'number' && headers.stsSeconds > 0) {
        effect.hsts = { maxAge: headers.stsSeconds, includeSubDomains: headers.stsIncludeSubdomains === true, source: `Middleware ${ctx.nameOf(mw)}` };
      }
      const custom = isRecord(headers.customResponseHeaders) ? headers.customResponseHeaders : {};
      for (const [k, v] of Object.entries(custom)) {
        if (k.toLowerCase() !== 'strict-transport-security') continue;
        effect.hsts = typeof v === 'string' && v !== '' ? parseHstsHeader(v, `Middleware ${ctx.nameOf(mw)}`) : undefined;
      }
    }
    const allow = isRecord(spec.ipAllowList) ? spec.ipAllowList : isRecord(spec.ipWhiteList) ? spec.ipWhiteList : undefined;
    if (allow) effect.allowList = list(allow.sourceRange).filter((x): x is string => typeof x === 'string');
  }
  return effect;
}

/**
 * Response headers of a router's Middlewares. Responses pass the Middlewares in reverse order, so
 * the first one listed has the last word; within one, `customResponseHeaders` (a value sets, `""`
 * removes) apply after the typed security fields.
 */
function middlewareHeaders(ctx: ValidationContext, chain: LoadedObject[]): EdgeHeaders {
  const b = new HeaderBuilder();
  for (const mw of [...chain].reverse()) {
    const h = mw.object.spec?.headers;
    if (!isRecord(h)) continue;
    const source = `Middleware ${ctx.nameOf(mw)}`;
    if (typeof h.contentSecurityPolicy === 'string' && h.contentSecurityPolicy !== '') b.put('Content-Security-Policy', h.contentSecurityPolicy, source);
    if (h.contentTypeNosniff === true) b.put('X-Content-Type-Options', 'nosniff', source);
    if (typeof h.customFrameOptionsValue === 'string' && h.customFrameOptionsValue !== '') b.put('X-Frame-Options', h.customFrameOptionsValue, source);
    else if (h.frameDeny === true) b.put('X-Frame-Options', 'DENY', source);
    if (typeof h.referrerPolicy === 'string' && h.referrerPolicy !== '') b.put('Referrer-Policy', h.referrerPolicy, source);
    if (typeof h.permissionsPolicy === 'string' && h.permissionsPolicy !== '') b.put('Permissions-Policy', h.permissionsPolicy, source);
    for (const [k, v] of Object.entries(isRecord(h.customResponseHeaders) ? h.customResponseHeaders : {})) {
      if (v === '' || v === null) b.remove(k, `${source} customResponseHeaders`);
      else if (typeof v === 'string') b.put(k, v, `${source} customResponseHeaders`);
    }
  }
  return b.build();
}

const TRAEFIK_VERSIONS: Record<string, TlsVersionName> = { VersionTLS10: '1.0', VersionTLS11: '1.1', VersionTLS12: '1.2', VersionTLS13: '1.3' };

/** The TLS options a TLS router resolves to: a TLSOption object, or Traefik's default. */
interface ResolvedTlsOption {
  /** `<namespace>-<name>@kubernetescrd`, or `default`. */
  readonly key: string;
  readonly option?: LoadedObject;
}

/** The TLSOption named `default` (in any namespace) replaces Traefik's defaults; two of them are both dropped. */
function defaultOption(ctx: ValidationContext): LoadedObject | undefined {
  const defaults = ctx.ofKind('TLSOption').filter((o) => ctx.nameOf(o) === 'default' && !ctx.isMalformed(o));
  return defaults.length === 1 ? defaults[0] : undefined;
}

function resolveTlsOption(ctx: ValidationContext, ann: Record<string, string>): ResolvedTlsOption {
  const ref = ann[TLS_OPTIONS_ANNOTATION]?.trim();
  if (!ref || ref === 'default') return { key: 'default' };
  // Without a provider suffix the name is looked up in the Ingress provider, which has no TLSOptions.
  return { key: ref, option: crdIndex(ctx, 'TLSOption').get(ref) };
}

function optionLimit(ctx: ValidationContext, o: LoadedObject, resolved: ResolvedTlsOption, conflict?: string): TlsLimit {
  const annotationPath = ['metadata', 'annotations', TLS_OPTIONS_ANNOTATION];
  const option = conflict === undefined ? (resolved.key === 'default' ? defaultOption(ctx) : resolved.option) : defaultOption(ctx);
  // A conflict is caused by the router's annotation; otherwise point at the option that sets the version.
  const at = (target: LoadedObject, path: (string | number)[]) => (conflict === undefined ? { on: target, path } : { on: o, path: annotationPath });
  const via = conflict !== undefined ? `${conflict}: ` : '';
  if (!option) {
    const why = resolved.key === 'default' || conflict !== undefined ? 'no TLSOption named default' : `TLSOption ${resolved.key} is missing from the manifests or invalid`;
    const missing = resolved.key === 'default' && conflict === undefined ? 'no router.tls.options annotation and no TLSOption named default' : why;
    return { version: '1.2', source: `${via}${missing}; Traefik's default minimum VersionTLS12 applies`, isDefault: true, ...at(o, annotationPath) };
  }
  const raw = str(option.object.spec?.minVersion);
  const version = raw !== undefined ? TRAEFIK_VERSIONS[raw] : undefined;
  const name = `TLSOption ${ctx.namespaceOf(option)}/${ctx.nameOf(option)}`;
  if (!version) {
    const what = raw === undefined ? 'sets no minVersion' : `has minVersion "${raw}", which is not a TLS version Traefik knows`;
    return { version: '1.2', source: `${via}${name} ${what}; Traefik's default VersionTLS12 applies`, isDefault: true, ...at(option, raw === undefined ? ['spec'] : ['spec', 'minVersion']) };
  }
  return { version, source: `${via}minVersion ${raw} of ${name}`, isDefault: false, ...at(option, ['spec', 'minVersion']) };
}

/** Traefik (kubernetes ingress provider) semantics of one Ingress, before TLS options are arbitrated per host. */
export function traefikRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ann = stringMap(o.object.metadata?.annotations);
  const ns = ctx.namespaceOf(o);
  const tlsHosts = new Set(list(o.object.spec?.tls).flatMap((t) => (isRecord(t) ? list(t.hosts).filter((h): h is string => typeof h === 'string') : [])));
  const routerTls = truthy(ann['traefik.ingress.kubernetes.io/router.tls']) || tlsHosts.size > 0;
  const entrypoints = (ann['traefik.ingress.kubernetes.io/router.entrypoints'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const refs = (ann['traefik.ingress.kubernetes.io/router.middlewares'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const chain = expandChain(ctx, refs);
  const effect = middlewareEffect(ctx, chain);
  const headers = routerTls ? middlewareHeaders(ctx, chain) : NO_HEADERS;
  const tlsLimits = routerTls ? [optionLimit(ctx, o, resolveTlsOption(ctx, ann))] : [];
  const out: EdgeRoute[] = [];
  for (const b of ingressBackends(o)) {
    const hosts = b.hosts.length > 0 ? b.hosts : [undefined];
    for (const host of hosts) {
      const common = { object: o, path: b.path, host, urlPath: b.urlPath, pathType: b.pathType, service: b.service, components: backendsComponents(ctx, ns, b.service), allowList: effect.allowList };
      if (routerTls) {
        // A TLS router only answers TLS requests; it has a host certificate when spec.tls names the host.
        out.push({ ...common, scheme: 'https', certificate: host !== undefined && tlsHosts.has(host), redirectsToHttps: false, hsts: effect.hsts, headers, tlsLimits });
      } else if (entrypoints.length === 0 || entrypoints.some((e) => e !== 'websecure')) {
        out.push({ ...common, scheme: 'http', certificate: false, redirectsToHttps: effect.redirectsToHttps, hsts: undefined, headers: NO_HEADERS, tlsLimits: [] });
      }
    }
  }
  return out;
}

/**
 * Traefik picks TLS options by host (SNI) per entrypoint: when the TLS routers of a host name
 * different options, every one of them falls back to the default options (and a router without a
 * host may only use the default). Returns the routes with their TLS limits arbitrated.
 */
export function arbitrateTraefikTls(ctx: ValidationContext, routes: EdgeRoute[]): EdgeRoute[] {
  const keyOf = (r: EdgeRoute) => resolveTlsOption(ctx, stringMap(r.object.object.metadata?.annotations)).key;
  const entrypointsOf = (r: EdgeRoute) => {
    const eps = (stringMap(r.object.object.metadata?.annotations)['traefik.ingress.kubernetes.io/router.entrypoints'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    return eps.length > 0 ? eps : ['(every entrypoint)'];
  };
  const byHost = new Map<string, Map<string, Set<string>>>();
  for (const r of routes) {
    if (r.scheme !== 'https' || r.host === undefined) continue;
    for (const ep of entrypointsOf(r)) {
      const k = `${ep} ${r.host.toLowerCase()}`;
      const options = byHost.get(k) ?? new Map<string, Set<string>>();
      const objects = options.get(keyOf(r)) ?? new Set<string>();
      objects.add(ctx.nameOf(r.object));
      options.set(keyOf(r), objects);
      byHost.set(k, options);
    }
  }
  return routes.map((r) => {
    if (r.scheme !== 'https') return r;
    const key = keyOf(r);
    if (r.host === undefined) {
      return key === 'default' ? r : { ...r, tlsLimits: [optionLimit(ctx, r.object, { key }, `a router without a host cannot select TLS options ${key} by SNI`)] };
    }
    for (const ep of entrypointsOf(r)) {
      const options = byHost.get(`${ep} ${r.host.toLowerCase()}`);
      if (options && options.size > 1) {
        const who = [...options].map(([k, objs]) => `${k} on ${[...objs].sort().join(', ')}`).sort().join('; ');
        return { ...r, tlsLimits: [optionLimit(ctx, r.object, { key }, `routers of host ${r.host} name different TLS options (${who}), so Traefik uses its default options`)] };
      }
    }
    return r;
  });
}
