import { FrameOptions, frameAncestorsFor, ReferrerPolicy } from '../headers/policies';
import type { Role } from '../topology/model';
import type { EdgeConfig, EnvironmentConfig, GatewayImplementation } from './schema';

/**
 * The edge settings of an environment with their defaults applied — the one place they are
 * applied. The generator renders them; the validator compares rendered manifests with them.
 */

/** The browser security headers one public component is served with. */
export interface SecurityHeaders {
  readonly contentSecurityPolicy: string;
  readonly contentTypeOptions: 'nosniff';
  readonly frameOptions: FrameOptions;
  readonly referrerPolicy: ReferrerPolicy;
  readonly permissionsPolicy: string;
}

/**
 * Powerful browser features none of the CTIS pages use, switched off for every origin (a page
 * that embeds another cannot grant them either).
 */
export const DEFAULT_PERMISSIONS_POLICY = 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()';

function origin(host: string | undefined): string[] {
  return host ? [`https://${host}`] : [];
}

/**
 * The default Content-Security-Policy of a public component:
 * - frontend: its own origin only, plus the api and auth-server origins it calls (`connect-src`)
 *   and posts to (`form-action`, sign-in and sign-out);
 * - auth-server: its own origin only (it serves the sign-in pages under `/account` and `/static`),
 *   and forms may post or redirect to the frontend and the extra CORS origins (the OIDC
 *   `form_post` response and the redirect after sign-in);
 * - api and anything else: nothing at all (JSON only).
 * Framing follows `frameOptions` (`frame-ancestors`), plugins and `<base>` are off everywhere.
 */
function defaultCsp(env: EnvironmentConfig, role: Role, frame: FrameOptions): string {
  const ancestors = `frame-ancestors ${frameAncestorsFor(frame)}`;
  const hosts = env.hosts;
  switch (role) {
    case 'frontend':
      return [
        "default-src 'self'",
        ["connect-src 'self'", ...origin(hosts.api), ...origin(hosts['auth-server'])].join(' '),
        ["form-action 'self'", ...origin(hosts['auth-server'])].join(' '),
        ancestors,
        "base-uri 'self'",
        "object-src 'none'",
      ].join('; ');
    case 'auth-server':
      return [
        "default-src 'self'",
        ["form-action 'self'", ...origin(hosts.frontend), ...env.corsExtraOrigins].join(' '),
        ancestors,
        "base-uri 'self'",
        "object-src 'none'",
      ].join('; ');
    default:
      return ["default-src 'none'", ancestors, "base-uri 'none'", "form-action 'none'"].join('; ');
  }
}

/** The security headers of a public component: configured values over the defaults above. */
export function securityHeadersFor(env: EnvironmentConfig, component: string, role: Role): SecurityHeaders {
  const configured = env.edge.securityHeaders[component] ?? {};
  // Framing: DENY by default (no CTIS page is meant to be embedded).
  const frameOptions = configured.frameOptions ?? 'DENY';
  return {
    contentSecurityPolicy: configured.contentSecurityPolicy ?? defaultCsp(env, role, frameOptions),
    contentTypeOptions: 'nosniff',
    frameOptions,
    // The frontend and the sign-in pages post to their own origin: browsers send `Origin: null`
    // on same-origin posts under `no-referrer`, which Next.js Server Actions refuse. The API serves no documents.
    referrerPolicy: configured.referrerPolicy ?? (role === 'frontend' || role === 'auth-server' ? 'strict-origin-when-cross-origin' : 'no-referrer'),
    permissionsPolicy: configured.permissionsPolicy ?? DEFAULT_PERMISSIONS_POLICY,
  };
}

/** The Gateway API implementation of the gateway-api profile. */
export function gatewayImplementation(edge: EdgeConfig): GatewayImplementation {
  // NGINX Gateway Fabric is what the shipped development environment runs.
  return edge.gatewayImplementation ?? 'nginx-gateway-fabric';
}

/** The F5 NGINX Ingress Controller's ConfigMap (the name its manifests install it under). */
export function nginxControllerConfigMap(edge: EdgeConfig): { namespace: string; name: string } {
  return { namespace: edge.controller.namespace, name: edge.controller.configMap ?? 'nginx-config' };
}
