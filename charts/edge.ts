import { Construct } from 'constructs';
import {
  Gateway,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
} from '../imports/gateway-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesFilters,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesPathType,
} from '../imports/httproute-gateway.networking.k8s.io';
import { Middleware } from '../imports/traefik-traefik.io';
import { SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import {
  certManagerAnnotations,
  hstsHeader,
  tlsSecretName,
  TRAEFIK_ENTRYPOINTS_ANNOTATION,
  TRAEFIK_MIDDLEWARES_ANNOTATION,
  TRAEFIK_TLS_ANNOTATION,
  TraefikEntryPoint,
  TraefikMiddleware,
  traefikMiddlewareRef,
} from '../src/constructs/edge';
import { k8s } from '../src/constructs/k8s';
import { EffectiveComponent } from '../src/topology/effective';
import { ADMIN_PATHS } from '../src/topology/model';
import { StackChart } from './component-chart';
import { StackContext } from './context';

interface Route {
  readonly component: EffectiveComponent;
  readonly host: string;
  readonly paths: readonly string[];
}

/**
 * The public edge: only public components are routed, each on its host with TLS, an HTTPS
 * redirect and HSTS, in the mechanics of the environment's edge profile (SPEC §4). Admin
 * paths are never routed, except behind an IP allow-list where the profile supports one.
 */
export class EdgeChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'edge', ctx);
    const routes: Route[] = ctx.effective.components
      .filter((c) => c.spec.exposure === 'public' && c.inCluster)
      .map((c) => ({ component: c, host: ctx.env.hosts[c.id], paths: c.spec.publicPaths ?? [] }));
    switch (ctx.env.edge.profile) {
      case 'nginx':
        this.nginx(routes);
        break;
      case 'traefik':
        this.traefik(routes);
        break;
      case 'gateway-api':
        this.gatewayApi(routes);
        break;
    }
  }

  private meta(name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
    return { name, labels, annotations: { ...syncWave(SyncWave.EDGE), ...annotations } };
  }

  private ingress(name: string, r: Route, paths: readonly string[], annotations: Record<string, string>, tls: boolean): void {
    const edge = this.ctx.env.edge;
    new k8s.KubeIngress(this, name, {
      metadata: this.meta(name, this.ctx.labels(r.component.id), annotations),
      spec: {
        ingressClassName: edge.className,
        tls: tls ? [{ hosts: [r.host], secretName: tlsSecretName(edge, r.component.id) }] : undefined,
        rules: [
          {
            host: r.host,
            http: {
              paths: paths.map((path) => ({
                path,
                pathType: 'Prefix',
                backend: { service: { name: r.component.id, port: { name: 'http' } } },
              })),
            },
          },
        ],
      },
    });
  }

  /** F5 NGINX Ingress Controller: per-Ingress `nginx.org/*` HSTS and redirect annotations. */
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
      }, true);
    }
  }

  /** Traefik: HSTS and redirect Middlewares attached by annotation; admin paths behind an allow-list Middleware. */
  private traefik(routes: Route[]): void {
    const { env, namespace } = this.ctx;
    const edge = env.edge;
    const labels = this.ctx.platformLabels();
    const ref = (name: string) => traefikMiddlewareRef(namespace, name);
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
    const allowList = edge.adminAllowList.length > 0;
    if (allowList) {
      new Middleware(this, 'AdminAllowList', {
        metadata: this.meta(TraefikMiddleware.ADMIN_ALLOW_LIST, labels),
        spec: { ipAllowList: { sourceRange: [...edge.adminAllowList] } },
      });
    }
    const secure = (middlewares: string[]) => ({
      ...certManagerAnnotations(edge),
      [TRAEFIK_ENTRYPOINTS_ANNOTATION]: TraefikEntryPoint.HTTPS,
      [TRAEFIK_TLS_ANNOTATION]: 'true',
      [TRAEFIK_MIDDLEWARES_ANNOTATION]: middlewares.map(ref).join(','),
    });
    for (const r of routes) {
      const id = r.component.id;
      this.ingress(id, r, r.paths, secure([TraefikMiddleware.HSTS]), true);
      this.ingress(`${id}-http-redirect`, r, ['/'], {
        [TRAEFIK_ENTRYPOINTS_ANNOTATION]: TraefikEntryPoint.HTTP,
        [TRAEFIK_MIDDLEWARES_ANNOTATION]: ref(TraefikMiddleware.REDIRECT_HTTPS),
      }, false);
      if (allowList && r.component.spec.servesAdminPaths) {
        this.ingress(`${id}-admin`, r, ADMIN_PATHS, secure([TraefikMiddleware.ADMIN_ALLOW_LIST, TraefikMiddleware.HSTS]), true);
      }
    }
  }

  /** Gateway API: HTTPS listeners per host, HSTS set by a response header filter, HTTP redirected to HTTPS. */
  private gatewayApi(routes: Route[]): void {
    const { env, namespace } = this.ctx;
    const edge = env.edge;
    const labels = this.ctx.platformLabels();
    const gatewayName = 'ctis';
    new Gateway(this, 'Gateway', {
      metadata: this.meta(gatewayName, labels, certManagerAnnotations(edge)),
      spec: {
        gatewayClassName: edge.className,
        listeners: [
          {
            name: 'http',
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
          },
          ...routes.map((r) => ({
            name: `https-${r.component.id}`,
            hostname: r.host,
            port: 443,
            protocol: 'HTTPS',
            tls: {
              mode: GatewaySpecListenersTlsMode.TERMINATE,
              certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecretName(edge, r.component.id) }],
            },
            allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
          })),
        ],
      },
    });
    const hsts: HttpRouteSpecRulesFilters = {
      type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
      responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: hstsHeader(edge.hsts) }] },
    };
    for (const r of routes) {
      const id = r.component.id;
      new HttpRoute(this, id, {
        metadata: this.meta(id, this.ctx.labels(id)),
        spec: {
          parentRefs: [{ name: gatewayName, namespace, sectionName: `https-${id}` }],
          hostnames: [r.host],
          rules: [
            {
              matches: r.paths.map((value) => ({ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value } })),
              filters: [hsts],
              backendRefs: [{ name: id, port: r.component.servingPort }],
            },
          ],
        },
      });
    }
    new HttpRoute(this, 'HttpRedirect', {
      metadata: this.meta('http-to-https', labels),
      spec: {
        parentRefs: [{ name: gatewayName, namespace, sectionName: 'http' }],
        hostnames: routes.map((r) => r.host),
        rules: [
          {
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                requestRedirect: {
                  scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                  statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                },
              },
            ],
          },
        ],
      },
    });
  }
}
