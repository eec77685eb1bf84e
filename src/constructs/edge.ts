import type { SecurityHeaders } from '../config/edge';
import type { EdgeConfig, TlsVersion } from '../config/schema';

/** The `Strict-Transport-Security` value for an edge configuration. */
export function hstsHeader(hsts: EdgeConfig['hsts']): string {
  return [`max-age=${hsts.maxAgeSeconds}`, hsts.includeSubDomains ? 'includeSubDomains' : '', hsts.preload ? 'preload' : '']
    .filter(Boolean)
    .join('; ');
}

/** TLS Secret name of a host: cert-manager's ingress/gateway shim writes it, or it is pre-provisioned. */
export function tlsSecretName(edge: EdgeConfig, component: string): string {
  return 'secretName' in edge.tls ? edge.tls.secretName : `${component}-tls`;
}

/** cert-manager shim annotation when certificates are issued by a ClusterIssuer. */
export function certManagerAnnotations(edge: EdgeConfig): Record<string, string> {
  return 'clusterIssuer' in edge.tls ? { 'cert-manager.io/cluster-issuer': edge.tls.clusterIssuer } : {};
}

/** Names of the Traefik Middlewares the edge renders (Traefik profile). */
export const TraefikMiddleware = {
  HSTS: 'hsts',
  REDIRECT_HTTPS: 'redirect-https',
  /** Present only with an `adminAllowList`: admin paths are routed behind it. */
  ADMIN_ALLOW_LIST: 'admin-allow-list',
} as const;

/** Annotation that attaches Middlewares to the router of an Ingress. */
export const TRAEFIK_MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';

/** How an Ingress annotation names a Middleware of the Kubernetes CRD provider: `<namespace>-<name>@kubernetescrd`. */
export function traefikMiddlewareRef(namespace: string, name: string): string {
  return `${namespace}-${name}@kubernetescrd`;
}

/** Annotation naming the Traefik entry points a router of an Ingress listens on. */
export const TRAEFIK_ENTRYPOINTS_ANNOTATION = 'traefik.ingress.kubernetes.io/router.entrypoints';

/** Annotation that makes a Traefik router serve TLS. */
export const TRAEFIK_TLS_ANNOTATION = 'traefik.ingress.kubernetes.io/router.tls';

/** Traefik's entry points as the edge uses them: plain HTTP (redirected only) and HTTPS. */
export const TraefikEntryPoint = { HTTP: 'web', HTTPS: 'websecure' } as const;

/** The five browser security headers as name/value pairs, in the order they are rendered. */
export function securityHeaderFields(h: SecurityHeaders): ReadonlyArray<{ readonly name: string; readonly value: string }> {
  return [
    { name: 'Content-Security-Policy', value: h.contentSecurityPolicy },
    { name: 'X-Content-Type-Options', value: h.contentTypeOptions },
    { name: 'X-Frame-Options', value: h.frameOptions },
    { name: 'Referrer-Policy', value: h.referrerPolicy },
    { name: 'Permissions-Policy', value: h.permissionsPolicy },
  ];
}

/** The TLS versions from the minimum up, as nginx writes them (`ssl_protocols`, the `ssl-protocols` ConfigMap key, NGF's `nginx.org/ssl-protocols`). */
export function nginxSslProtocols(min: TlsVersion): string {
  return min === '1.2' ? 'TLSv1.2 TLSv1.3' : 'TLSv1.3';
}

/** Traefik's name of a TLS version (`TLSOption.spec.minVersion`). */
export function traefikTlsVersion(min: TlsVersion): string {
  return min === '1.2' ? 'VersionTLS12' : 'VersionTLS13';
}

/**
 * The F5 NGINX `nginx.org/server-snippets` of a host: its TLS protocols (applied per host by
 * nginx 1.29.2 and later; older data planes take the controller-wide `ssl-protocols`) and the
 * security headers, `always` so error responses carry them too.
 */
export function nginxServerSnippet(min: TlsVersion, headers: SecurityHeaders): string {
  return [
    `ssl_protocols ${nginxSslProtocols(min)};`,
    ...securityHeaderFields(headers).map((h) => `add_header ${h.name} "${h.value}" always;`),
  ].join('\n');
}

/** Where the minimum is below TLS 1.3, the configured reason, on the object that sets it, for reviewers. */
export function tlsReasonAnnotations(edge: EdgeConfig): Record<string, string> {
  return edge.tls.minVersion !== '1.3' && edge.tls.minVersionReason ? { 'ctis.io/tls-min-version-reason': edge.tls.minVersionReason.trim() } : {};
}
