import { nginxControllerConfigMap } from '../../config/edge';
import type { LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';
import {
  backendsComponents,
  EdgeHeaders,
  EdgeRoute,
  HeaderBuilder,
  Hsts,
  nginxProtocolsMinimum,
  NO_HEADERS,
  TlsLimit,
  truthy,
} from './edge-model';
import { ingressBackends } from './routes';
import { isRecord, list, stringMap } from './util';

/** F5 NGINX Ingress Controller semantics of Ingresses (nginx.org annotations, nginx configuration in snippets). */

/** One directive of an nginx configuration snippet: its name and arguments (quotes removed). */
type Directive = readonly string[];

/** The top-level directives of an nginx snippet; directives inside `{ }` blocks (a nested location, an `if`) are skipped. */
export function nginxDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  let cur: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      if (c === ';' && depth === 0 && cur.length > 0) out.push(cur);
      if (c === '{') depth++;
      if (c === '}') depth = Math.max(0, depth - 1);
      cur = [];
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let token = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        token += text[j];
        j++;
      }
      cur.push(token);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s;{}]/.test(text[j])) j++;
      cur.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

interface SnippetEffect {
  /** `add_header` / `more_set_headers` / `more_clear_headers` / `proxy_hide_header`, in order. */
  readonly headerDirectives: Directive[];
  /** The `ssl_protocols` value, when the snippet sets one. */
  readonly sslProtocols?: string;
}

function snippetEffect(text: string | undefined): SnippetEffect {
  const directives = nginxDirectives(text ?? '');
  const headerDirectives = directives.filter((d) => ['add_header', 'more_set_headers', 'more_clear_headers', 'proxy_hide_header'].includes(d[0]));
  const ssl = directives.find((d) => d[0] === 'ssl_protocols');
  return { headerDirectives, sslProtocols: ssl ? ssl.slice(1).join(' ') : undefined };
}

function applyDirectives(b: HeaderBuilder, directives: Directive[], source: string): void {
  for (const d of directives) {
    if (d[0] === 'add_header' && d.length >= 3) b.add(d[1], d[2], source, d[3] === 'always');
    if (d[0] === 'proxy_hide_header' && d[1]) b.hideUpstream(d[1], source);
    for (const arg of d.slice(1)) {
      if (arg.startsWith('-')) continue;
      if (d[0] === 'more_set_headers' && arg.includes(':')) b.put(arg.slice(0, arg.indexOf(':')).trim(), arg.slice(arg.indexOf(':') + 1).trim(), source);
      if (d[0] === 'more_clear_headers') b.remove(arg, source);
    }
  }
}

/**
 * The response headers an Ingress's server and locations send. Server-level `add_header`
 * (`nginx.org/add-header`, `nginx.org/server-snippets`) does not reach a location that has
 * `add_header` of its own (`nginx.org/location-snippets`), unless `nginx.org/add-header-inherit: merge`.
 */
function nginxHeaders(ann: Record<string, string>, server: SnippetEffect, location: SnippetEffect): EdgeHeaders {
  const b = new HeaderBuilder();
  for (const h of (ann['nginx.org/proxy-hide-headers'] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) b.hideUpstream(h, 'nginx.org/proxy-hide-headers');
  const locationAdds = location.headerDirectives.some((d) => d[0] === 'add_header');
  const inherit = !locationAdds || ann['nginx.org/add-header-inherit']?.trim().toLowerCase() === 'merge';
  if (inherit) {
    for (const entry of (ann['nginx.org/add-header'] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
      const parts = entry.split(':');
      if (parts[0].trim()) b.add(parts[0].trim(), (parts[1] ?? '').trim(), 'nginx.org/add-header', parts[2]?.trim().toLowerCase() === 'always');
    }
    applyDirectives(b, server.headerDirectives, 'nginx.org/server-snippets');
  } else {
    // Only the location's add_header apply; proxy_hide_header and headers-more still do.
    applyDirectives(b, server.headerDirectives.filter((d) => d[0] !== 'add_header'), 'nginx.org/server-snippets');
  }
  applyDirectives(b, location.headerDirectives, 'nginx.org/location-snippets');
  return b.build();
}

/** The F5 NGINX controller's ConfigMap named in the configuration, when it is in the manifests. */
function controllerSettings(ctx: ValidationContext): LoadedObject | undefined {
  const { namespace, name } = nginxControllerConfigMap(ctx.env.edge);
  return ctx.get('ConfigMap', namespace, name);
}

/** Whether an object is the edge controller's settings the nginx profile renders for the platform team (in another namespace by design). */
export function isNginxControllerSettings(ctx: ValidationContext, o: LoadedObject): boolean {
  return ctx.env.edge.profile === 'nginx' && controllerSettings(ctx) === o;
}

/**
 * What bounds the TLS versions of a host: the controller-wide `ssl-protocols` (the default
 * server's protocols, which nginx before 1.29.2 negotiates with before it knows the host), and the
 * host's own `ssl_protocols` in `nginx.org/server-snippets` (honoured per host from 1.29.2).
 */
function nginxTlsLimits(ctx: ValidationContext, o: LoadedObject, server: SnippetEffect): TlsLimit[] {
  const limits: TlsLimit[] = [];
  const { namespace, name } = nginxControllerConfigMap(ctx.env.edge);
  const settings = controllerSettings(ctx);
  const global = settings ? stringMap(settings.object.data)['ssl-protocols'] : undefined;
  const globalMin = global !== undefined ? nginxProtocolsMinimum(global) : undefined;
  if (settings && global !== undefined && globalMin) {
    limits.push({ version: globalMin, source: `ssl-protocols "${global}" in ConfigMap ${namespace}/${name}`, isDefault: false, on: settings, path: ['data', 'ssl-protocols'] });
  } else {
    const why = settings ? `ConfigMap ${namespace}/${name} sets no valid ssl-protocols` : `the controller's ConfigMap ${namespace}/${name} is not in the manifests`;
    limits.push({ version: '1.2', source: `${why}; the controller's default TLSv1.2 TLSv1.3 applies`, isDefault: true, on: o, path: ['spec', 'tls'] });
  }
  if (server.sslProtocols !== undefined) {
    const min = nginxProtocolsMinimum(server.sslProtocols);
    if (min) limits.push({ version: min, source: `ssl_protocols ${server.sslProtocols} in nginx.org/server-snippets`, isDefault: false, on: o, path: ['metadata', 'annotations', 'nginx.org/server-snippets'] });
  }
  return limits;
}

/** Source ranges of F5 NGINX `Policy` objects with an access-control allow list. */
function nginxAllowList(ctx: ValidationContext, ns: string, policies: string | undefined): string[] | undefined {
  if (!policies) return undefined;
  let ranges: string[] | undefined;
  for (const ref of policies.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [pns, name] = ref.includes('/') ? ref.split('/', 2) : [ns, ref];
    const policy = ctx.get('Policy', pns, name);
    const allow = list(policy?.object.spec?.accessControl?.allow).filter((x): x is string => typeof x === 'string');
    if (allow.length > 0) ranges = [...(ranges ?? []), ...allow];
  }
  return ranges;
}

/** F5 NGINX Ingress Controller semantics of one Ingress. */
export function nginxRoutes(ctx: ValidationContext, o: LoadedObject): EdgeRoute[] {
  const ann = stringMap(o.object.metadata?.annotations);
  const ns = ctx.namespaceOf(o);
  const tlsHosts = new Set(list(o.object.spec?.tls).flatMap((t) => (isRecord(t) ? list(t.hosts).filter((h): h is string => typeof h === 'string') : [])));
  const redirect = (truthy(ann['nginx.org/redirect-to-https']) || truthy(ann['ingress.kubernetes.io/ssl-redirect'])) && ann['ingress.kubernetes.io/ssl-redirect']?.trim().toLowerCase() !== 'false';
  const server = snippetEffect(ann['nginx.org/server-snippets']);
  const location = snippetEffect(ann['nginx.org/location-snippets']);
  // HSTS is a server-level add_header too: a location's own add_header hides it.
  const locationHidesServer = location.headerDirectives.some((d) => d[0] === 'add_header') && ann['nginx.org/add-header-inherit']?.trim().toLowerCase() !== 'merge';
  const hsts: Hsts | undefined =
    truthy(ann['nginx.org/hsts']) && !locationHidesServer
      ? {
          maxAge: ann['nginx.org/hsts-max-age'] !== undefined && /^\d+$/.test(ann['nginx.org/hsts-max-age'].trim()) ? Number(ann['nginx.org/hsts-max-age']) : undefined,
          includeSubDomains: truthy(ann['nginx.org/hsts-include-subdomains']),
          source: 'nginx.org/hsts annotations',
        }
      : undefined;
  const headers = nginxHeaders(ann, server, location);
  const allowList = nginxAllowList(ctx, ns, ann['nginx.org/policies']);
  const tlsLimits = tlsHosts.size > 0 ? nginxTlsLimits(ctx, o, server) : [];
  const out: EdgeRoute[] = [];
  for (const b of ingressBackends(o)) {
    const hosts = b.hosts.length > 0 ? b.hosts : [undefined];
    for (const host of hosts) {
      const tls = host !== undefined && tlsHosts.has(host);
      const common = { object: o, path: b.path, host, urlPath: b.urlPath, pathType: b.pathType, service: b.service, components: backendsComponents(ctx, ns, b.service), allowList };
      if (tls) out.push({ ...common, scheme: 'https', certificate: true, redirectsToHttps: false, hsts, headers, tlsLimits });
      out.push({ ...common, scheme: 'http', certificate: false, redirectsToHttps: tls && redirect, hsts: undefined, headers: NO_HEADERS, tlsLimits: [] });
    }
  }
  return out;
}
