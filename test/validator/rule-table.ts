/**
 * Per-rule valid/invalid cases: each case builds a small set of objects (or mutates the committed
 * dist/<env>) and states the exact findings of the rule under test, per resource. An empty
 * expectation means every object must pass.
 */
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import type { LoadedObject } from '../../src/manifests';
import { DELIVERY_RULE_CASES } from './rule-table-delivery';
import {
  allDist,
  configMap,
  dist,
  distObjects,
  env,
  externalSecret,
  find,
  load,
  mutate,
  namespaceObject,
  ns,
  Obj,
  secretRef,
  selector,
  service,
  stdLabels,
  withExtra,
  workload,
} from './fixtures';
import { ADMISSION_RULE_CASES } from './rule-table-admission';
import { BLUE_GREEN_CASES, BLUE_GREEN_EXTRA_CASES } from './rule-table-blue-green';
import { OPERATIONS_CASES } from './rule-table-operations';
import { EDGE_HARDENING_CASES } from './rule-table-edge';

export interface RuleCase {
  readonly name: string;
  readonly env?: EnvironmentName;
  /** Configuration fields to override for this case. */
  readonly config?: Partial<EnvironmentConfig>;
  readonly objects: () => LoadedObject[];
  /** resource (`Kind/namespace/name`) -> one pattern per expected finding, in line order. */
  readonly expect: Record<string, RegExp[]>;
  /** When given: the expected findings these match are warnings, every other one an error. */
  readonly warnings?: RegExp[];
  /** [message, remediation]: a finding whose message matches the first has a remediation matching the second. */
  readonly remediations?: [RegExp, RegExp][];
}

export interface RuleCases {
  readonly valid: RuleCase[];
  readonly invalid: RuleCase[];
}

const P = 'ctis-production';
const S = 'ctis-staging';
const D = 'ctis-development';

const certificate = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name, namespace: P },
  spec: { secretName: name, dnsNames: [`${name}.${P}.svc`], issuerRef: { kind: 'ClusterIssuer', name: 'ctis-internal-ca' }, ...extra },
});

const netpol = (name: string, spec: Obj, e: EnvironmentName = 'production'): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns(e) }, spec });

export const RULE_CASES: Record<string, RuleCases> = {
  ...DELIVERY_RULE_CASES,
  'internal-not-exposed': {
    valid: [...allDist(), { name: 'ClusterIP Service of redis', objects: () => load([...workload('redis'), service('redis')]), expect: {} }],
    invalid: [
      {
        name: 'LoadBalancer with externalIPs, hostPort and an Ingress to app-server',
        objects: () =>
          load([
            ...workload('app-server', { ports: [{ name: 'http', containerPort: 8080, hostPort: 8080 }], podSpec: { hostNetwork: true } }),
            service('app-server', { spec: { type: 'LoadBalancer', externalIPs: ['203.0.113.7'] } }),
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'Ingress',
              metadata: { name: 'leak', namespace: P },
              spec: { rules: [{ host: 'x.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app-server', port: { number: 8080 } } } }] } }] },
            },
          ]),
        expect: {
          [`Deployment/${P}/app-server`]: [/hostNetwork/, /hostPort 8080/],
          [`Service/${P}/app-server`]: [/type LoadBalancer/, /externalIPs/],
          [`Ingress/${P}/leak`]: [/routes \/ to internal component app-server/],
        },
      },
      {
        name: 'NodePort Service selecting redis pods under another name',
        objects: () => load([...workload('redis'), service('redis', { name: 'cache-debug', spec: { type: 'NodePort' } })]),
        expect: { [`Service/${P}/cache-debug`]: [/type NodePort/] },
      },
    ],
  },

  'network-default-deny': {
    valid: allDist(),
    invalid: [
      {
        name: 'dist/production without the default-deny policy',
        objects: mutate('production', (o) => o.filter((x) => !(x.object.kind === 'NetworkPolicy' && x.object.metadata?.name === 'default-deny'))),
        expect: { [`Namespace//${P}`]: [/no default-deny for ingress and egress/] },
      },
      {
        name: 'default-deny for ingress only',
        objects: mutate('production', (o) => {
          find(o, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Ingress'];
        }),
        expect: { [`Namespace//${P}`]: [/no default-deny for egress/] },
      },
    ],
  },

  'network-missing-edge': {
    valid: allDist(),
    invalid: [
      {
        name: 'auth-server no longer admits api',
        objects: mutate('production', (o) => {
          const p = find(o, 'NetworkPolicy', 'auth-server');
          p.spec.ingress = p.spec.ingress.filter((r: Obj) => !JSON.stringify(r.from).includes('"app.kubernetes.io/name":"api"'));
        }),
        expect: { [`Rollout/${P}/auth-server`]: [/missing edge api -> auth-server \(TCP 8080, OIDC discovery and JWKS\): not allowed/] },
      },
      {
        name: 'staging app-server loses its egress to postgresql',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const p = find(o, 'NetworkPolicy', 'app-server');
          p.spec.egress = p.spec.egress.filter((r: Obj) => !JSON.stringify(r.to ?? []).includes('postgresql'));
        }),
        expect: { [`StatefulSet/${S}/postgresql`]: [/missing edge app-server -> postgresql \(TCP 5432, application data and Hangfire storage\)/] },
      },
    ],
  },

  'network-extra-connection': {
    valid: allDist(),
    invalid: [
      {
        name: 'an allow-all ingress policy for redis opens it to other namespaces, the edge, DNS pods and the internet (in-namespace peers stay bound by their egress)',
        env: 'development',
        objects: mutate('development', (o) => [...o, ...load([netpol('redis-open', { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } }, ingress: [{}] }, 'development')], 'extra.yaml')]),
        expect: {
          [`StatefulSet/${D}/redis`]: [
            /extra connection 0\.0\.0\.0-255\.255\.255\.255 \(the internet\) -> redis \(All Connections\)/,
            /extra connection ingress controller \(nginx-gateway\) -> redis \(All Connections\)/,
            /extra connection kube-dns \(kube-system\) -> redis \(All Connections\)/,
            /extra connection argo-rollouts \(argo-rollouts\) -> redis \(All Connections\)/,
            /extra connection pod app=stray in namespace argo-rollouts -> redis \(All Connections\)/,
            /extra connection otel-collector \(observability\) -> redis \(All Connections\)/,
            /extra connection pod app=stray in namespace observability -> redis \(All Connections\)/,
            /extra connection pod app=stray in the controller namespace nginx-gateway -> redis \(All Connections\)/,
            /extra connection pod in namespace elsewhere -> redis \(All Connections\)/,
          ],
        },
      },
      {
        name: "api admits the whole controller namespace (namespaceSelector without podSelector)",
        objects: mutate('production', (o) => {
          for (const rule of find(o, 'NetworkPolicy', 'api').spec.ingress) for (const peer of rule.from ?? []) if (peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'nginx-ingress') delete peer.podSelector;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^extra connection pod app=stray in the controller namespace nginx-ingress -> api \(TCP 8080\) is allowed but not declared \(ingress policies: api, default-deny\)$/],
        },
      },
      {
        name: 'api may send to the whole internet on 443',
        objects: mutate('production', (o) => {
          find(o, 'NetworkPolicy', 'api').spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
        }),
        expect: {
          [`Rollout/${P}/api`]: [
            /extra connection api -> 0\.0\.0\.0-10\.20\.8\.255 \(the internet\) \(TCP 443\)/,
            /extra connection api -> managed-redis 10\.20\.9\.0-10\.20\.9\.255 \(TCP 443\)/,
            /extra connection api -> 10\.20\.12\.0-255\.255\.255\.255 \(the internet\) \(TCP 443\)/,
          ],
        },
      },
    ],
  },

  'network-policy-problems': {
    valid: allDist(),
    invalid: [
      {
        name: 'named port no selected pod declares',
        objects: () => load([...workload('api'), netpol('api', { podSelector: { matchLabels: selector('api') }, ingress: [{ ports: [{ port: 'metrics' }] }] })]),
        expect: { [`NetworkPolicy/${P}/api`]: [/metrics/] },
      },
    ],
  },

  'edge-tls': {
    valid: allDist(),
    invalid: [
      {
        name: 'nginx Ingress host without TLS',
        objects: mutate('production', (o) => {
          delete find(o, 'Ingress', 'frontend').spec.tls;
        }),
        expect: { [`Ingress/${P}/frontend`]: [/host ctis\.betts\.example is served over plain HTTP only/] },
      },
      {
        name: 'TLS secret with no source and a foreign issuer',
        objects: mutate('production', (o) => {
          const i = find(o, 'Ingress', 'api');
          i.metadata.annotations['cert-manager.io/cluster-issuer'] = 'self-signed';
          const f = find(o, 'Ingress', 'frontend');
          delete f.metadata.annotations['cert-manager.io/cluster-issuer'];
        }),
        expect: {
          [`Ingress/${P}/api`]: [/cluster issuer self-signed is not the configured letsencrypt-production/],
          [`Ingress/${P}/frontend`]: [/TLS secret frontend-tls is neither issued by cert-manager/],
        },
      },
      {
        name: 'gateway-api HTTPS listener without certificate',
        env: 'development',
        objects: mutate('development', (o) => {
          const gw = find(o, 'Gateway', 'ctis');
          delete gw.spec.listeners.find((l: Obj) => l.name === 'https-api').tls.certificateRefs;
        }),
        expect: {
          [`Gateway/${D}/ctis`]: [/HTTPS listener https-api has no certificateRefs/],
          [`HTTPRoute/${D}/api`]: [/host api\.dev\.ctis\.betts\.example is served over TLS without a certificate/],
        },
      },
    ],
  },

  'edge-https-redirect': {
    valid: allDist(),
    invalid: [
      {
        name: 'nginx redirect annotations removed',
        objects: mutate('production', (o) => {
          const a = find(o, 'Ingress', 'api').metadata.annotations;
          delete a['nginx.org/redirect-to-https'];
          delete a['ingress.kubernetes.io/ssl-redirect'];
        }),
        expect: { [`Ingress/${P}/api`]: [/http:\/\/api\.ctis\.betts\.example\/api reaches Service api without a redirect/] },
      },
      {
        name: 'traefik: no redirect Ingress for the frontend host',
        env: 'staging',
        objects: mutate('staging', (o) => o.filter((x) => x.object.metadata?.name !== 'frontend-http-redirect')),
        expect: { [`Ingress/${S}/frontend`]: [/no HTTP-to-HTTPS redirect for host staging\.ctis\.betts\.example/] },
      },
      {
        name: 'gateway-api: the HTTP listener route forwards instead of redirecting',
        env: 'development',
        objects: mutate('development', (o) => {
          const r = find(o, 'HTTPRoute', 'http-to-https');
          r.spec.hostnames = ['api.dev.ctis.betts.example'];
          r.spec.rules = [{ backendRefs: [{ name: 'api', port: 8080 }] }];
        }),
        expect: {
          [`HTTPRoute/${D}/http-to-https`]: [/http:\/\/api\.dev\.ctis\.betts\.example\/ reaches Service api without a redirect/],
          [`HTTPRoute/${D}/auth-server`]: [/no HTTP-to-HTTPS redirect for host auth\.dev/],
          [`HTTPRoute/${D}/frontend`]: [/no HTTP-to-HTTPS redirect for host dev\.ctis/],
        },
      },
    ],
  },

  'edge-hsts': {
    valid: allDist(),
    invalid: [
      {
        name: 'nginx: short max-age, no includeSubDomains',
        objects: mutate('production', (o) => {
          const a = find(o, 'Ingress', 'api').metadata.annotations;
          a['nginx.org/hsts-max-age'] = '86400';
          a['nginx.org/hsts-include-subdomains'] = 'false';
        }),
        expect: { [`Ingress/${P}/api`]: [/HSTS max-age for api\.ctis\.betts\.example is 86400/, /lacks includeSubDomains/] },
      },
      {
        name: 'nginx: one year, shorter than the configured two',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'frontend').metadata.annotations['nginx.org/hsts-max-age'] = '31536000';
        }),
        expect: { [`Ingress/${P}/frontend`]: [/^HSTS max-age for ctis\.betts\.example is 31536000 \(nginx\.org\/hsts annotations\), shorter than the configured 63072000$/] },
      },
      {
        name: 'traefik: HSTS middleware detached from the TLS router',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'Ingress', 'api').metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares'] = '';
        }),
        expect: { [`Ingress/${S}/api`]: [/https:\/\/api\.staging\.ctis\.betts\.example\/api is served without HSTS/] },
      },
      {
        name: 'gateway-api: ResponseHeaderModifier without includeSubDomains',
        env: 'development',
        objects: mutate('development', (o) => {
          find(o, 'HTTPRoute', 'frontend').spec.rules[0].filters[0].responseHeaderModifier.set[0].value = 'max-age=31536000';
        }),
        expect: { [`HTTPRoute/${D}/frontend`]: [/HSTS for dev\.ctis\.betts\.example lacks includeSubDomains/] },
      },
    ],
  },

  ...EDGE_HARDENING_CASES,

  'admin-paths-not-public': {
    valid: allDist(),
    invalid: [
      {
        name: 'nginx: auth-server routed at / (covers /admin, /ops, /hangfire)',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'auth-server').spec.rules[0].http.paths[0].path = '/';
        }),
        expect: { [`Ingress/${P}/auth-server`]: [/https:\/\/auth\.ctis\.betts\.example\/ routes \/admin, \/ops, \/hangfire of auth-server publicly \(open to everyone\)/] },
      },
      {
        name: 'nginx: /Hangfire of api in another case, as an implementation-specific path (ASP.NET routes case-insensitively)',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'api').spec.rules[0].http.paths.push({ path: '/Hangfire/dashboard', pathType: 'ImplementationSpecific', backend: { service: { name: 'api', port: { name: 'http' } } } });
        }),
        expect: { [`Ingress/${P}/api`]: [/https:\/\/api\.ctis\.betts\.example\/Hangfire\/dashboard routes \/hangfire of api publicly \(open to everyone\)$/] },
      },
      {
        name: 'traefik: admin allow-list wider than the configured one',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'Middleware', 'admin-allow-list').spec.ipAllowList.sourceRange = ['0.0.0.0/0'];
        }),
        expect: {
          [`Ingress/${S}/api-admin`]: [/\/admin routes \/admin of api publicly \(allow-list entry 0\.0\.0\.0\/0 is outside/, /\/ops/, /\/hangfire/],
          [`Ingress/${S}/auth-server-admin`]: [/\/admin routes \/admin of auth-server/, /\/ops/, /\/hangfire/],
        },
      },
    ],
  },

  'edge-profile': {
    valid: allDist(),
    invalid: [
      {
        name: 'wrong ingress class and a stray HTTPRoute under the nginx profile',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'api').spec.ingressClassName = 'haproxy';
          return withExtra(o, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'side', namespace: P }, spec: { parentRefs: [{ name: 'gw' }] } }]);
        }),
        expect: { [`Ingress/${P}/api`]: [/ingressClassName haproxy is not the configured nginx/], [`HTTPRoute/${P}/side`]: [/edge profile is nginx/] },
      },
      {
        name: 'gateway-api: route attached to a missing listener',
        env: 'development',
        objects: mutate('development', (o) => {
          find(o, 'HTTPRoute', 'api').spec.parentRefs[0].sectionName = 'https-nope';
        }),
        expect: { [`HTTPRoute/${D}/api`]: [/Gateway ctis has no listener https-nope/] },
      },
    ],
  },

  'public-hosts-routed': {
    valid: allDist(),
    invalid: [
      {
        name: 'the frontend Ingress is missing',
        objects: mutate('production', (o) => o.filter((x) => !(x.object.kind === 'Ingress' && x.object.metadata?.name === 'frontend'))),
        expect: { [`Service/${P}/frontend`]: [/public component frontend is not routed on https:\/\/ctis\.betts\.example/] },
      },
    ],
  },

  'issuer-public-https': {
    valid: allDist(),
    invalid: [
      {
        name: 'http issuer with a path, on a host not routed',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'auth-server-settings').data.AuthServer__Issuer = 'http://login.example/auth';
        }),
        expect: {
          [`Rollout/${P}/auth-server`]: [
            /^AuthServer__Issuer http:\/\/login\.example\/auth differs from the configured issuer https:\/\/auth\.ctis\.betts\.example \(not https; not the bare origin https:\/\/<host>; host login\.example is not routed to auth-server over TLS\)$/,
          ],
        },
      },
      {
        name: 'http issuer on the right host: one finding',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'auth-server-settings').data.AuthServer__Issuer = 'http://auth.ctis.betts.example';
        }),
        expect: { [`Rollout/${P}/auth-server`]: [/^AuthServer__Issuer http:\/\/auth\.ctis\.betts\.example differs from the configured issuer https:\/\/auth\.ctis\.betts\.example \(not https\)$/] },
      },
      {
        name: 'api authority differs from the issuer',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'api-settings').data.Authentication__Authority = 'https://evil.example';
        }),
        expect: { [`Rollout/${P}/api`]: [/Authentication__Authority https:\/\/evil\.example \(ConfigMap api-settings\) is not the issuer/] },
      },
    ],
  },

  'secret-literal': {
    valid: [
      ...allDist(),
      {
        name: 'secretKeyRef, $(VAR) arguments and checksum annotations',
        objects: () =>
          load([
            ...workload('redis', {
              envVars: [secretRef('REDIS_PASSWORD', 'redis-credentials', 'password'), secretRef('REDISCLI_AUTH', 'redis-credentials', 'password')],
              container: { args: ['--requirepass', '$(REDIS_PASSWORD)'] },
              annotations: { 'ctis.io/settings-checksum': 'e76dfa09b8ded1b2b202076096413650637ab198b3ea474a4b2d8956a306f799' },
            }),
            configMap('plain', { InternalTokens__Issuer: 'https://auth.example', AppServer__ClientCertificate__KeyPath: '/etc/tls.key', LogLevel: 'Information' }),
          ]),
        expect: {},
      },
      {
        name: "annotations of our tools and Secret references by name are not secrets",
        objects: () =>
          load(
            workload('api', {
              annotations: {
                'ctis.io/pre-provisioned-secrets': 'registry-pull, api-tls',
                'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
                'cert-manager.io/cluster-issuer': 'letsencrypt-production',
                'nginx.ingress.kubernetes.io/auth-secret': 'ctis-production/basic-auth',
                'example.com/rotate-token': 'true',
                'redis.example/connection-string': 'redis:6380,ssl=True,abortConnect=false',
              },
            }),
          ),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'literal password, connection string in a ConfigMap, token in an annotation, Secret with data',
        objects: () =>
          load([
            ...workload('api', { envVars: [{ name: 'InternalTokens__ApiKey', value: 'abc' }, { name: 'CACHE_URL', value: 'redis://:s3cr3t@redis:6379' }] }),
            configMap('db', { ConnectionStrings__DefaultConnection: 'Host=db;Username=app;Password=hunter2' }),
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: P, annotations: { 'example.com/token': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }, stringData: { password: 'x' } },
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/InternalTokens__ApiKey holds a secret-like name with a literal value/, /CACHE_URL holds a URL with a password/],
          [`ConfigMap/${P}/db`]: [/ConfigMap key ConnectionStrings__DefaultConnection holds a secret-like key/],
          [`Secret/${P}/plain`]: [/annotation example\.com\/token holds a GitHub token/, /Secret with literal data \(password\)/],
        },
      },
      {
        name: 'StackExchange.Redis connection strings (`,` separators) with a password',
        objects: () =>
          load([
            ...workload('api', { envVars: [{ name: 'CACHE', value: 'redis.internal:6380,password=hunter2,ssl=True' }] }),
            configMap('cache', { Redis: 'redis.internal:6380,abortConnect=false,password=hunter2' }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/^container api: CACHE holds a connection string with a password; read it from a Secret \(secretKeyRef\)$/],
          [`ConfigMap/${P}/cache`]: [/^ConfigMap key Redis holds a connection string with a password$/],
        },
      },
      {
        name: 'secret-like annotation names with literal values, on an object and on a pod template',
        objects: () => {
          const objs = workload('api', { annotations: { 'db-password': 'hunter2' } });
          objs[0].spec.template.metadata.annotations = { 'example.com/api-token': 'abc123' };
          return load([...objs, { ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'vendor.example/signing-key': 'opensesame' } } }]);
        },
        expect: {
          [`Deployment/${P}/api`]: [/^annotation db-password holds a secret-like name with a literal value$/, /^annotation example\.com\/api-token holds a secret-like name with a literal value$/],
          [`ConfigMap/${P}/x`]: [/^annotation vendor\.example\/signing-key holds a secret-like name with a literal value$/],
        },
      },
    ],
  },

  'secret-source': {
    valid: [
      ...allDist(),
      {
        name: 'ExternalSecret target and a declared pre-provisioned pull secret',
        objects: () =>
          load([
            ...workload('api', { envVars: [secretRef('X', 'api-secret')], podSpec: { imagePullSecrets: [{ name: 'registry-pull' }] }, annotations: { 'ctis.io/pre-provisioned-secrets': 'registry-pull' } }),
            externalSecret('api-secret'),
          ]),
        expect: {},
      },
      {
        name: 'keys written by the producers: Certificate keys, ExternalSecret dataFrom (any key) and template keys',
        objects: () =>
          load([
            ...workload('api', {
              envVars: [secretRef('A', 'from-vault', 'anything'), secretRef('B', 'templated', 'dsn'), secretRef('C', 'api-secret', 'nope-but-optional')],
              volumes: [
                { name: 'client', secret: { secretName: 'api-client-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }] } },
                { name: 'bundle', projected: { sources: [{ secret: { name: 'api-client-tls', items: [{ key: 'tls-combined.pem', path: 'all.pem' }] } }] } },
              ],
            }),
            certificate('api-client-tls', { additionalOutputFormats: [{ type: 'CombinedPEM' }] }),
            externalSecret('from-vault', 'production', { data: undefined, dataFrom: [{ extract: { key: 'ctis-production/bundle' } }] }),
            externalSecret('templated', 'production', { target: { name: 'templated', template: { data: { dsn: 'Host=db;Password={{ .value }}' } } } }),
            externalSecret('api-secret'),
          ]).map((o) => {
            const c = o.object.spec?.template?.spec?.containers?.[0];
            if (c) c.env[2].valueFrom.secretKeyRef.optional = true;
            return o;
          }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'Secret from nowhere, ExternalSecret on another store',
        objects: () =>
          load([
            ...workload('api', { envVars: [secretRef('X', 'hand-made')], volumes: [{ name: 'certs', secret: { secretName: 'certs' } }] }),
            externalSecret('other', 'production', { secretStoreRef: { kind: 'SecretStore', name: 'local' } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/env X references Secret hand-made, which no ExternalSecret or Certificate/, /volume certs references Secret certs/],
          [`ExternalSecret/${P}/other`]: [/reads from SecretStore local, not the configured ClusterSecretStore ctis-key-vault/],
        },
      },
      {
        name: 'keys the producers do not write: an ExternalSecret key, a Certificate item, a key the template replaces',
        objects: () =>
          load([
            ...workload('api', {
              envVars: [secretRef('DB_PASSWORD', 'api-secret', 'password'), secretRef('RAW', 'templated', 'value')],
              volumes: [{ name: 'client', secret: { secretName: 'api-client-tls', items: [{ key: 'tls.pem', path: 'tls.pem' }] } }],
            }),
            certificate('api-client-tls'),
            externalSecret('api-secret'),
            externalSecret('templated', 'production', { target: { name: 'templated', template: { data: { dsn: 'Host=db;Password={{ .value }}' } } } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [
            /^env DB_PASSWORD reads key password of Secret api-secret, which ExternalSecret api-secret does not write \(keys: value\)$/,
            /^env RAW reads key value of Secret templated, which ExternalSecret templated does not write \(keys: dsn\)$/,
            /^volume client reads key tls\.pem of Secret api-client-tls, which Certificate api-client-tls does not write \(keys: tls\.crt, tls\.key, ca\.crt\)$/,
          ],
        },
      },
    ],
  },

  'cors-explicit-origins': {
    valid: allDist(),
    invalid: [
      {
        name: 'wildcard, http origin and no list at all',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Cors__AllowedOrigins__0: '*', Cors__AllowedOrigins__1: 'http://ctis.betts.example' } }),
            ...workload('api', { settings: { Other: 'x' } }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/Cors__AllowedOrigins__0=\* \(ConfigMap auth-server-settings\) is a wildcard origin/, /Cors__AllowedOrigins__1=http:\/\/ctis\.betts\.example .* is not an https origin/],
          [`Deployment/${P}/api`]: [/api has no Cors__AllowedOrigins__N setting/],
        },
      },
      {
        name: 'wildcards under other spellings of the key: upper case in the ConfigMap, `:` in env',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Cors__AllowedOrigins__0: 'https://ctis.betts.example', CORS__ALLOWEDORIGINS__1: '*' } }),
            ...workload('api', { settings: { Cors__AllowedOrigins__0: 'https://ctis.betts.example' }, envVars: [{ name: 'Cors:AllowedOrigins:1', value: '*' }] }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/^CORS__ALLOWEDORIGINS__1=\* \(ConfigMap auth-server-settings\) is a wildcard origin$/],
          [`Deployment/${P}/api`]: [/^Cors:AllowedOrigins:1=\* is a wildcard origin$/],
        },
      },
    ],
  },

  'setting-key-unambiguous': {
    valid: [
      ...allDist(),
      {
        name: 'two spellings of one key with the same value',
        objects: () => load(workload('api', { settings: { RateLimiting__Enabled: 'true' }, envVars: [{ name: 'ratelimiting:enabled', value: 'true' }] })),
        expect: {},
      },
      { name: 'case matters for non-.NET containers', objects: () => load(workload('redis', { envVars: [{ name: 'MODE', value: 'a' }, { name: 'mode', value: 'b' }] })), expect: {} },
    ],
    invalid: [
      {
        name: 'hardening on in the ConfigMap, off under a lower-case spelling in env',
        objects: () => load(workload('app-server', { settings: { SecurityHardening__Enabled: 'true' }, envVars: [{ name: 'securityhardening__enabled', value: 'false' }] })),
        expect: {
          [`Deployment/${P}/app-server`]: [
            /^2 variables bind configuration key securityhardening:enabled with different values \(SecurityHardening__Enabled=true \(ConfigMap app-server-settings\), securityhardening__enabled=false\); which one \.NET uses is undefined$/,
          ],
        },
      },
    ],
  },

  'security-hardening': {
    valid: allDist(),
    invalid: [
      {
        name: 'headers off in env (overrides the ConfigMap), hardening missing',
        objects: () => load([...workload('app-server', { settings: { SecurityHeaders__Enabled: 'true' }, envVars: [{ name: 'SecurityHeaders__Enabled', value: 'false' }] })]),
        expect: { [`Deployment/${P}/app-server`]: [/does not set SecurityHardening__Enabled=true/, /sets SecurityHeaders__Enabled=false; it must be true/] },
      },
      {
        name: 'hardening off under a lower-case spelling, headers on in upper case',
        objects: () => load(workload('api', { settings: { securityhardening__enabled: 'false', SECURITYHEADERS__ENABLED: 'true' } })),
        expect: { [`Deployment/${P}/api`]: [/^api sets securityhardening__enabled=false \(ConfigMap api-settings\); it must be true$/] },
      },
      {
        name: 'one spelling true, another false: every spelling must be true',
        objects: () => load(workload('api', { settings: { SecurityHardening__Enabled: 'true', SecurityHeaders__Enabled: 'true' }, envVars: [{ name: 'SecurityHardening:Enabled', value: 'false' }] })),
        expect: { [`Deployment/${P}/api`]: [/^api sets SecurityHardening:Enabled=false; it must be true$/] },
      },
    ],
  },

  'rate-limiting': {
    valid: allDist(),
    invalid: [
      {
        name: 'rate limiting disabled on api',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'api-settings').data.RateLimiting__Enabled = 'false';
        }),
        expect: { [`Rollout/${P}/api`]: [/sets RateLimiting__Enabled=false \(ConfigMap api-settings\); it must be true/] },
      },
    ],
  },

  'internal-tokens-contract': {
    valid: allDist(),
    invalid: [
      {
        name: 'audience differs, JWKS on a component app-server cannot reach, API key from another Secret',
        objects: mutate('production', (o) => {
          const a = find(o, 'ConfigMap', 'app-server-settings').data;
          a.InternalTokens__Audience = 'someone-else';
          a.InternalTokens__JwksUrl = `http://frontend.${P}.svc.cluster.local:3000/jwks`;
          const env0 = find(o, 'Deployment', 'app-server').spec.template.spec.containers[0].env;
          env0.find((e: Obj) => e.name === 'InternalTokens__ApiKey').valueFrom.secretKeyRef.name = 'ctis-database';
        }),
        expect: {
          [`Deployment/${P}/app-server`]: [
            /InternalTokens__ApiKey comes from ctis-database\/api-key here but from ctis-internal-tokens\/api-key on api/,
            /InternalTokens__Audience someone-else is not the configured ctis-app-server/,
            /points at frontend, which app-server has no declared edge to/,
            /InternalTokens__JwksUrl is http:\/\/frontend.* here but http:\/\/auth-server.* on api/,
          ],
        },
      },
    ],
  },

  'app-server-mtls': {
    valid: allDist(),
    invalid: [
      {
        name: 'Service exposes the plain port too, api calls over http',
        objects: mutate('production', (o) => {
          find(o, 'Service', 'app-server').spec.ports.push({ name: 'http', port: 8080, targetPort: 'health', protocol: 'TCP' });
          find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl = `http://app-server.${P}.svc.cluster.local:8080`;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/AppServer__BaseUrl http:\/\/app-server.* is not https on the TLS port 8443/],
          [`Deployment/${P}/app-server`]: [/^Service app-server also exposes port 8080 -> health \(container port 8080\), bypassing mTLS$/],
        },
      },
      {
        name: 'api without AppServer__BaseUrl; app-server does not require client certificates',
        objects: mutate('production', (o) => {
          delete find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl;
          delete find(o, 'ConfigMap', 'app-server-settings').data.Kestrel__Endpoints__Https__ClientCertificateMode;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^api does not set AppServer__BaseUrl \(https:\/\/app-server\.ctis-production\.svc:8443\): it cannot reach app-server over mTLS$/],
          [`Deployment/${P}/app-server`]: [/^app-server does not set Kestrel__Endpoints__Https__ClientCertificateMode=RequireCertificate: callers without a client certificate would be served$/],
        },
      },
      {
        name: 'client certificates optional, api presents the server certificate, the Service port targets the plain port',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'app-server-settings').data.Kestrel__Endpoints__Https__ClientCertificateMode = 'AllowCertificate';
          find(o, 'Rollout', 'api').spec.template.spec.volumes.find((v: Obj) => v.name === 'app-server-client-cert').secret.secretName = 'app-server-tls';
          find(o, 'Service', 'app-server').spec.ports[0].targetPort = 'health';
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^api presents Secret app-server-tls, app-server's server certificate, as its client certificate: the client needs a certificate of its own$/],
          [`Deployment/${P}/app-server`]: [
            /^app-server sets Kestrel__Endpoints__Https__ClientCertificateMode=AllowCertificate \(ConfigMap app-server-settings\); it must be RequireCertificate$/,
            /^Service app-server has no port that reaches the TLS container port 8443 \(port 8443 -> health \(container port 8080\)\)$/,
          ],
        },
      },
      {
        name: 'numeric targetPort of the plain port; api calls another Service',
        objects: mutate('production', (o) => {
          find(o, 'Service', 'app-server').spec.ports[0].targetPort = 8080;
          find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl = `https://auth-server.${P}.svc.cluster.local:8443`;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^AppServer__BaseUrl https:\/\/auth-server\.ctis-production\.svc\.cluster\.local:8443 \(ConfigMap api-settings\) does not name a Service of app-server \(<service>\.<namespace>\.svc\)$/],
          [`Deployment/${P}/app-server`]: [/^Service app-server has no port that reaches the TLS container port 8443 \(port 8443 -> container port 8080\)$/],
        },
      },
      {
        name: 'no mounted certificate',
        objects: mutate('production', (o) => {
          const spec = find(o, 'Deployment', 'app-server').spec.template.spec;
          spec.containers[0].volumeMounts = spec.containers[0].volumeMounts.filter((m: Obj) => m.mountPath === '/tmp');
        }),
        expect: { [`Deployment/${P}/app-server`]: [/app-server mounts no server certificate Secret produced by a Certificate/] },
      },
    ],
  },

  'data-protection-keys': {
    valid: allDist(),
    invalid: [
      {
        name: 'claim ReadWriteOnce while 12 pods can run (6 per colour); read-only mode on a read-write mount',
        objects: mutate('production', (o) => {
          const pvc = find(o, 'PersistentVolumeClaim', 'auth-server-data-protection');
          pvc.spec.accessModes = ['ReadWriteOnce'];
          find(o, 'ConfigMap', 'auth-server-settings').data.AuthServer__DataProtection__ReadOnly = 'true';
        }),
        expect: {
          [`PersistentVolumeClaim/${P}/auth-server-data-protection`]: [/^up to 12 auth-server pods \(both colours of a blue-green release\) share .* ReadWriteOnce, not ReadWriteMany$/],
          [`Rollout/${P}/auth-server`]: [/read-only mode is true but config features\.dataProtectionReadOnly is false/, /ReadOnly=true but the key volume is mounted read-write/],
        },
      },
      {
        name: 'key path not on a claim',
        objects: () => load([...workload('auth-server', { settings: { AuthServer__DataProtection__KeyPath: '/keys' } })]),
        expect: { [`Deployment/${P}/auth-server`]: [/KeyPath \/keys is not on a mounted PersistentVolumeClaim/] },
      },
    ],
  },

  'hangfire-durable-storage': {
    valid: allDist(),
    invalid: [
      {
        name: 'in-memory in production, unset on app-server',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Hangfire__Storage: 'InMemory' } }),
            ...workload('app-server', { settings: { Other: '1' } }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/Hangfire__Storage=InMemory \(ConfigMap auth-server-settings\) in production/],
          [`Deployment/${P}/app-server`]: [/Hangfire__Storage is unset \(in-memory\) in production/],
        },
      },
      {
        name: 'development with two app-server pods',
        env: 'development',
        objects: mutate('development', (o) => {
          find(o, 'Deployment', 'app-server').spec.replicas = 2;
        }),
        expect: {
          [`Deployment/${D}/app-server`]: [/but app-server can run more than one pod/],
          [`Deployment/${D}/auth-server`]: [/but app-server can run more than one pod/],
        },
      },
    ],
  },

  'health-probes': {
    valid: allDist(),
    invalid: [
      {
        name: 'readiness on the wrong path, no startup probe, port not declared',
        objects: () =>
          load([
            ...workload('api', {
              container: {
                readinessProbe: { httpGet: { path: '/', port: 'http' } },
                livenessProbe: { httpGet: { path: '/health/live', port: 'metrics' } },
                startupProbe: undefined,
              },
            }),
          ]),
        expect: { [`Deployment/${P}/api`]: [/api has no startupProbe/, /readinessProbe of api probes \/, not \/health\/ready/, /livenessProbe of api uses port metrics/] },
      },
    ],
  },

  'rolling-update-safe': {
    valid: allDist(),
    invalid: [
      {
        name: 'default strategy and Recreate',
        objects: () => load([...workload('api', { spec: { strategy: undefined } }), ...workload('frontend', { spec: { strategy: { type: 'Recreate' } } })]),
        expect: { [`Deployment/${P}/api`]: [/maxUnavailable is unset \(default 25%\), not 0/], [`Deployment/${P}/frontend`]: [/strategy Recreate/] },
      },
    ],
  },

  'hpa-managed-replicas': {
    valid: allDist(),
    invalid: [
      {
        name: 'replicas under an HPA; no HPA for frontend in production',
        objects: mutate('production', (o) => {
          find(o, 'Rollout', 'api').spec.replicas = 3;
          return o.filter((x) => !(x.object.kind === 'HorizontalPodAutoscaler' && x.object.metadata?.name === 'frontend'));
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^spec\.replicas is set although HorizontalPodAutoscaler api owns the replica count: remove spec\.replicas$/],
          [`Rollout/${P}/frontend`]: [/^frontend has no HorizontalPodAutoscaler in production$/],
        },
        remediations: [
          [/^spec\.replicas/, /^Delete spec\.replicas from the Rollout; HorizontalPodAutoscaler api's minReplicas sets the floor/],
          [/no HorizontalPodAutoscaler/, /^Add an autoscaling\/v2 HorizontalPodAutoscaler targeting the Rollout \(replica bounds from config\/production\.yaml\)/],
        ],
      },
    ],
  },

  'pdb-required': {
    valid: allDist(),
    invalid: [
      {
        name: 'two replicas without a PodDisruptionBudget',
        objects: () => load([...workload('api', { replicas: 2 })]),
        expect: { [`Deployment/${P}/api`]: [/up to 2 pods can run but no PodDisruptionBudget selects them/] },
      },
    ],
  },

  'pod-security-restricted': {
    valid: [...allDist(), { name: 'builder default', objects: () => load(workload('api')), expect: {} }],
    invalid: [
      {
        name: 'privileged root container with hostPath',
        objects: () =>
          load(
            workload('api', {
              container: { securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } },
              podSpec: { securityContext: {}, volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'host', hostPath: { path: '/' } }] },
            }),
          ),
        expect: {
          [`Deployment/${P}/api`]: [
            /volume host of type hostPath is not allowed/,
            /container api is privileged/,
            /does not set allowPrivilegeEscalation: false/,
            /does not drop ALL capabilities/,
            /adds capabilities SYS_ADMIN/,
            /does not run with runAsNonRoot: true/,
            /^container api runs as user 0 \(root\)$/,
            /has no RuntimeDefault seccomp profile/,
          ],
        },
      },
      {
        name: 'root user and runAsNonRoot false set once on the pod: reported once, on the pod',
        objects: () =>
          load(
            workload('api', {
              container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
              podSpec: { securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } },
            }),
          ),
        expect: { [`Deployment/${P}/api`]: [/^pod securityContext\.runAsNonRoot is false$/, /^pod runs as user 0 \(root\)$/] },
      },
    ],
  },

  'writable-tmp': {
    valid: allDist(),
    invalid: [
      {
        name: 'read-only root filesystem without /tmp',
        objects: () => load(workload('frontend', { container: { volumeMounts: [] }, podSpec: { volumes: [] } })),
        expect: { [`Deployment/${P}/frontend`]: [/frontend has a read-only root filesystem but no writable emptyDir at \/tmp/] },
      },
    ],
  },

  'namespace-pod-security': {
    valid: allDist(),
    invalid: [
      {
        name: 'baseline instead of restricted',
        objects: () => load([namespaceObject('production', { 'pod-security.kubernetes.io/enforce': 'baseline' })]),
        expect: { [`Namespace//${P}`]: [/enforces Pod Security "baseline", not "restricted"/] },
      },
    ],
  },

  'namespace-present': {
    valid: allDist(),
    invalid: [{ name: 'no Namespace object', objects: () => load(workload('api')), expect: { [`Deployment/${P}/api`]: [/no Namespace ctis-production in the manifests/] } }],
  },

  'image-pinned': {
    valid: allDist(),
    invalid: [
      {
        name: 'latest, no tag, bad digest; a registry port is not a tag',
        objects: () =>
          load([
            ...workload('api', { image: 'registry.example:5000/ctis/api' }),
            ...workload('frontend', { image: 'frontend:latest' }),
            ...workload('auth-server', { image: 'auth@sha256:abc' }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/has no tag/],
          [`Deployment/${P}/frontend`]: [/uses the latest tag/],
          [`Deployment/${P}/auth-server`]: [/malformed digest/],
        },
      },
    ],
  },

  'standard-labels': {
    valid: allDist(),
    invalid: [
      {
        name: 'missing labels, unknown component, template of another component',
        objects: () =>
          load([
            { ...service('api'), metadata: { name: 'api', namespace: P, labels: { 'app.kubernetes.io/name': 'api' } } },
            ...workload('api', { name: 'debug', podLabels: { 'app.kubernetes.io/name': 'shell' } }),
          ]),
        expect: {
          [`Service/${P}/api`]: [/Service lacks labels app\.kubernetes\.io\/part-of, app\.kubernetes\.io\/instance, app\.kubernetes\.io\/managed-by/],
          [`Deployment/${P}/debug`]: [/pod template names component "shell"/, /Deployment is labelled api but its pods are shell/],
        },
      },
    ],
  },

  'component-workloads': {
    valid: allDist(),
    invalid: [
      {
        name: 'production runs redis in the cluster; api twice; frontend without Service',
        objects: mutate('production', (o) =>
          withExtra(
            o.filter((x) => !(x.object.kind === 'Service' && x.object.metadata?.name === 'frontend')),
            [...workload('redis', { kind: 'StatefulSet' }), ...workload('api', { name: 'api-canary' })],
          ),
        ),
        expect: {
          [`StatefulSet/${P}/redis`]: [/redis is a managed service in production/],
          [`Deployment/${P}/api-canary`]: [/component api already runs as Rollout api/],
          [`Rollout/${P}/frontend`]: [/component frontend has no Service named frontend/],
        },
      },
    ],
  },

  'namespace-matches-environment': {
    valid: allDist(),
    invalid: [
      {
        name: 'object in another namespace and a second Namespace',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: 'default' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }]),
        expect: { [`ConfigMap/default/x`]: [/in namespace default, not the production namespace ctis-production/], [`Namespace//other`]: [/Namespace other is not the production namespace/] },
      },
    ],
  },

  'service-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'selector typo and an unknown named target port',
        objects: () =>
          load([
            ...workload('api'),
            service('api', { name: 'api-typo', selector: { 'app.kubernetes.io/name': 'apl' } }),
            { ...service('api'), spec: { selector: selector('api'), ports: [{ port: 80, targetPort: 'web' }] } },
          ]),
        expect: { [`Service/${P}/api-typo`]: [/selects no pod/], [`Service/${P}/api`]: [/targetPort web is not a container port name/] },
      },
      {
        name: 'numeric and default target ports no selected pod declares: an error for a component, a warning for other pods',
        objects: () =>
          load([
            ...workload('api'),
            { ...service('api'), spec: { selector: selector('api'), ports: [{ name: 'http', port: 80, targetPort: 9090 }, { name: 'alt', port: 8080 }] } },
            ...workload('api', { name: 'debug', podLabels: { 'app.kubernetes.io/name': 'shell' } }),
            { ...service('api', { name: 'shell' }), spec: { selector: { 'app.kubernetes.io/name': 'shell' }, ports: [{ name: 'web', port: 9000 }] } },
          ]),
        expect: {
          [`Service/${P}/api`]: [/^targetPort 9090 is not a container port of the selected pods$/],
          [`Service/${P}/shell`]: [/^port 9000 \(the default targetPort\) is not a container port of the selected pods$/],
        },
        warnings: [/^port 9000/],
      },
    ],
  },

  'route-backend-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'Ingress to a missing Service and a missing port',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'api').spec.rules[0].http.paths[0].backend.service.name = 'apii';
          find(o, 'Ingress', 'frontend').spec.rules[0].http.paths[0].backend.service.port = { name: 'https' };
        }),
        expect: { [`Ingress/${P}/api`]: [/backend Service apii is not in the manifests/], [`Ingress/${P}/frontend`]: [/Service frontend has no port https/] },
      },
    ],
  },

  'hpa-target-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'HPA targets a missing Rollout',
        objects: mutate('production', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'api-v2';
        }),
        expect: { [`HorizontalPodAutoscaler/${P}/api`]: [/^scale target Rollout api-v2 is not in the manifests$/] },
      },
      {
        name: 'HPA targets a missing Deployment (staging)',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'frontend').spec.scaleTargetRef.name = 'frontend-v2';
        }),
        expect: { [`HorizontalPodAutoscaler/${S}/frontend`]: [/^scale target Deployment frontend-v2 is not in the manifests$/] },
      },
      {
        name: 'a Rollout named with the apps group; a kind that cannot be scaled',
        objects: mutate('production', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.apiVersion = 'apps/v1';
          find(o, 'HorizontalPodAutoscaler', 'frontend').spec.scaleTargetRef = { apiVersion: 'v1', kind: 'Service', name: 'frontend' };
        }),
        expect: {
          [`HorizontalPodAutoscaler/${P}/api`]: [/^scale target Rollout api is named with apiVersion apps\/v1, which does not serve Rollout \(argoproj\.io\/\.\.\.\)$/],
          [`HorizontalPodAutoscaler/${P}/frontend`]: [/^scale target kind Service cannot be scaled by an autoscaler/],
        },
        remediations: [[/apiVersion apps\/v1/, /^Set scaleTargetRef\.apiVersion to argoproj\.io\/v1alpha1\.$/]],
      },
    ],
  },

  'pdb-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'PDB selector matches nothing',
        objects: mutate('production', (o) => {
          find(o, 'PodDisruptionBudget', 'api').spec.selector.matchLabels['app.kubernetes.io/instance'] = 'ctis-staging';
        }),
        expect: { [`PodDisruptionBudget/${P}/api`]: [/selector selects no pod/] },
      },
    ],
  },

  'policy-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'NetworkPolicy for a component that does not run here',
        objects: () => load([...workload('api'), netpol('redis', { podSelector: { matchLabels: selector('redis') }, policyTypes: ['Ingress'] })]),
        expect: { [`NetworkPolicy/${P}/redis`]: [/podSelector .* selects no pod/] },
      },
    ],
  },

  'referenced-object-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'missing ConfigMap, key, claim and ServiceAccount',
        objects: () =>
          load([
            ...workload('api', {
              settings: { A: '1' },
              envVars: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'api-settings', key: 'B' } } }, { name: 'C', valueFrom: { configMapKeyRef: { name: 'nope', key: 'C', optional: true } } }],
              volumes: [{ name: 'keys', persistentVolumeClaim: { claimName: 'keys' } }],
              podSpec: { serviceAccountName: 'api' },
              container: { envFrom: [{ configMapRef: { name: 'api-settings' } }, { configMapRef: { name: 'missing' } }] },
            }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/env B references key B of ConfigMap api-settings/, /envFrom references ConfigMap missing/, /PersistentVolumeClaim keys/, /ServiceAccount api is not in the manifests/],
        },
      },
    ],
  },

  'schema-valid': {
    valid: [...allDist(), { name: 'builder objects', objects: () => load([...workload('api', { settings: { A: 'b' } }), service('api')]), expect: {} }],
    invalid: [
      {
        name: 'unknown field, wrong types, missing selector, duplicate container, bad name',
        objects: () =>
          load([
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'Bad_Name', namespace: P, labels: { 'app.kubernetes.io/name': 42 } },
              spec: {
                replicas: 'two',
                templates: {},
                template: { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'a', image: 'x:1' }] } },
              },
            },
            { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: P }, spec: { ports: [{ port: 80 }, { port: 81 }] } },
          ]),
        expect: {
          [`Deployment/${P}/Bad_Name`]: [
            /metadata\.labels\.app\.kubernetes\.io\/name must be a string, not a number \(42\)/,
            /metadata\.name "Bad_Name" is not a valid name/,
            /spec\.selector is required/,
            /spec\.replicas must be an integer, not a string/,
            /unknown field spec\.templates/,
          ],
          [`Service/${P}/s`]: [/port 80 needs a name/, /port 81 needs a name/],
        },
      },
      {
        name: 'CRD: missing required fields and a wrong enum',
        objects: () =>
          load([
            { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: P }, spec: { dnsNames: ['a'] } },
            externalSecret('e', 'production', { refreshPolicy: 'Sometimes' }),
          ]),
        expect: {
          [`Certificate/${P}/c`]: [/spec\.issuerRef is required/, /spec\.secretName is required/],
          [`ExternalSecret/${P}/e`]: [/spec\.refreshPolicy must be one of "CreatedOnce", "Periodic", "OnChange"/],
        },
      },
    ],
  },

  'api-version-served': {
    valid: allDist(),
    invalid: [
      {
        name: 'external-secrets.io/v1beta1 and policy/v1beta1',
        objects: () =>
          load([
            { ...externalSecret('e'), apiVersion: 'external-secrets.io/v1beta1' },
            { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: P }, spec: {} },
            { apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'd', namespace: P } },
          ]),
        expect: {
          [`ExternalSecret/${P}/e`]: [/ExternalSecret external-secrets\.io\/v1beta1 is no longer served: use external-secrets\.io\/v1/],
          [`PodDisruptionBudget/${P}/p`]: [/no longer served: use policy\/v1/],
          [`Deployment/${P}/d`]: [/Deployment is not served as apps\/v2 \(served: apps\/v1\)/],
        },
      },
      {
        name: 'admission policies at v1beta1',
        objects: mutate('production', (o) => {
          for (const x of o) if (String(x.object.kind).startsWith('ValidatingAdmissionPolicy') && x.object.metadata.name === 'ctis-production-pods') x.object.apiVersion = 'admissionregistration.k8s.io/v1beta1';
        }),
        expect: {
          ['ValidatingAdmissionPolicy//ctis-production-pods']: [/no longer served: use admissionregistration\.k8s\.io\/v1 \(Kubernetes 1\.30\+/],
          ['ValidatingAdmissionPolicyBinding//ctis-production-pods']: [/no longer served: use admissionregistration\.k8s\.io\/v1 \(Kubernetes 1\.30\+/],
        },
      },
    ],
  },

  'unknown-kind': {
    valid: allDist(),
    invalid: [
      {
        name: 'a kind nobody knows',
        objects: () => load([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: P } }]),
        expect: { [`Widget/${P}/w`]: [/unknown kind Widget \(example\.com\/v1\): not validated/] },
      },
    ],
  },

  'duplicate-object': {
    valid: allDist(),
    invalid: [
      {
        name: 'same ConfigMap twice (once without namespace)',
        objects: () => load([configMap('x', {}), { ...configMap('x', {}), metadata: { name: 'x' } }]),
        expect: { [`ConfigMap/${P}/x`]: [/ConfigMap\/ctis-production\/x is already defined at test\.yaml:2/] },
      },
    ],
  },

  'suppression-needs-reason': {
    valid: [{ name: 'suppression with a reason', objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.secret-literal': 'test data' } } }]), expect: {} }],
    invalid: [
      {
        name: 'empty reason',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.secret-literal': ' ' } } }]),
        expect: { [`ConfigMap/${P}/x`]: [/suppression of secret-literal has no reason/] },
      },
    ],
  },

  'suppression-unknown-rule': {
    valid: [{ name: 'known rule', objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.image-pinned': 'ok' } } }]), expect: {} }],
    invalid: [
      {
        name: 'typo in the rule id',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.image-pined': 'ok' } } }]),
        expect: { [`ConfigMap/${P}/x`]: [/suppression names unknown rule "image-pined"/] },
      },
    ],
  },

  ...ADMISSION_RULE_CASES,

  // Reported by the engine when a rule throws; the table runner injects a failing rule for it.
  'rule-failed': {
    valid: allDist(),
    invalid: [{ name: 'a rule that throws', objects: () => load([configMap('x', {})]), expect: { [`ConfigMap/${P}/x`]: [/rule boom could not check this object: kaboom/] } }],
  },
};

// The operations rules and the network cases of the connections they add.
for (const [id, cases] of Object.entries(OPERATIONS_CASES)) {
  const own = RULE_CASES[id];
  RULE_CASES[id] = own ? { valid: [...own.valid, ...cases.valid], invalid: [...own.invalid, ...cases.invalid] } : cases;
}

// Keep helpers referenced when cases change.
void env;
void stdLabels;

Object.assign(RULE_CASES, BLUE_GREEN_CASES);
for (const [id, cases] of Object.entries(BLUE_GREEN_EXTRA_CASES)) RULE_CASES[id].invalid.push(...cases);
