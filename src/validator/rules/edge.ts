import { ADMIN_PATHS } from '../../topology/model';
import { at, isRecord, list, type LoadedObject, str, stringMap, text } from '../../manifests';
import { parseCidr, rangeContains } from '../../netpol/ip';
import type { ValidationContext } from '../context';
import { EdgeRoute, edgeModel, forwards } from '../k8s/edge';
import { pathReaches } from '../k8s/routes';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';
import { addTo } from '../../multimap';

const MIN_HSTS = 31536000;

/** The route's host for messages. */
export function hostLabel(r: EdgeRoute): string {
  return r.host ?? '<any host>';
}

/** Every edge route by host. */
export function routesByHost(ctx: ValidationContext): Map<string, EdgeRoute[]> {
  const m = new Map<string, EdgeRoute[]>();
  for (const r of edgeModel(ctx).routes) {
    addTo(m, hostLabel(r), r);
  }
  return m;
}

/** The first route of each object, to report once per object and host. */
export function oncePerObject(routes: EdgeRoute[]): EdgeRoute[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const k = `${r.object.location.file}:${r.object.location.line}|${hostLabel(r)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where a TLS secret of the edge comes from; undefined when it is accounted for. */
function tlsSecretProblem(ctx: ValidationContext, o: LoadedObject, ns: string, secret: string): string | undefined {
  const ann = stringMap(o.object.metadata?.annotations);
  if (ann['cert-manager.io/cluster-issuer'] || ann['cert-manager.io/issuer']) return undefined;
  if ('secretName' in ctx.env.edge.tls && ctx.env.edge.tls.secretName === secret) return undefined;
  if (ctx.secrets.of(ns, secret).length > 0) return undefined;
  return `TLS secret ${secret} is neither issued by cert-manager (no cert-manager.io/cluster-issuer annotation or Certificate) nor the pre-provisioned edge secret of config/${ctx.env.name}.yaml`;
}

/** SPEC §2 rule 3: TLS on every public host. */
export const edgeTls = defineEnvironmentRule({
  id: 'edge-tls',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 3 (TLS on every public host); setup guide §3 "Enforce HTTPS-only traffic"',
  description:
    'Every routed host is served over TLS with a certificate for that host (Ingress spec.tls / an HTTPS listener with certificateRefs) ' +
    'from cert-manager or the configured pre-provisioned secret; nothing is forwarded over plain HTTP only.',
  remediation:
    'Add the host to the Ingress spec.tls with a secretName and the cert-manager.io/cluster-issuer annotation from config/<env>.yaml ' +
    '(gateway-api: attach the route to an HTTPS listener with certificateRefs).',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const [host, routes] of routesByHost(ctx)) {
      const secure = routes.filter((r) => r.scheme === 'https' && forwards(r));
      for (const r of oncePerObject(secure.filter((x) => !x.certificate))) {
        out.push({ on: r.object, path: r.path, message: `host ${host} is served over TLS without a certificate for it (the controller's default certificate would be used)` });
      }
      if (secure.length === 0) {
        for (const r of oncePerObject(routes.filter((x) => x.scheme === 'http' && forwards(x)))) {
          out.push({ on: r.object, path: r.path, message: `host ${host} is served over plain HTTP only: no TLS` });
        }
      }
    }
    // Certificates: every Ingress TLS secret and HTTPS listener certificate has a known source.
    for (const o of ctx.objects.ofKind('Ingress')) {
      if (ctx.schema.isMalformed(o)) continue;
      const ns = ctx.objects.namespaceOf(o);
      const issuer = stringMap(o.object.metadata?.annotations)['cert-manager.io/cluster-issuer'];
      if (issuer !== undefined && 'clusterIssuer' in ctx.env.edge.tls && issuer !== ctx.env.edge.tls.clusterIssuer) {
        out.push({ on: o, path: ['metadata', 'annotations', 'cert-manager.io/cluster-issuer'], message: `cluster issuer ${issuer} is not the configured ${ctx.env.edge.tls.clusterIssuer}` });
      }
      list(at(o.object, ['spec', 'tls'])).forEach((t, i) => {
        if (!isRecord(t)) return;
        const secret = str(t.secretName);
        if (!secret) {
          out.push({ on: o, path: ['spec', 'tls', i], message: 'TLS entry has no secretName: the controller would serve its default certificate' });
          return;
        }
        const problem = tlsSecretProblem(ctx, o, ns, secret);
        if (problem) out.push({ on: o, path: ['spec', 'tls', i, 'secretName'], message: problem });
      });
    }
    for (const o of ctx.objects.ofKind('Gateway')) {
      if (ctx.schema.isMalformed(o)) continue;
      const ns = ctx.objects.namespaceOf(o);
      list(at(o.object, ['spec', 'listeners'])).forEach((l, li) => {
        if (!isRecord(l) || l.protocol !== 'HTTPS') return;
        const refs = list(at(l, ['tls', 'certificateRefs']));
        if (refs.length === 0) {
          out.push({ on: o, path: ['spec', 'listeners', li], message: `HTTPS listener ${text(l.name)} has no certificateRefs` });
        }
        refs.forEach((ref, ri) => {
          if (!isRecord(ref) || typeof ref.name !== 'string' || (str(ref.kind) ?? 'Secret') !== 'Secret') return;
          const problem = tlsSecretProblem(ctx, o, str(ref.namespace) ?? ns, ref.name);
          if (problem) out.push({ on: o, path: ['spec', 'listeners', li, 'tls', 'certificateRefs', ri], message: problem });
        });
      });
    }
    return out;
  },
});

/** SPEC §2 rule 3: HTTPS redirect. */
export const edgeHttpsRedirect = defineEnvironmentRule({
  id: 'edge-https-redirect',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 3 (HTTPS redirect); setup guide §3 "Enforce HTTPS-only traffic"',
  description:
    'Every host served over TLS redirects plain-HTTP requests to https and forwards none of them: nginx `nginx.org/redirect-to-https`/`ingress.kubernetes.io/ssl-redirect: "true"`, ' +
    'traefik a `redirectScheme` Middleware on the web entrypoint, gateway-api an HTTP-listener route with a `RequestRedirect` filter (scheme https).',
  remediation: 'Add the redirect for the edge profile in use (see the description) and keep backends off the plain-HTTP listener.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const [host, routes] of routesByHost(ctx)) {
      const secure = routes.filter((r) => r.scheme === 'https' && forwards(r));
      if (secure.length === 0) continue;
      const plain = routes.filter((r) => r.scheme === 'http');
      for (const r of oncePerObject(plain.filter(forwards))) {
        out.push({ on: r.object, path: r.path, message: `http://${host}${r.urlPath} reaches Service ${r.service} without a redirect to https` });
      }
      if (!plain.some((r) => r.redirectsToHttps) && !plain.some(forwards)) {
        const r = secure[0];
        out.push({ on: r.object, path: r.path, message: `no HTTP-to-HTTPS redirect for host ${host}` });
      }
    }
    return out;
  },
});

/** SPEC §2 rule 3: HSTS with max-age >= one year and includeSubDomains. */
export const edgeHsts = defineEnvironmentRule({
  id: 'edge-hsts',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 3 (HSTS); runbook "Keep secure cookies and HSTS enabled"',
  description:
    `Every route served over TLS sends Strict-Transport-Security with max-age >= ${MIN_HSTS} (and no shorter than the configured edge.hsts.maxAgeSeconds) and includeSubDomains, by the edge profile's mechanism ` +
    '(nginx `nginx.org/hsts*` annotations, traefik Middleware `stsSeconds`/`stsIncludeSubdomains`, gateway-api `ResponseHeaderModifier`).',
  remediation: `Set HSTS on the route: max-age of at least the configured edge.hsts.maxAgeSeconds (never below ${MIN_HSTS} seconds) and includeSubDomains.`,
  check(ctx) {
    const out: RuleFinding[] = [];
    const configured = ctx.env.edge.hsts.maxAgeSeconds;
    for (const [host, routes] of routesByHost(ctx)) {
      for (const r of oncePerObject(routes.filter((x) => x.scheme === 'https' && forwards(x)))) {
        const h = r.hsts;
        if (!h) {
          out.push({ on: r.object, path: r.path, message: `https://${host}${r.urlPath} is served without HSTS` });
          continue;
        }
        if (h.maxAge === undefined || h.maxAge < MIN_HSTS) {
          out.push({ on: r.object, path: r.path, message: `HSTS max-age for ${host} is ${h.maxAge ?? 'missing'} (${h.source}); it must be at least ${MIN_HSTS}` });
        } else if (h.maxAge < configured) {
          out.push({ on: r.object, path: r.path, message: `HSTS max-age for ${host} is ${h.maxAge} (${h.source}), shorter than the configured ${configured}` });
        }
        if (!h.includeSubDomains) out.push({ on: r.object, path: r.path, message: `HSTS for ${host} lacks includeSubDomains (${h.source})` });
      }
    }
    return out;
  },
});

/** Why a route's source restriction does not keep it to the configured edge.adminAllowList, or undefined when it does. */
export function allowListProblem(ctx: ValidationContext, allow: readonly string[] | undefined): string | undefined {
  if (!allow || allow.length === 0) return 'open to everyone';
  const configured = ctx.env.edge.adminAllowList.map(parseCidr).filter((x) => x !== undefined);
  for (const c of allow) {
    const r = parseCidr(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`);
    if (!r) return `allow-list entry "${c}" is not a CIDR`;
    if (!configured.some((cfg) => rangeContains(cfg, r))) {
      return `allow-list entry ${c} is outside the configured edge.adminAllowList (${ctx.env.edge.adminAllowList.join(', ') || 'empty'})`;
    }
  }
  return undefined;
}

/** SPEC §2 rule 12: ops/admin endpoints are not routed publicly. */
export const adminPathsNotPublic = defineEnvironmentRule({
  id: 'admin-paths-not-public',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 12; runbook "Ops/admin endpoints restricted to admin policy"; setup guide §3 "IP allow-lists for admin endpoints"',
  description:
    `No public route reaches ${ADMIN_PATHS.join(', ')} of a component that serves them, unless the route is restricted to the configured edge.adminAllowList.`,
  remediation: 'Route only the component\'s public paths, or put the admin paths on a separate route behind an IP allow-list within edge.adminAllowList.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const r of edgeModel(ctx).routes) {
      if (!forwards(r)) continue;
      const serving = r.components.filter((id) => ctx.components.get(id)?.servesAdminPaths === true);
      if (serving.length === 0) continue;
      // ASP.NET Core routes case-insensitively: /Hangfire reaches the /hangfire dashboard.
      const reached = ADMIN_PATHS.filter((p) => pathReaches(r.urlPath, r.pathType, p, true));
      if (reached.length === 0) continue;
      const problem = allowListProblem(ctx, r.allowList);
      if (!problem) continue;
      const key = `${r.object.location.file}:${r.object.location.line}|${r.path.join('.')}|${hostLabel(r)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        on: r.object,
        path: r.path,
        message: `${r.scheme}://${hostLabel(r)}${r.urlPath} routes ${reached.join(', ')} of ${serving.join(', ')} publicly (${problem})`,
      });
    }
    return out;
  },
});

/** SPEC §4: edge objects belong to the configured edge profile and class. */
export const edgeProfile = defineRule({
  id: 'edge-profile',
  severity: 'error',
  runbookItem: 'SPEC §4 (edge profiles)',
  description:
    "Edge objects match the environment's edge profile: Ingresses with the configured ingressClassName for nginx and traefik; a Gateway of the configured " +
    'GatewayClass and HTTPRoutes attached to it for gateway-api.',
  remediation: 'Set ingressClassName / gatewayClassName from config/<env>.yaml, attach HTTPRoutes to the Gateway, or remove objects of another profile.',
  scope: { kinds: ['Ingress', 'HTTPRoute', 'Gateway'] },
  check(o, ctx) {
    const edge = ctx.env.edge;
    const kind = o.object.kind;
    if (kind === 'Ingress') {
      if (edge.profile === 'gateway-api') return [{ message: `the ${ctx.env.name} edge profile is gateway-api: no controller serves this Ingress with the runbook's TLS/HSTS settings`, path: ['kind'] }];
      const cls = str(at(o.object, ['spec', 'ingressClassName'])) ?? stringMap(o.object.metadata?.annotations)['kubernetes.io/ingress.class'];
      if (cls === edge.className) return [];
      return [{ message: cls === undefined ? `Ingress has no ingressClassName (expected ${edge.className})` : `ingressClassName ${cls} is not the configured ${edge.className}`, path: ['spec', 'ingressClassName'] }];
    }
    if (edge.profile !== 'gateway-api') return [{ message: `the ${ctx.env.name} edge profile is ${edge.profile}: ${kind} objects are not served by its controller`, path: ['kind'] }];
    if (kind === 'Gateway') {
      const cls = str(at(o.object, ['spec', 'gatewayClassName']));
      return cls === edge.className ? [] : [{ message: `gatewayClassName ${cls ?? '(none)'} is not the configured ${edge.className}`, path: ['spec', 'gatewayClassName'] }];
    }
    const out: RuleFinding[] = [];
    const ns = ctx.objects.namespaceOf(o);
    const refs = list(at(o.object, ['spec', 'parentRefs']));
    if (refs.length === 0) out.push({ message: 'HTTPRoute has no parentRefs: it is attached to no Gateway', path: ['spec'] });
    refs.forEach((ref, i) => {
      if (!isRecord(ref) || typeof ref.name !== 'string' || (str(ref.kind) ?? 'Gateway') !== 'Gateway') return;
      const gw = ctx.objects.get('Gateway', str(ref.namespace) ?? ns, ref.name);
      if (!gw) {
        out.push({ message: `parent Gateway ${str(ref.namespace) ?? ns}/${ref.name} is not in the manifests`, path: ['spec', 'parentRefs', i] });
        return;
      }
      if (typeof ref.sectionName === 'string' && !list(at(gw.object, ['spec', 'listeners'])).some((l) => isRecord(l) && l.name === ref.sectionName)) {
        out.push({ message: `Gateway ${ref.name} has no listener ${ref.sectionName}`, path: ['spec', 'parentRefs', i, 'sectionName'] });
      }
    });
    return out;
  },
});

/** SPEC §2 rules 1 and 3: every public component is reachable on its host over TLS. */
export const publicHostsRouted = defineEnvironmentRule({
  id: 'public-hosts-routed',
  severity: 'error',
  runbookItem: 'SPEC §2 rules 1 and 3; runbook "Public edge: AuthServer, Api"',
  description: 'Each public component (auth-server, api, frontend) is routed on its configured host over TLS with a certificate.',
  remediation: 'Add the route for the host in config/<env>.yaml `hosts` with TLS, pointing at the component\'s Service.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const routes = edgeModel(ctx).routes;
    for (const c of ctx.topology.components) {
      if (c.exposure !== 'public') continue;
      const host = ctx.env.hosts[c.id];
      if (!host) continue;
      const ok = routes.some((r) => r.scheme === 'https' && r.certificate && forwards(r) && r.host === host && r.components.includes(c.id));
      if (ok) continue;
      const anchor = ctx.objects.get('Service', ctx.namespace, c.id) ?? ctx.pods.ofComponent(c.id)[0]?.owner;
      out.push({ on: anchor, message: `public component ${c.id} is not routed on https://${host} with a certificate` });
    }
    return out;
  },
});
