import type { ValidationContext } from '../context';
import type { EdgeRoute } from './edge-model';
import { gatewayRoutes } from './edge-gateway';
import { nginxRoutes } from './edge-nginx';
import { arbitrateTraefikTls, traefikRoutes } from './edge-traefik';

export * from './edge-model';
export { isNginxControllerSettings } from './edge-nginx';

/** Every edge route of the environment's namespace. */
export interface EdgeModel {
  readonly routes: readonly EdgeRoute[];
}

/** The edge of the environment's namespace under its configured profile (memoised). */
export function edgeModel(ctx: ValidationContext): EdgeModel {
  return ctx.memo('edge:model', () => {
    const profile = ctx.env.edge.profile;
    let routes: EdgeRoute[] = [];
    for (const o of ctx.ofKind('Ingress')) {
      if (ctx.isMalformed(o)) continue;
      routes.push(...(profile === 'traefik' ? traefikRoutes(ctx, o) : nginxRoutes(ctx, o)));
    }
    if (profile === 'traefik') routes = arbitrateTraefikTls(ctx, routes);
    for (const o of ctx.ofKind('HTTPRoute')) {
      if (ctx.isMalformed(o)) continue;
      routes.push(...gatewayRoutes(ctx, o));
    }
    return { routes };
  });
}

/** Whether a route hands requests to a backend (rather than redirecting). */
export function forwards(r: EdgeRoute): boolean {
  return !r.redirectsToHttps && r.service !== undefined;
}
