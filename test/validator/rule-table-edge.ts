/**
 * Valid/invalid cases of the edge hardening rules (TLS minimum and browser security headers), one
 * profile per shipped environment: production nginx, staging traefik, development gateway-api.
 */
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import type { LoadedObject } from '../../src/manifests';
import { allDist, D, env, find, load, mutate, P, S } from './fixtures';
import { unset } from '../support/k8s';
import type { RuleCases } from './rule-table';


/** The environment's edge configuration with some fields replaced. */
const edgeWith = (e: EnvironmentName, edge: Partial<EnvironmentConfig['edge']>): Partial<EnvironmentConfig> => ({ edge: { ...env(e).edge, ...edge } });

const snippet = (o: LoadedObject[], name: string): Record<string, string> => find(o, 'Ingress', name).metadata.annotations;

/** The `set` list of an HTTPRoute's ResponseHeaderModifier. */
const gatewaySet = (o: LoadedObject[], name: string): { name: string; value: string }[] => find(o, 'HTTPRoute', name).spec.rules[0].filters[0].responseHeaderModifier.set;

export const EDGE_HARDENING_CASES: Record<string, RuleCases> = {
  'edge-tls-minimum': {
    valid: [
      ...allDist(),
      {
        name: 'minimum 1.2 configured (with a reason): the controller allows TLSv1.2 TLSv1.3',
        config: edgeWith('production', { tls: { clusterIssuer: 'letsencrypt-production', minVersion: '1.2', minVersionReason: 'partner kiosks still speak TLS 1.2 until March' } }),
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'nginx-config').data['ssl-protocols'] = 'TLSv1.2 TLSv1.3';
        }),
        expect: {},
      },
      {
        name: 'traefik: a TLSOption named default at VersionTLS13 covers routers without the annotation',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'TLSOption', 'tls-minimum').metadata.name = 'default';
          for (const x of o) if (x.object.kind === 'Ingress') delete x.object.metadata!.annotations!['traefik.ingress.kubernetes.io/router.tls.options'];
        }),
        expect: {},
      },
      {
        name: 'gateway-api on Envoy Gateway: a ClientTrafficPolicy with minVersion 1.3 on the Gateway',
        env: 'development',
        config: edgeWith('development', { gatewayImplementation: 'envoy-gateway' }),
        objects: mutate('development', (o) => {
          for (const l of find(o, 'Gateway', 'ctis').spec.listeners) if (l.tls) unset(l.tls, 'options');
          o.push(...loadCtp({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ctis' }], tls: { minVersion: '1.3' } }));
        }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'nginx: the controller settings are not in the directory',
        objects: mutate('production', (o) => o.filter((x) => x.object.kind !== 'ConfigMap' || x.object.metadata?.name !== 'nginx-config')),
        expect: {
          [`Ingress/${P}/auth-server`]: [/^host auth\.ctis\.betts\.example: no TLS minimum of TLS 1\.3 is set \(the controller's ConfigMap nginx-ingress\/nginx-config is not in the manifests; the controller's default TLSv1\.2 TLSv1\.3 applies\), so TLS 1\.2 is accepted$/],
          [`Ingress/${P}/api`]: [/^host api\.ctis\.betts\.example: no TLS minimum/],
          [`Ingress/${P}/frontend`]: [/^host ctis\.betts\.example: no TLS minimum/],
        },
        remediations: [[/no TLS minimum/, /ssl-protocols: "TLSv1\.3"/]],
      },
      {
        name: 'nginx: the controller accepts TLS 1.2, and one host lowers its own ssl_protocols',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'nginx-config').data['ssl-protocols'] = 'TLSv1.2 TLSv1.3';
          const a = snippet(o, 'api');
          a['nginx.org/server-snippets'] = a['nginx.org/server-snippets'].replace('ssl_protocols TLSv1.3;', 'ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;');
        }),
        expect: {
          [`ConfigMap/nginx-ingress/nginx-config`]: [
            /^hosts api\.ctis\.betts\.example, auth\.ctis\.betts\.example, ctis\.betts\.example: accepts TLS 1\.2 \(ssl-protocols "TLSv1\.2 TLSv1\.3" in ConfigMap nginx-ingress\/nginx-config\), below the configured minimum TLS 1\.3$/,
          ],
          [`Ingress/${P}/api`]: [/^host api\.ctis\.betts\.example: accepts TLS 1\.1 \(ssl_protocols TLSv1\.1 TLSv1\.2 TLSv1\.3 in nginx\.org\/server-snippets\), below the configured minimum TLS 1\.3$/],
        },
      },
      {
        name: 'traefik: the TLSOption allows VersionTLS12',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'TLSOption', 'tls-minimum').spec.minVersion = 'VersionTLS12';
        }),
        expect: {
          [`TLSOption/${S}/tls-minimum`]: [
            /^hosts api\.staging\.ctis\.betts\.example, auth\.staging\.ctis\.betts\.example, staging\.ctis\.betts\.example: accepts TLS 1\.2 \(minVersion VersionTLS12 of TLSOption ctis-staging\/tls-minimum\), below the configured minimum TLS 1\.3$/,
          ],
        },
      },
      {
        name: 'traefik: the admin router of api names no TLS option, so both routers of the host fall back to the defaults',
        env: 'staging',
        objects: mutate('staging', (o) => {
          delete snippet(o, 'api-admin')['traefik.ingress.kubernetes.io/router.tls.options'];
        }),
        expect: {
          [`Ingress/${S}/api`]: [/^host api\.staging\.ctis\.betts\.example: no TLS minimum of TLS 1\.3 is set \(routers of host api\.staging\.ctis\.betts\.example name different TLS options \(ctis-staging-tls-minimum@kubernetescrd on api; default on api-admin\), so Traefik uses its default options: no TLSOption named default; Traefik's default minimum VersionTLS12 applies\)/],
          [`Ingress/${S}/api-admin`]: [/^host api\.staging\.ctis\.betts\.example: no TLS minimum/],
        },
      },
      {
        name: 'traefik: the frontend router names no TLS option',
        env: 'staging',
        objects: mutate('staging', (o) => {
          delete snippet(o, 'frontend')['traefik.ingress.kubernetes.io/router.tls.options'];
        }),
        expect: { [`Ingress/${S}/frontend`]: [/^host staging\.ctis\.betts\.example: no TLS minimum of TLS 1\.3 is set \(no router\.tls\.options annotation and no TLSOption named default; Traefik's default minimum VersionTLS12 applies\)/] },
      },
      {
        name: 'gateway-api on NGINX Gateway Fabric: the api listener has no tls.options',
        env: 'development',
        objects: mutate('development', (o) => {
          unset(find(o, 'Gateway', 'ctis').spec.listeners.find((l) => l.name === 'https-api')!.tls, 'options');
        }),
        expect: {
          [`Gateway/${D}/ctis`]: [/^host api\.dev\.ctis\.betts\.example: no TLS minimum of TLS 1\.3 is set \(listener https-api of Gateway ctis has no tls\.options nginx\.org\/ssl-protocols; NGINX Gateway Fabric's default TLSv1\.2 TLSv1\.3 applies\), so TLS 1\.2 is accepted$/],
        },
      },
      {
        name: 'gateway-api on Envoy Gateway: listener options are not read, and the policy of one listener allows 1.2',
        env: 'development',
        config: edgeWith('development', { gatewayImplementation: 'envoy-gateway' }),
        objects: mutate('development', (o) => {
          o.push(...loadCtp({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ctis', sectionName: 'https-frontend' }], tls: { minVersion: '1.2' } }));
        }),
        expect: {
          [`Gateway/${D}/ctis`]: [
            /^host api\.dev\.ctis\.betts\.example: no TLS minimum of TLS 1\.3 is set \(no ClientTrafficPolicy with tls\.minVersion targets listener https-api of Gateway ctis; Envoy Gateway's default minimum TLS 1\.2 applies\)/,
            /^host auth\.dev\.ctis\.betts\.example: no TLS minimum/,
          ],
          [`ClientTrafficPolicy/${D}/ctis`]: [/^host dev\.ctis\.betts\.example: accepts TLS 1\.2 \(tls\.minVersion "1\.2" of ClientTrafficPolicy ctis \(listener https-frontend of Gateway ctis\)\), below the configured minimum TLS 1\.3$/],
        },
      },
    ],
  },

  'edge-security-headers': {
    valid: [
      ...allDist(),
      {
        name: 'nginx: stricter values pass, SAMEORIGIN beside frame-ancestors none, and hiding the application copy of a header the edge sets',
        objects: mutate('production', (o) => {
          const a = snippet(o, 'frontend');
          a['nginx.org/server-snippets'] = a['nginx.org/server-snippets']
            .replace(/connect-src 'self' [^;]*;/, "connect-src 'self' https://api.ctis.betts.example;")
            .replace('add_header X-Frame-Options "DENY" always;', 'add_header X-Frame-Options "SAMEORIGIN" always;')
            .replace('"strict-origin-when-cross-origin"', '"no-referrer"');
          a['nginx.org/proxy-hide-headers'] = 'Content-Security-Policy';
        }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'nginx: a header line removed, one without always, a CSP that allows eval',
        objects: mutate('production', (o) => {
          const f = snippet(o, 'frontend');
          f['nginx.org/server-snippets'] = f['nginx.org/server-snippets'].replace(/add_header Referrer-Policy [^\n]*\n/, '');
          const a = snippet(o, 'api');
          a['nginx.org/server-snippets'] = a['nginx.org/server-snippets']
            .replace('"nosniff" always;', '"nosniff";')
            .replace("default-src 'none'", "default-src 'none'; script-src 'self' 'unsafe-eval'");
        }),
        expect: {
          [`Ingress/${P}/frontend`]: [/^https:\/\/ctis\.betts\.example\/ does not set Referrer-Policy$/],
          [`Ingress/${P}/api`]: [
            /^https:\/\/api\.ctis\.betts\.example\/api sets a Content-Security-Policy that allows more than configured: script-src allows 'self' 'unsafe-eval' \(configured: default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'\)$/,
            /^https:\/\/api\.ctis\.betts\.example\/api sets X-Content-Type-Options without `always` \(nginx\.org\/server-snippets\): error responses go out without it$/,
          ],
        },
      },
      {
        name: "nginx: a location's own add_header hides every server-level header",
        objects: mutate('production', (o) => {
          snippet(o, 'auth-server')['nginx.org/location-snippets'] = 'add_header Cache-Control "no-store";';
        }),
        expect: {
          [`Ingress/${P}/auth-server`]: [
            /does not set Content-Security-Policy$/,
            /does not set X-Content-Type-Options$/,
            /does not set X-Frame-Options$/,
            /does not set Referrer-Policy$/,
            /does not set Permissions-Policy$/,
          ],
        },
      },
      {
        name: 'traefik: the frontend headers Middleware detached, a header removed and a weaker referrer policy on api',
        env: 'staging',
        objects: mutate('staging', (o) => {
          snippet(o, 'frontend')['traefik.ingress.kubernetes.io/router.middlewares'] = 'ctis-staging-hsts@kubernetescrd';
          const h = find(o, 'Middleware', 'api-security-headers').spec.headers;
          h.referrerPolicy = 'unsafe-url';
          h.customResponseHeaders = { 'Permissions-Policy': '' };
        }),
        expect: {
          [`Ingress/${S}/frontend`]: [
            /^https:\/\/staging\.ctis\.betts\.example\/ does not set Content-Security-Policy$/,
            /does not set X-Content-Type-Options$/,
            /does not set X-Frame-Options$/,
            /does not set Referrer-Policy$/,
            /does not set Permissions-Policy$/,
          ],
          [`Ingress/${S}/api`]: [
            /^https:\/\/api\.staging\.ctis\.betts\.example\/api sets Referrer-Policy "unsafe-url", which sends more than the configured no-referrer$/,
            /^https:\/\/api\.staging\.ctis\.betts\.example\/api does not set Permissions-Policy \(removed by Middleware api-security-headers customResponseHeaders\)$/,
          ],
          [`Ingress/${S}/api-admin`]: [/sets Referrer-Policy "unsafe-url"/, /does not set Permissions-Policy \(removed by/],
        },
      },
      {
        name: 'gateway-api: nosniff dropped, a looser Permissions-Policy, framing allowed',
        env: 'development',
        objects: mutate('development', (o) => {
          const api = gatewaySet(o, 'api');
          api.splice(api.findIndex((h) => h.name === 'X-Content-Type-Options'), 1);
          const f = gatewaySet(o, 'frontend');
          f.find((h) => h.name === 'Permissions-Policy')!.value = 'camera=(self), geolocation=()';
          f.find((h) => h.name === 'X-Frame-Options')!.value = 'SAMEORIGIN';
          const csp = f.find((h) => h.name === 'Content-Security-Policy')!;
          csp.value = csp.value.replace("frame-ancestors 'none'", "frame-ancestors 'self'");
        }),
        expect: {
          [`HTTPRoute/${D}/api`]: [/^https:\/\/api\.dev\.ctis\.betts\.example\/api does not set X-Content-Type-Options$/],
          [`HTTPRoute/${D}/frontend`]: [
            /^https:\/\/dev\.ctis\.betts\.example\/ sets a Content-Security-Policy that allows more than configured: frame-ancestors allows 'self'/,
            /^https:\/\/dev\.ctis\.betts\.example\/ sets X-Frame-Options "SAMEORIGIN", weaker than the configured DENY$/,
            /^https:\/\/dev\.ctis\.betts\.example\/ sets a Permissions-Policy that allows more than configured: accelerometer \(not restricted\), camera=\(self\), gyroscope \(not restricted\), magnetometer \(not restricted\), microphone \(not restricted\), payment \(not restricted\), usb \(not restricted\)$/,
          ],
        },
      },
    ],
  },
};

/** An Envoy Gateway ClientTrafficPolicy `ctis` in the development namespace, as if from another file. */
function loadCtp(spec: Record<string, unknown>): LoadedObject[] {
  return load([{ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy', metadata: { name: 'ctis', namespace: D }, spec }], 'extra.yaml');
}
