import { gatewayImplementation } from '../../config/edge';
import type { LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';
import { backendsComponents, EdgeRoute, HeaderBuilder, Hsts, nginxProtocolsMinimum, NO_HEADERS, parseHstsHeader, TlsLimit, TlsVersionName } from './edge-model';
import { httpRouteRules } from './routes';
import { isRecord, list, str } from './util';

/** Gateway API semantics of HTTPRoutes attached to Gateways in the manifests. */

interface Listener {
  readonly gateway: LoadedObject;
  readonly index: number;
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

const NGF_PROTOCOLS = 'nginx.org/ssl-protocols';

/** Envoy Gateway's TLS versions (`Auto` is its default, TLS 1.2). */
const ENVOY_VERSIONS: Record<string, TlsVersionName> = { '1.0': '1.0', '1.1': '1.1', '1.2': '1.2', '1.3': '1.3', Auto: '1.2' };

/** Whether a policy target reference names the listener (or its whole Gateway). */
function targets(ref: unknown, l: Listener, ctx: ValidationContext): 'listener' | 'gateway' | undefined {
  if (!isRecord(ref) || (str(ref.kind) ?? '') !== 'Gateway' || (str(ref.group) ?? '') !== 'gateway.networking.k8s.io') return undefined;
  if (ref.name !== ctx.nameOf(l.gateway)) return undefined;
  if (ref.sectionName === undefined) return 'gateway';
  return ref.sectionName === l.name ? 'listener' : undefined;
}

/**
 * What bounds the TLS versions of a listener, by the configured implementation:
 * - NGINX Gateway Fabric: the listener's `tls.options["nginx.org/ssl-protocols"]` (2.4+), else nginx's default TLSv1.2 TLSv1.3;
 * - Envoy Gateway: `tls.minVersion` of the ClientTrafficPolicy attached to the listener, else to its Gateway, else TLS 1.2.
 */
function listenerTlsLimit(ctx: ValidationContext, l: Listener): TlsLimit {
  const listenerPath = ['spec', 'listeners', l.index];
  const where = `listener ${l.name} of Gateway ${ctx.nameOf(l.gateway)}`;
  if (gatewayImplementation(ctx.env.edge) === 'envoy-gateway') {
    const ns = ctx.namespaceOf(l.gateway);
    let best: { policy: LoadedObject; level: 'listener' | 'gateway' } | undefined;
    for (const p of ctx.ofKind('ClientTrafficPolicy')) {
      if (ctx.isMalformed(p) || ctx.namespaceOf(p) !== ns) continue;
      const refs = [...list(p.object.spec?.targetRefs), ...(isRecord(p.object.spec?.targetRef) ? [p.object.spec.targetRef] : [])];
      for (const ref of refs) {
        const level = targets(ref, l, ctx);
        if (level && (!best || (best.level === 'gateway' && level === 'listener'))) best = { policy: p, level };
      }
    }
    const raw = best ? str(best.policy.object.spec?.tls?.minVersion) : undefined;
    const version = raw !== undefined ? ENVOY_VERSIONS[raw] : undefined;
    if (best && version) {
      return { version, source: `tls.minVersion "${raw}" of ClientTrafficPolicy ${ctx.nameOf(best.policy)} (${where})`, isDefault: false, on: best.policy, path: ['spec', 'tls', 'minVersion'] };
    }
    const why = best ? `ClientTrafficPolicy ${ctx.nameOf(best.policy)} sets no tls.minVersion` : `no ClientTrafficPolicy with tls.minVersion targets ${where}`;
    return { version: '1.2', source: `${why}; Envoy Gateway's default minimum TLS 1.2 applies`, isDefault: true, on: best?.policy ?? l.gateway, path: best ? ['spec'] : listenerPath };
  }
  const listener = list(l.gateway.object.spec?.listeners)[l.index];
  const value = isRecord(listener?.tls?.options) ? str(listener.tls.options[NGF_PROTOCOLS]) : undefined;
  const version = value !== undefined ? nginxProtocolsMinimum(value) : undefined;
  if (value !== undefined && version) {
    return { version, source: `tls.options ${NGF_PROTOCOLS} "${value}" of ${where}`, isDefault: false, on: l.gateway, path: [...listenerPath, 'tls', 'options', NGF_PROTOCOLS] };
  }
  return {
    version: '1.2',
    source: `${where} has no tls.options ${NGF_PROTOCOLS}; NGINX Gateway Fabric's default TLSv1.2 TLSv1.3 applies`,
    isDefault: true,
    on: l.gateway,
    path: [...listenerPath, 'tls'],
  };
}

function listenersOf(ctx: ValidationContext, o: LoadedObject): Listener[] {
  const ns = ctx.namespaceOf(o);
  const listeners: Listener[] = [];
  for (const ref of list(o.object.spec?.parentRefs)) {
    if (!isRecord(ref) || typeof ref.name !== 'string') continue;
    if ((str(ref.kind) ?? 'Gateway') !== 'Gateway') continue;
    const gw = ctx.get('Gateway', str(ref.namespace) ?? ns, ref.name);
    if (!gw || ctx.isMalformed(gw)) continue;
    list(gw.object.spec?.listeners).forEach((l, index) => {
      if (!isRecord(l)) return;
      if (typeof ref.sectionName === 'string' && l.name !== ref.sectionName) return;
      if (typeof ref.port === 'number' && l.port !== ref.port) return;
      const tls = isRecord(l.tls) ? l.tls : undefined;
      listeners.push({
        gateway: gw,
        index,
        name: str(l.name) ?? '',
        protocol: str(l.protocol) ?? '',
        hostname: str(l.hostname),
        port: typeof l.port === 'number' ? l.port : 0,
        hasCertificate: !!tls && (str(tls.mode) ?? 'Terminate') === 'Terminate' && list(tls.certificateRefs).length > 0,
      });
    });
  }
  return listeners;
}

/** Applies `ResponseHeaderModifier` filters: `set` replaces, `add` appends, `remove` drops. */
function applyModifiers(b: HeaderBuilder, filters: readonly Record<string, any>[], source: string): { hsts?: Hsts; redirect: boolean } {
  let hsts: Hsts | undefined;
  let redirect = false;
  for (const f of filters) {
    if (f.type === 'RequestRedirect' && isRecord(f.requestRedirect) && f.requestRedirect.scheme === 'https') redirect = true;
    if (f.type !== 'ResponseHeaderModifier' || !isRecord(f.responseHeaderModifier)) continue;
    const m = f.responseHeaderModifier;
    for (const [op, entries] of [['set', list(m.set)], ['add', list(m.add)]] as const) {
      for (const h of entries) {
        if (!isRecord(h) || typeof h.name !== 'string' || typeof h.value !== 'string') continue;
        if (op === 'set') b.put(h.name, h.value, source);
        else b.add(h.name, h.value, source);
        if (h.name.toLowerCase() === 'strict-transport-security') hsts = parseHstsHeader(h.value, 'ResponseHeaderModifier filter');
      }
    }
    for (const r of list(m.remove)) if (typeof r === 'string') b.remove(r, `${source} (remove)`);
  }
  return { hsts, redirect };
}

/** Gateway API semantics of one HTTPRoute attached to Gateways in the manifests. */
export function gatewayRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ns = ctx.namespaceOf(o);
  const hostnames = list(o.object.spec?.hostnames).filter((h): h is string => typeof h === 'string');
  const listeners = listenersOf(ctx, o);
  const limits = new Map(listeners.filter((l) => l.protocol === 'HTTPS').map((l) => [l, listenerTlsLimit(ctx, l)]));
  const out: EdgeRoute[] = [];
  for (const rule of httpRouteRules(o)) {
    const ruleBuilder = new HeaderBuilder();
    const { hsts, redirect } = applyModifiers(ruleBuilder, rule.filters, 'ResponseHeaderModifier filter');
    const ruleHeaders = ruleBuilder.build();
    const rawRule = list(o.object.spec?.rules)[rule.index];
    for (const l of listeners) {
      const scheme: 'http' | 'https' | undefined = l.protocol === 'HTTPS' ? 'https' : l.protocol === 'HTTP' ? 'http' : undefined;
      if (!scheme) continue;
      const hosts = hostnames.length > 0 ? hostnames.filter((h) => hostMatches(l.hostname, h) || hostMatches(h, l.hostname ?? h)) : [l.hostname];
      const targets = rule.backends.length > 0 ? rule.backends : rule.matches.map((m) => ({ service: undefined, urlPath: m.value, pathType: m.type, path: ['spec', 'rules', rule.index] }));
      for (const host of hosts) {
        for (const b of targets) {
          // Filters on a backendRef apply after the rule's, to that backend only.
          const backendIndex = b.path[3] === 'backendRefs' && typeof b.path[4] === 'number' ? b.path[4] : undefined;
          const backendFilters = backendIndex !== undefined && isRecord(rawRule) ? list(list(rawRule.backendRefs)[backendIndex]?.filters).filter(isRecord) : [];
          let headers = ruleHeaders;
          if (backendFilters.length > 0) {
            const hb = new HeaderBuilder();
            applyModifiers(hb, rule.filters, 'ResponseHeaderModifier filter');
            applyModifiers(hb, backendFilters, 'backendRef ResponseHeaderModifier filter');
            headers = hb.build();
          }
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
            headers: scheme === 'https' ? headers : NO_HEADERS,
            tlsLimits: scheme === 'https' ? [limits.get(l)!] : [],
          });
        }
      }
    }
  }
  return out;
}
