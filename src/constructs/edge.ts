import type { EdgeConfig } from '../config/schema';

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
