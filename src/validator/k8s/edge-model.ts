import type { LoadedObject } from '../../manifests';
import type { ValidationContext } from '../context';
import { serviceComponents } from './routes';

/** HSTS as a route applies it. */
export interface Hsts {
  readonly maxAge?: number;
  readonly includeSubDomains: boolean;
  /** Where it comes from, for messages. */
  readonly source: string;
}

/** A response header the edge sets on a route. */
export interface HeaderSetting {
  /** Every value sent (a header may be added more than once). */
  readonly values: readonly string[];
  /** Where it is set, for messages. */
  readonly source: string;
  /** Whether error responses (4xx, 5xx) carry it too (nginx `add_header` without `always` skips them). */
  readonly onErrors: boolean;
}

/** Response headers the edge sets on a route, by lower-case name, and the ones it removes. */
export interface EdgeHeaders {
  readonly set: ReadonlyMap<string, HeaderSetting>;
  /** Lower-case names of headers the edge removes from the application's responses, with where. */
  readonly removed: ReadonlyMap<string, string>;
}

export const NO_HEADERS: EdgeHeaders = { set: new Map(), removed: new Map() };

/** TLS protocol versions, oldest first. */
export const TLS_VERSION_ORDER = ['SSLv2', 'SSLv3', '1.0', '1.1', '1.2', '1.3'] as const;
export type TlsVersionName = (typeof TLS_VERSION_ORDER)[number];

export function tlsRank(v: TlsVersionName): number {
  return TLS_VERSION_ORDER.indexOf(v);
}

/** `TLS 1.2`, `SSLv3`. */
export function tlsLabel(v: TlsVersionName): string {
  return v.startsWith('SSL') ? v : `TLS ${v}`;
}

/**
 * One setting that bounds the lowest TLS version a host is served with: the host accepts the
 * lowest version any of its limits allows. A limit that stands for "nothing configured" carries
 * the implementation's default.
 */
export interface TlsLimit {
  /** The lowest version this setting lets through. */
  readonly version: TlsVersionName;
  /** What sets it, for messages (e.g. `TLSOption ctis-staging/tls-minimum`). */
  readonly source: string;
  /** Whether nothing is configured and the implementation's default applies. */
  readonly isDefault: boolean;
  /** The object and field to point at. */
  readonly on: LoadedObject;
  readonly path: (string | number)[];
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
  /** Response headers the edge sets (https routes). */
  readonly headers: EdgeHeaders;
  /** For https routes: the settings that bound the lowest TLS version of the host. */
  readonly tlsLimits: readonly TlsLimit[];
}

export function truthy(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

export function parseHstsHeader(value: string, source: string): Hsts {
  const m = /max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return { maxAge: m ? Number(m[1]) : undefined, includeSubDomains: /(^|;)\s*includesubdomains\s*(;|$)/i.test(value), source };
}

/** Components behind a Service of the namespace (none when it is not in the manifests). */
export function backendsComponents(ctx: ValidationContext, ns: string, service: string): string[] {
  const svc = ctx.get('Service', ns, service);
  return svc ? [...serviceComponents(ctx, svc)].sort() : [];
}

/** The lowest version an nginx `ssl_protocols` list (`TLSv1.2 TLSv1.3`) enables; undefined when it names none. */
export function nginxProtocolsMinimum(value: string): TlsVersionName | undefined {
  const names: Record<string, TlsVersionName> = { sslv2: 'SSLv2', sslv3: 'SSLv3', tlsv1: '1.0', 'tlsv1.1': '1.1', 'tlsv1.2': '1.2', 'tlsv1.3': '1.3' };
  const found = value
    .split(/\s+/)
    .map((t) => names[t.toLowerCase()])
    .filter((v): v is TlsVersionName => v !== undefined);
  return found.length > 0 ? found.sort((a, b) => tlsRank(a) - tlsRank(b))[0] : undefined;
}

/** Mutable collector of the headers a chain of edge settings sets, in the order they apply. */
export class HeaderBuilder {
  private readonly set = new Map<string, HeaderSetting>();
  private readonly removed = new Map<string, string>();

  /** Replaces the header (Traefik, Gateway API `set`). */
  put(name: string, value: string, source: string, onErrors = true): void {
    this.set.set(name.toLowerCase(), { values: [value], source, onErrors });
    this.removed.delete(name.toLowerCase());
  }

  /** Adds one more value (nginx `add_header`, Gateway API `add`). */
  add(name: string, value: string, source: string, onErrors = true): void {
    const prev = this.set.get(name.toLowerCase());
    this.set.set(name.toLowerCase(), prev ? { values: [...prev.values, value], source: prev.source, onErrors: prev.onErrors && onErrors } : { values: [value], source, onErrors });
    this.removed.delete(name.toLowerCase());
  }

  remove(name: string, source: string): void {
    this.set.delete(name.toLowerCase());
    this.removed.set(name.toLowerCase(), source);
  }

  /** Notes that the application's copy is hidden without touching what the edge sets (nginx `proxy_hide_header`). */
  hideUpstream(name: string, source: string): void {
    if (!this.set.has(name.toLowerCase())) this.removed.set(name.toLowerCase(), source);
  }

  build(): EdgeHeaders {
    return { set: new Map(this.set), removed: new Map(this.removed) };
  }
}
