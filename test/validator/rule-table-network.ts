/**
 * Valid/invalid cases of the network policy and edge rules (exposure, TLS, redirects, HSTS, admin
 * paths, profile, hosts, issuer).
 */
import type { EnvironmentName } from '../../src/config/schema';
import { given, unset } from '../support/k8s';
import { allDist, D, find, load, mutate, ns, Obj, P, S, selector, service, withExtra, workload } from './fixtures';
import type { RuleCases } from './rule-table';
import { EDGE_HARDENING_CASES } from './rule-table-edge';

const netpol = (name: string, spec: Obj, e: EnvironmentName = 'production'): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns(e) }, spec });

export const NETWORK_AND_EDGE_CASES: Record<string, RuleCases> = {
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
          [`Ingress/${P}/leak`]: [/routes \/ to internal component app-server/],
        },
      },
    ],
  },

  'service-type': {
    valid: [
      ...allDist(),
      { name: 'ClusterIP, headless and ExternalName Services', objects: () => load([...workload('redis'), service('redis'), service('redis', { name: 'redis-headless', spec: { clusterIP: 'None' } }), service('redis', { name: 'ext', spec: { type: 'ExternalName', externalName: 'cache.example' } })]), expect: {} },
      { name: 'a NodePort Service in another namespace (not this environment\'s)', objects: () => load([{ ...service('api', { spec: { type: 'NodePort' } }), metadata: { name: 'api', namespace: 'tools' } }]), expect: {} },
    ],
    invalid: [
      {
        name: 'a LoadBalancer with externalIPs on app-server, a NodePort under another name on redis pods, and a NodePort on the public frontend',
        objects: () =>
          load([
            ...workload('app-server'),
            ...workload('redis'),
            ...workload('frontend'),
            service('app-server', { spec: { type: 'LoadBalancer', externalIPs: ['203.0.113.7'] } }),
            service('redis', { name: 'cache-debug', spec: { type: 'NodePort' } }),
            service('frontend', { spec: { type: 'NodePort' } }),
          ]),
        expect: {
          [`Service/${P}/app-server`]: [
            /^Service app-server \(internal component app-server\) has type LoadBalancer: it opens the pods on every node and an external load balancer, past the edge$/,
            /^Service app-server \(internal component app-server\) has externalIPs 203\.0\.113\.7: traffic to them reaches the pods past the edge$/,
          ],
          [`Service/${P}/cache-debug`]: [/^Service cache-debug \(internal component redis\) has type NodePort/],
          [`Service/${P}/frontend`]: [/^Service frontend \(public component frontend\) has type NodePort: it opens the pods on every node, past the edge$/],
        },
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
          p.spec.ingress = p.spec.ingress.filter((r) => !JSON.stringify(r.from).includes('"app.kubernetes.io/name":"api"'));
        }),
        expect: { [`NetworkPolicy/${P}/auth-server`]: [/^missing edge api -> auth-server \(TCP 8080, OIDC discovery and JWKS\): NetworkPolicy auth-server \(ingress of auth-server\) does not admit it$/] },
        remediations: [[/missing edge/, /^Add to NetworkPolicy auth-server an ingress rule from api on TCP 8080\.$/]],
        lines: [[/missing edge/, /^ {2}ingress:$/]],
      },
      {
        name: 'staging app-server loses its egress to postgresql',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const p = find(o, 'NetworkPolicy', 'app-server');
          p.spec.egress = p.spec.egress.filter((r) => !JSON.stringify(r.to ?? []).includes('postgresql'));
        }),
        expect: { [`NetworkPolicy/${S}/app-server`]: [/^missing edge app-server -> postgresql \(TCP 5432, application data and Hangfire storage\): NetworkPolicy app-server \(egress of app-server\) does not admit it$/] },
        remediations: [[/missing edge/, /^Add to NetworkPolicy app-server an egress rule to postgresql on TCP 5432\.$/]],
        lines: [[/missing edge/, /^ {2}egress:$/]],
      },
      {
        name: 'both sides drop the edge frontend -> api; a workload without a policy of its own is named',
        objects: mutate('production', (o) => {
          const f = find(o, 'NetworkPolicy', 'frontend');
          f.spec.egress = f.spec.egress.filter((r) => !JSON.stringify(r.to).includes('"app.kubernetes.io/name":"api"'));
          const a = find(o, 'NetworkPolicy', 'api');
          a.spec.ingress = a.spec.ingress.filter((r) => !JSON.stringify(r.from).includes('"app.kubernetes.io/name":"frontend"'));
          find(o, 'NetworkPolicy', 'app-server').metadata.name = 'east-west';
          const e = find(o, 'NetworkPolicy', 'east-west');
          e.spec.ingress = [];
        }),
        expect: {
          [`NetworkPolicy/${P}/api`]: [/^missing edge frontend -> api \(TCP 8080, API calls\): NetworkPolicy api \(ingress of api\) does not admit it; NetworkPolicy frontend \(egress of frontend\) does not admit it$/],
          [`NetworkPolicy/${P}/east-west`]: [/^missing edge api -> app-server \(TCP 8443, .*\): NetworkPolicy east-west \(ingress of app-server\) does not admit it$/, /^missing edge prometheus \(monitoring\) -> app-server/],
        },
        remediations: [[/frontend -> api/, /^Add to NetworkPolicy api an ingress rule from frontend on TCP 8080; and add to NetworkPolicy frontend an egress rule to api on TCP 8080\.$/]],
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
          [`NetworkPolicy/${D}/redis-open`]: [
            new RegExp(
              '^NetworkPolicy redis-open admits connections the topology does not declare through ingress\\[0\\] \\(no from: every source; every port\\): ' +
                'pod in namespace elsewhere -> redis \\(All Connections\\), ingress controller \\(nginx-gateway\\) -> redis \\(All Connections\\), ' +
                'pod app=stray in the controller namespace nginx-gateway -> redis \\(All Connections\\), kube-dns \\(kube-system\\) -> redis \\(All Connections\\), ' +
                'otel-collector \\(observability\\) -> redis \\(All Connections\\), pod app=stray in namespace observability -> redis \\(All Connections\\), ' +
                'argo-rollouts \\(argo-rollouts\\) -> redis \\(All Connections\\), pod app=stray in namespace argo-rollouts -> redis \\(All Connections\\) and 1 more$',
            ),
          ],
        },
        remediations: [[/redis-open/, /^Narrow ingress\[0\] of NetworkPolicy redis-open /]],
      },
      {
        name: "api admits the whole controller namespace (namespaceSelector without podSelector)",
        objects: mutate('production', (o) => {
          for (const rule of find(o, 'NetworkPolicy', 'api').spec.ingress) for (const peer of rule.from ?? []) if (peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'nginx-ingress') unset(peer, 'podSelector');
        }),
        expect: {
          [`NetworkPolicy/${P}/api`]: [
            /^NetworkPolicy api admits connections the topology does not declare through ingress\[0\]\.from\[0\] \(namespaceSelector \{kubernetes\.io\/metadata\.name=nginx-ingress\}; ports TCP 8080\): pod app=stray in the controller namespace nginx-ingress -> api \(TCP 8080\)$/,
          ],
        },
        remediations: [[/NetworkPolicy api/, /^Narrow ingress\[0\]\.from\[0\] of NetworkPolicy api /]],
        lines: [[/NetworkPolicy api/, /^ {8}- namespaceSelector:$/]],
      },
      {
        name: 'api may send to the whole internet on 443',
        objects: mutate('production', (o) => {
          find(o, 'NetworkPolicy', 'api').spec.egress.push(given({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] }));
        }),
        expect: {
          [`NetworkPolicy/${P}/api`]: [
            /^NetworkPolicy api admits connections the topology does not declare through egress\[\d+\]\.to\[0\] \(ipBlock 0\.0\.0\.0\/0; ports TCP 443\): api -> 0\.0\.0\.0-10\.20\.8\.255 \(the internet\) \(TCP 443\), api -> managed-redis 10\.20\.9\.0-10\.20\.9\.255 \(TCP 443\), api -> 10\.20\.12\.0-255\.255\.255\.255 \(the internet\) \(TCP 443\)$/,
          ],
        },
      },
      {
        name: 'a workload no policy isolates is named, on the workload',
        objects: mutate('production', (o) => {
          find(o, 'NetworkPolicy', 'default-deny').spec.podSelector = given({ matchLabels: { app: 'none' } });
          find(o, 'NetworkPolicy', 'frontend').spec.podSelector = given({ matchLabels: { app: 'none' } });
        }),
        expect: {
          [`Rollout/${P}/frontend`]: [
            /^no NetworkPolicy isolates the egress of frontend, so it allows connections the topology does not declare: frontend -> stray pod app=stray \(ctis-production\) \(All Connections\), .* and \d+ more$/,
            /^no NetworkPolicy isolates the ingress of frontend, so it allows connections the topology does not declare: stray pod app=stray \(ctis-production\) -> frontend \(All Connections\), .*$/,
          ],
        },
        remediations: [[/no NetworkPolicy isolates/, /^Add a default-deny NetworkPolicy/]],
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
          unset(find(o, 'Ingress', 'frontend').spec, 'tls');
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
          unset(gw.spec.listeners.find((l) => l.name === 'https-api')!.tls, 'certificateRefs');
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
          r.spec.rules = [given({ backendRefs: [{ name: 'api', port: 8080 }] })];
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
          find(o, 'Ingress', 'api').spec.rules[0].http.paths.push(given({ path: '/Hangfire/dashboard', pathType: 'ImplementationSpecific', backend: { service: { name: 'api', port: { name: 'http' } } } }));
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
};
