import { ApiObject } from 'cdk8s';
import {
  Gateway,
  GatewaySpecListeners,
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
import { gatewayImplementation } from '../src/config/edge';
import { certManagerAnnotations, hstsHeader, nginxSslProtocols, securityHeaderFields, tlsReasonAnnotations, tlsSecretName } from '../src/constructs/edge';
import type { EdgeChart, Route } from './edge';

const GATEWAY_NAME = 'ctis';

/**
 * Gateway API: one Gateway with an HTTPS listener per host at the configured minimum TLS version,
 * HTTPRoutes that set HSTS and the security headers with a `ResponseHeaderModifier` filter, and an
 * HTTP listener whose only route redirects to HTTPS.
 *
 * The minimum TLS version has no standard field; it is set the way the configured implementation
 * documents: NGINX Gateway Fabric (2.4+) reads the listener's `tls.options`
 * (`nginx.org/ssl-protocols`), Envoy Gateway a `ClientTrafficPolicy` attached to the Gateway.
 */
export function gatewayApiEdge(chart: EdgeChart, routes: readonly Route[]): void {
  const edge = chart.ctx.env.edge;
  const implementation = gatewayImplementation(edge);
  const tlsOptions = implementation === 'nginx-gateway-fabric' ? { 'nginx.org/ssl-protocols': nginxSslProtocols(edge.tls.minVersion) } : undefined;
  gateway(chart, routes, tlsOptions);
  if (implementation === 'envoy-gateway') envoyClientTrafficPolicy(chart);
  for (const r of routes) componentRoute(chart, r);
  httpRedirectRoute(chart, routes);
}

/** The Gateway: a plain HTTP listener (for the redirect) and an HTTPS listener per routed host. */
function gateway(chart: EdgeChart, routes: readonly Route[], tlsOptions: Record<string, string> | undefined): void {
  const edge = chart.ctx.env.edge;
  new Gateway(chart, 'Gateway', {
    metadata: chart.meta(GATEWAY_NAME, chart.ctx.platformLabels(), { ...certManagerAnnotations(edge), ...(tlsOptions ? tlsReasonAnnotations(edge) : {}) }),
    spec: {
      gatewayClassName: edge.className,
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } } },
        ...routes.map((r) => httpsListener(chart, r, tlsOptions)),
      ],
    },
  });
}

/** The HTTPS listener of one host: TLS terminated with the host's certificate, routes of the same namespace only. */
function httpsListener(chart: EdgeChart, r: Route, tlsOptions: Record<string, string> | undefined): GatewaySpecListeners {
  return {
    name: `https-${r.component.id}`,
    hostname: r.host,
    port: 443,
    protocol: 'HTTPS',
    tls: {
      mode: GatewaySpecListenersTlsMode.TERMINATE,
      certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecretName(chart.ctx.env.edge, r.component.id) }],
      options: tlsOptions,
    },
    allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
  };
}

/** Envoy Gateway: TLS settings of the Gateway's listeners (API gateway.envoyproxy.io/v1alpha1). */
function envoyClientTrafficPolicy(chart: EdgeChart): void {
  const edge = chart.ctx.env.edge;
  new ApiObject(chart, 'ClientTrafficPolicy', {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'ClientTrafficPolicy',
    metadata: chart.meta(GATEWAY_NAME, chart.ctx.platformLabels(), tlsReasonAnnotations(edge)),
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: GATEWAY_NAME }],
      tls: { minVersion: edge.tls.minVersion },
    },
  });
}

/** The HTTPRoute of one component on its HTTPS listener: its public paths, with HSTS and the security headers. */
function componentRoute(chart: EdgeChart, r: Route): void {
  const id = r.component.id;
  const headers: HttpRouteSpecRulesFilters = {
    type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
    responseHeaderModifier: {
      set: [{ name: 'Strict-Transport-Security', value: hstsHeader(chart.ctx.env.edge.hsts) }, ...securityHeaderFields(r.headers)],
    },
  };
  new HttpRoute(chart, id, {
    metadata: chart.meta(id, chart.ctx.labels(id)),
    spec: {
      parentRefs: [{ name: GATEWAY_NAME, namespace: chart.ctx.namespace, sectionName: `https-${id}` }],
      hostnames: [r.host],
      rules: [
        {
          matches: r.paths.map((value) => ({ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value } })),
          filters: [headers],
          backendRefs: [{ name: id, port: r.component.servingPort }],
        },
      ],
    },
  });
}

/** The HTTP listener's only route: every routed host redirected to HTTPS (301). */
function httpRedirectRoute(chart: EdgeChart, routes: readonly Route[]): void {
  new HttpRoute(chart, 'HttpRedirect', {
    metadata: chart.meta('http-to-https', chart.ctx.platformLabels()),
    spec: {
      parentRefs: [{ name: GATEWAY_NAME, namespace: chart.ctx.namespace, sectionName: 'http' }],
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
