import { Construct } from 'constructs';
import { TlsOption } from '../imports/traefik-tlsoption-traefik.io';
import { Middleware } from '../imports/traefik-traefik.io';
import { SecurityHeaders, securityHeadersFor } from '../src/config/edge';
import { blueGreenOf } from '../src/config/strategy';
import { SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import { previewServiceName } from '../src/constructs/blue-green';
import {
  certManagerAnnotations,
  nginxServerSnippet,
  tlsReasonAnnotations,
  tlsSecretName,
  TRAEFIK_ENTRYPOINTS_ANNOTATION,
  TRAEFIK_MIDDLEWARES_ANNOTATION,
  TRAEFIK_TLS_ANNOTATION,
  TraefikEntryPoint,
  TraefikMiddleware,
  traefikMiddlewareRef,
  traefikTlsVersion,
} from '../src/constructs/edge';
import { k8s } from '../src/constructs/k8s';
import { EffectiveComponent } from '../src/topology/effective';
import { ADMIN_PATHS } from '../src/topology/model';
import { StackChart } from './component-chart';
import { StackContext } from './context';
import { gatewayApiEdge } from './edge-gateway';

/** One public component on its host. */
export interface Route {
  readonly component: EffectiveComponent;
  readonly host: string;
  readonly paths: readonly string[];
  /** The browser security headers the edge sets on its responses. */
  readonly headers: SecurityHeaders;
}

/**
 * The public edge: only public components are routed, each on its host with TLS (at least the
 * configured minimum version), an HTTPS redirect, HSTS and the browser security headers, in the
 * mechanics of the environment's edge profile (SPEC §4; the CTIS setup guide asks for TLS 1.3 and the headers).
 * Admin paths are never routed, except behind an IP allow-list where the profile supports one.
 */
export class EdgeChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'edge', ctx);
    const routes: Route[] = ctx.effective.components
      .filter((c) => c.spec.exposure === 'public' && c.inCluster)
      .map((c) => ({
        component: c,
        host: ctx.env.hosts[c.id],
        paths: c.spec.publicPaths ?? [],
        headers: securityHeadersFor(ctx.env, c.id, c.spec.role),
      }));
    switch (ctx.env.edge.profile) {
      case 'nginx':
        this.nginx(routes);
        break;
      case 'traefik':
        this.traefik(routes);
        break;
      case 'gateway-api':
        gatewayApiEdge(this, routes);
        break;
    }
  }

  /** Metadata of an edge object: synced in the edge wave, after the applications. */
  meta(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
    return { name, labels, annotations: { ...syncWave(SyncWave.EDGE), ...annotations } };
  }

  /** An Ingress of a component's host, to its Service (or another of its Services, e.g. the preview). */
  private ingress(name: string, r: Route, paths: readonly string[], annotations: Record<string, string>, tls: boolean, service = r.component.id): void {
    const edge = this.ctx.env.edge;
    new k8s.KubeIngress(this, name, {
      metadata: this.meta(name, this.ctx.labels(r.component.id), annotations),
      spec: {
        ingressClassName: edge.className,
        tls: tls ? [{ hosts: [r.host], secretName: tlsSecretName(edge, service) }] : undefined,
        rules: [
          {
            host: r.host,
            http: {
              paths: paths.map((path) => ({
                path,
                pathType: 'Prefix',
                backend: { service: { name: service, port: { name: 'http' } } },
              })),
            },
          },
        ],
      },
    });
  }

  /**
   * F5 NGINX Ingress Controller: per-Ingress `nginx.org/*` HSTS and redirect annotations; the TLS
   * protocols and security headers in `nginx.org/server-snippets` (the controller needs
   * `-enable-snippets`). The controller-wide `ssl-protocols` is rendered for the platform team by
   * {@link EdgeControllerChart}.
   */
  private nginx(routes: Route[]): void {
    const edge = this.ctx.env.edge;
    for (const r of routes) {
      this.ingress(r.component.id, r, r.paths, {
        ...certManagerAnnotations(edge),
        'nginx.org/redirect-to-https': 'true',
        'ingress.kubernetes.io/ssl-redirect': 'true',
        'nginx.org/hsts': 'true',
        'nginx.org/hsts-max-age': String(edge.hsts.maxAgeSeconds),
        'nginx.org/hsts-include-subdomains': String(edge.hsts.includeSubDomains),
        'nginx.org/server-snippets': nginxServerSnippet(edge.tls.minVersion, r.headers),
      }, true);
    }
  }

  /**
   * Traefik: a TLSOption with the minimum TLS version on every TLS router
   * (`router.tls.options`), HSTS and per-component security-header Middlewares and the redirect
   * attached by annotation; admin paths behind an allow-list Middleware. Every TLS router of a
   * host names the same TLSOption: Traefik falls back to its default options for a host whose
   * routers disagree.
   */
  private traefik(routes: Route[]): void {
    const { env, namespace } = this.ctx;
    const edge = env.edge;
    const ref = (name: string) => traefikMiddlewareRef(namespace, name);
    this.traefikShared();
    const allowList = edge.adminAllowList.length > 0;
    const secure = (middlewares: string[]) => ({
      ...certManagerAnnotations(edge),
      [TRAEFIK_ENTRYPOINTS_ANNOTATION]: TraefikEntryPoint.HTTPS,
      [TRAEFIK_TLS_ANNOTATION]: 'true',
      'traefik.ingress.kubernetes.io/router.tls.options': ref(TRAEFIK_TLS_OPTION),
      [TRAEFIK_MIDDLEWARES_ANNOTATION]: middlewares.map(ref).join(','),
    });
    for (const r of routes) {
      const id = r.component.id;
      const headers = `${id}-security-headers`;
      new Middleware(this, `${id}SecurityHeaders`, {
        metadata: this.meta(headers, this.ctx.labels(id)),
        spec: {
          headers: {
            contentSecurityPolicy: r.headers.contentSecurityPolicy,
            contentTypeNosniff: true,
            ...(r.headers.frameOptions === 'DENY' ? { frameDeny: true } : { customFrameOptionsValue: r.headers.frameOptions }),
            referrerPolicy: r.headers.referrerPolicy,
            permissionsPolicy: r.headers.permissionsPolicy,
          },
        },
      });
      this.ingress(id, r, r.paths, secure([TraefikMiddleware.HSTS, headers]), true);
      this.ingress(`${id}-http-redirect`, r, ['/'], {
        [TRAEFIK_ENTRYPOINTS_ANNOTATION]: TraefikEntryPoint.HTTP,
        [TRAEFIK_MIDDLEWARES_ANNOTATION]: ref(TraefikMiddleware.REDIRECT_HTTPS),
      }, false);
      if (allowList && r.component.spec.servesAdminPaths) {
        this.ingress(`${id}-admin`, r, ADMIN_PATHS, secure([TraefikMiddleware.ADMIN_ALLOW_LIST, TraefikMiddleware.HSTS, headers]), true);
      }
      // The preview of a blue-green release, from the admin allow-list only (the configuration
      // refuses a preview host without one); plain http is redirected from the allow-list too.
      const previewHost = blueGreenOf(this.ctx.workload(id))?.previewHost;
      if (allowList && previewHost) {
        const preview: Route = { ...r, host: previewHost };
        const service = previewServiceName(id);
        this.ingress(service, preview, r.paths, secure([TraefikMiddleware.ADMIN_ALLOW_LIST, TraefikMiddleware.HSTS, headers]), true, service);
        this.ingress(`${service}-http-redirect`, preview, ['/'], {
          [TRAEFIK_ENTRYPOINTS_ANNOTATION]: TraefikEntryPoint.HTTP,
          [TRAEFIK_MIDDLEWARES_ANNOTATION]: [TraefikMiddleware.ADMIN_ALLOW_LIST, TraefikMiddleware.REDIRECT_HTTPS].map(ref).join(','),
        }, false, service);
      }
    }
  }

  /** Traefik objects every route shares: the TLSOption, the HSTS, redirect and admin allow-list Middlewares. */
  private traefikShared(): void {
    const edge = this.ctx.env.edge;
    const labels = this.ctx.platformLabels();
    new TlsOption(this, 'TlsOption', {
      metadata: this.meta(TRAEFIK_TLS_OPTION, labels, tlsReasonAnnotations(edge)),
      spec: { minVersion: traefikTlsVersion(edge.tls.minVersion) },
    });
    new Middleware(this, 'HstsMiddleware', {
      metadata: this.meta(TraefikMiddleware.HSTS, labels),
      spec: {
        headers: {
          stsSeconds: edge.hsts.maxAgeSeconds,
          stsIncludeSubdomains: edge.hsts.includeSubDomains,
          stsPreload: edge.hsts.preload,
          forceStsHeader: true,
        },
      },
    });
    new Middleware(this, 'RedirectMiddleware', {
      metadata: this.meta(TraefikMiddleware.REDIRECT_HTTPS, labels),
      spec: { redirectScheme: { scheme: 'https', permanent: true } },
    });
    if (edge.adminAllowList.length > 0) {
      new Middleware(this, 'AdminAllowList', {
        metadata: this.meta(TraefikMiddleware.ADMIN_ALLOW_LIST, labels),
        spec: { ipAllowList: { sourceRange: [...edge.adminAllowList] } },
      });
    }
  }
}

/** Name of the Traefik TLSOption every TLS router of the environment uses. */
const TRAEFIK_TLS_OPTION = 'tls-minimum';
