import { SecurityHeaders, securityHeadersFor } from '../../config/edge';
import { cspWeakenings, parseCsp } from '../../headers/csp';
import {
  frameAncestorsFor,
  frameOptionsNoWeaker,
  isNosniff,
  parseFrameOptions,
  parsePermissionsPolicy,
  parseReferrerPolicy,
  permissionsWeakenings,
  referrerNoWeaker,
} from '../../headers/policies';
import type { LoadedObject } from '../../manifests';
import type { Role } from '../../topology/model';
import type { ValidationContext } from '../context';
import { EdgeHeaders, EdgeRoute, edgeModel, forwards, HeaderSetting, TlsLimit, tlsLabel, tlsRank } from '../k8s/edge';
import { defineRule, RuleFinding } from '../rule';
import { hostLabel } from './edge';

const TLS_REMEDIATION: Record<string, string> = {
  nginx:
    'Set `ssl-protocols: "TLSv1.3"` in the F5 NGINX Ingress Controller\'s ConfigMap (rendered to dist/<env>/edge-controller/nginx-ingress.yaml; ' +
    'validate it with the rest) and no lower `ssl_protocols` in nginx.org/server-snippets.',
  traefik:
    'Attach a TLSOption with `minVersion: VersionTLS13` to every TLS router of the host (`traefik.ingress.kubernetes.io/router.tls.options: ' +
    '<namespace>-<name>@kubernetescrd`), the same one on every router of a host.',
  'gateway-api':
    'NGINX Gateway Fabric: set `tls.options` `nginx.org/ssl-protocols: "TLSv1.3"` on the HTTPS listener; Envoy Gateway: attach a ' +
    'ClientTrafficPolicy with `tls.minVersion: "1.3"` to the Gateway (config edge.gatewayImplementation says which).',
};

/** The CTIS setup guide: HTTPS with TLS 1.3 (or the configured minimum). */
export const edgeTlsMinimum = defineRule({
  id: 'edge-tls-minimum',
  severity: 'error',
  runbookItem: 'CTIS setup guide "HTTPS with TLS 1.3" (config edge.tls.minVersion)',
  description:
    'Every host served over TLS accepts no TLS version below the configured edge.tls.minVersion, and sets its minimum explicitly: nginx the controller ConfigMap ' +
    '`ssl-protocols` (and any per-host `ssl_protocols`), traefik the TLSOption `minVersion` its routers name, gateway-api the implementation\'s listener ' +
    'setting (NGINX Gateway Fabric listener `tls.options`, Envoy Gateway ClientTrafficPolicy). An unset minimum is the implementation\'s default, TLS 1.2.',
  remediation: `nginx: ${TLS_REMEDIATION.nginx} Traefik: ${TLS_REMEDIATION.traefik} Gateway API: ${TLS_REMEDIATION['gateway-api']}`,
  scope: { topology: true },
  check(_o, ctx) {
    const min = ctx.env.edge.tls.minVersion;
    const groups = new Map<string, { limit: TlsLimit; hosts: Set<string> }>();
    for (const r of edgeModel(ctx).routes) {
      if (r.scheme !== 'https' || !forwards(r)) continue;
      for (const limit of r.tlsLimits) {
        if (tlsRank(limit.version) >= tlsRank(min)) continue;
        const key = `${limit.on.key}@${limit.on.location.line}|${limit.path.join('.')}|${limit.source}`;
        const g = groups.get(key) ?? { limit, hosts: new Set<string>() };
        g.hosts.add(hostLabel(r));
        groups.set(key, g);
      }
    }
    const remediation = TLS_REMEDIATION[ctx.env.edge.profile];
    return [...groups.values()].map(({ limit, hosts }): RuleFinding => {
      const names = [...hosts].sort().join(', ');
      const what = hosts.size > 1 ? `hosts ${names}` : `host ${names}`;
      const message = limit.isDefault
        ? `${what}: no TLS minimum of TLS ${min} is set (${limit.source}), so ${tlsLabel(limit.version)} is accepted`
        : `${what}: accepts ${tlsLabel(limit.version)} (${limit.source}), below the configured minimum TLS ${min}`;
      return { on: limit.on, path: limit.path, message, remediation };
    });
  },
});

/** What is wrong with one header on a route, or undefined. */
type HeaderCheck = (set: HeaderSetting | undefined, expected: SecurityHeaders, headers: EdgeHeaders) => string | undefined;

function missing(name: string, headers: EdgeHeaders): string {
  const removed = headers.removed.get(name.toLowerCase());
  return `does not set ${name}${removed ? ` (removed by ${removed})` : ''}`;
}

/** The CSP values the edge sends (browsers enforce every one of them). */
function cspValues(headers: EdgeHeaders): string[] {
  return [...(headers.set.get('content-security-policy')?.values ?? [])];
}

const CHECKS: ReadonlyArray<[string, HeaderCheck]> = [
  [
    'Content-Security-Policy',
    (set, expected) => {
      if (!set) return undefined;
      const limit = parseCsp(expected.contentSecurityPolicy);
      // Several policies are all enforced: one at least as strict as configured suffices.
      const weakenings = set.values.map((v) => cspWeakenings(parseCsp(v), limit));
      if (weakenings.some((w) => w.length === 0)) return undefined;
      const best = [...weakenings].sort((a, b) => a.length - b.length)[0];
      return `sets a Content-Security-Policy that allows more than configured: ${best.map((w) => `${w.directive} allows ${w.allows}`).join('; ')} (configured: ${expected.contentSecurityPolicy})`;
    },
  ],
  ['X-Content-Type-Options', (set) => (set && !isNosniff(set.values) ? `sets X-Content-Type-Options "${set.values.join(', ')}", not nosniff` : undefined)],
  [
    'X-Frame-Options',
    (set, expected, headers) => {
      if (!set) return undefined;
      const value = parseFrameOptions(set.values);
      if (value && frameOptionsNoWeaker(value, expected.frameOptions)) return undefined;
      // Browsers that know CSP follow frame-ancestors over X-Frame-Options: a strict one makes up for a weak value.
      const equivalent = parseCsp(`frame-ancestors ${frameAncestorsFor(expected.frameOptions)}`);
      if (value && cspValues(headers).some((v) => parseCsp(v).has('frame-ancestors') && cspWeakenings(parseCsp(v), equivalent).length === 0)) return undefined;
      return `sets X-Frame-Options "${set.values.join(', ')}", weaker than the configured ${expected.frameOptions}`;
    },
  ],
  [
    'Referrer-Policy',
    (set, expected) => {
      if (!set) return undefined;
      const value = parseReferrerPolicy(set.values.join(','));
      if (value && referrerNoWeaker(value, expected.referrerPolicy)) return undefined;
      return `sets Referrer-Policy "${set.values.join(', ')}", which sends more than the configured ${expected.referrerPolicy}`;
    },
  ],
  [
    'Permissions-Policy',
    (set, expected) => {
      if (!set) return undefined;
      const limit = parsePermissionsPolicy(expected.permissionsPolicy)!;
      const policies = set.values.map(parsePermissionsPolicy);
      if (policies.some((p) => p && permissionsWeakenings(p, limit).length === 0)) return undefined;
      const parsed = policies.find((p) => p !== undefined);
      if (!parsed) return `sets a Permissions-Policy browsers cannot parse ("${set.values.join(', ')}")`;
      return `sets a Permissions-Policy that allows more than configured: ${permissionsWeakenings(parsed, limit).join(', ')}`;
    },
  ],
];

/** Problems of one route's headers against the configured ones. */
export function headerProblems(headers: EdgeHeaders, expected: SecurityHeaders): string[] {
  const out: string[] = [];
  for (const [name, check] of CHECKS) {
    const set = headers.set.get(name.toLowerCase());
    if (!set) {
      out.push(missing(name, headers));
      continue;
    }
    const problem = check(set, expected, headers);
    if (problem) out.push(problem);
    else if (set && !set.onErrors) out.push(`sets ${name} without \`always\` (${set.source}): error responses go out without it`);
  }
  return out;
}

/** The public component a route serves, with its role. */
function publicComponent(ctx: ValidationContext, r: EdgeRoute): { id: string; role: Role } | undefined {
  for (const id of r.components) {
    const c = ctx.component(id);
    if (c?.exposure === 'public') return { id, role: c.role };
  }
  return undefined;
}

/** The CTIS setup guide: security headers (CSP, HSTS, X-Content-Type-Options, X-Frame-Options), set by the edge. */
export const edgeSecurityHeaders = defineRule({
  id: 'edge-security-headers',
  severity: 'error',
  runbookItem: 'CTIS setup guide "Security headers (CSP, HSTS, X-Content-Type-Options, X-Frame-Options)"; SPEC §2 rule 3 as amended (the edge sets them)',
  description:
    'Every route served over TLS to a public component sets Content-Security-Policy, X-Content-Type-Options: nosniff, X-Frame-Options, ' +
    'Referrer-Policy and Permissions-Policy, on error responses too, each no weaker than edge.securityHeaders configures (a CSP allowing no ' +
    'source the configured one does not; an X-Frame-Options value weaker than configured passes only beside a CSP frame-ancestors that is not, ' +
    'which browsers follow first, while browsers without CSP still get X-Frame-Options); removing one without setting it counts as missing.',
  remediation:
    'Set the header on the route as the profile does: nginx `add_header <name> "<value>" always;` in nginx.org/server-snippets, traefik the ' +
    '`<component>-security-headers` Middleware (contentSecurityPolicy, contentTypeNosniff, frameDeny, referrerPolicy, permissionsPolicy) on the router, ' +
    'gateway-api a ResponseHeaderModifier `set` entry; with the value from config/<env>.yaml edge.securityHeaders or its default.',
  scope: { topology: true },
  check(_o, ctx) {
    const out: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const r of edgeModel(ctx).routes) {
      if (r.scheme !== 'https' || !forwards(r)) continue;
      const c = publicComponent(ctx, r);
      if (!c) continue;
      const expected = securityHeadersFor(ctx.env, c.id, c.role);
      for (const problem of headerProblems(r.headers, expected)) {
        const key = `${keyOf(r.object)}|${hostLabel(r)}|${problem}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ on: r.object, path: r.path, message: `https://${hostLabel(r)}${r.urlPath} ${problem}` });
      }
    }
    return out;
  },
});

function keyOf(o: LoadedObject): string {
  return `${o.location.file}:${o.location.line}`;
}
