import { parseEnvironment } from '../../src/config/load';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { ADMIN_PATHS } from '../../src/topology/model';
import { ENVIRONMENTS, Manifest, PROFILES, renderManifests, shippedEnv, withProfile } from '../support/render';
import { ofKind } from '../support/k8s';

const PUBLIC = ['auth-server', 'api', 'frontend'];
const ONE_YEAR = 31536000;


/** Does a routed path prefix (Prefix semantics, element-wise) cover an admin path? */
function covers(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  const p = prefix.replace(/\/$/, '');
  return path === p || path.startsWith(`${p}/`);
}

function settingsOf(objs: Manifest[], component: string): Record<string, string> {
  const cm = ofKind(objs, 'ConfigMap').find((o) => o.metadata.name === `${component}-settings`);
  return cm?.data ?? {};
}

describe.each(ENVIRONMENTS)('edge of %s', (envName) => {
  describe.each(PROFILES)('with the %s profile', (profile) => {
    const env = withProfile(shippedEnv(envName), profile);
    const objs = renderManifests(env);
    const hosts = PUBLIC.map((id) => env.hosts[id]);
    const services = new Map(ofKind(objs, 'Service').map((s) => [s.metadata.name, s]));

    test('routes only the public components, each on its configured host', () => {
      const routed: Array<{ host: string; service: string; path: string }> = [];
      for (const ing of ofKind(objs, 'Ingress')) {
        for (const rule of ing.spec.rules) {
          for (const p of rule.http.paths) routed.push({ host: rule.host, service: p.backend.service.name, path: p.path });
        }
      }
      for (const route of ofKind(objs, 'HTTPRoute')) {
        for (const rule of route.spec.rules) {
          for (const ref of rule.backendRefs ?? []) {
            for (const host of route.spec.hostnames) {
              for (const m of rule.matches ?? [{ path: { value: '/' } }]) routed.push({ host, service: ref.name, path: m.path.value });
            }
          }
        }
      }
      expect(routed.length).toBeGreaterThan(0);
      expect(new Set(routed.map((r) => r.service))).toEqual(new Set(PUBLIC));
      for (const r of routed) {
        expect(services.has(r.service)).toBe(true);
        expect(r.host).toBe(env.hosts[r.service]);
      }
      expect(ofKind(objs, 'Service').every((s) => (s.spec.type ?? 'ClusterIP') === 'ClusterIP')).toBe(true);
    });

    test('serves TLS, redirects HTTP to HTTPS and sets HSTS on every public host', () => {
      if (profile === 'gateway-api') {
        const [gw] = ofKind(objs, 'Gateway');
        for (const host of hosts) {
          const l = gw.spec.listeners.find((x) => x.hostname === host);
          expect(l).toMatchObject({ protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate' } });
          expect(l!.tls.certificateRefs.length).toBe(1);
        }
        const routes = ofKind(objs, 'HTTPRoute');
        for (const host of hosts) {
          const served = routes.filter((r) => r.spec.hostnames.includes(host) && r.spec.rules.some((x) => x.backendRefs));
          expect(served.length).toBe(1);
          for (const rule of served[0].spec.rules) {
            const header = rule.filters.find((f) => f.type === 'ResponseHeaderModifier')!.responseHeaderModifier.set
              .find((h) => h.name === 'Strict-Transport-Security')!.value;
            expect(Number(/max-age=(\d+)/.exec(header)![1])).toBeGreaterThanOrEqual(ONE_YEAR);
            expect(header).toContain('includeSubDomains');
          }
          const redirect = routes.find(
            (r) => r.spec.hostnames.includes(host) && r.spec.parentRefs.every((p) => p.sectionName === 'http'),
          )!;
          expect(redirect.spec.rules[0].filters[0]).toEqual({ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } });
          expect(redirect.spec.rules[0].backendRefs).toBeUndefined();
        }
        return;
      }
      const middlewares = new Map(ofKind(objs, 'Middleware').map((m) => [`${env.namespace}-${m.metadata.name}@kubernetescrd`, m]));
      for (const host of hosts) {
        const ingresses = ofKind(objs, 'Ingress').filter((i) => i.spec.rules.some((r) => r.host === host));
        expect(ingresses.length).toBeGreaterThan(0);
        const serving = ingresses.filter((i) => i.metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints'] !== 'web');
        expect(serving.length).toBeGreaterThan(0);
        for (const ing of serving) {
          expect(ing.spec.tls.flatMap((t) => t.hosts)).toContain(host);
          const a = ing.metadata.annotations;
          if (profile === 'nginx') {
            expect(a['nginx.org/hsts']).toBe('true');
            expect(Number(a['nginx.org/hsts-max-age'])).toBeGreaterThanOrEqual(ONE_YEAR);
            expect(a['nginx.org/hsts-include-subdomains']).toBe('true');
            expect(a['nginx.org/redirect-to-https']).toBe('true');
            expect(a['ingress.kubernetes.io/ssl-redirect']).toBe('true');
            expect(Object.keys(a).some((k) => k.startsWith('nginx.ingress.kubernetes.io/'))).toBe(false);
          } else {
            expect(a['traefik.ingress.kubernetes.io/router.tls']).toBe('true');
            const attached = a['traefik.ingress.kubernetes.io/router.middlewares'].split(',').map((r: string) => middlewares.get(r));
            expect(attached).not.toContain(undefined);
            const hsts = attached.find((m) => m!.spec.headers)!;
            expect(hsts.spec.headers.stsSeconds).toBeGreaterThanOrEqual(ONE_YEAR);
            expect(hsts.spec.headers.stsIncludeSubdomains).toBe(true);
          }
        }
        if (profile === 'traefik') {
          const web = ingresses.filter((i) => i.metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints'] === 'web');
          expect(web.length).toBe(1);
          const mw = middlewares.get(web[0].metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares'])!;
          expect(mw.spec.redirectScheme).toEqual({ scheme: 'https', permanent: true });
        }
      }
    });

    test('admin paths are not routed publicly, or only behind the IP allow-list', () => {
      const allowLists = new Map(
        ofKind(objs, 'Middleware').filter((m) => m.spec.ipAllowList).map((m) => [`${env.namespace}-${m.metadata.name}@kubernetescrd`, m]),
      );
      let adminRoutes = 0;
      const check = (path: string, annotations: Record<string, string> = {}) => {
        for (const admin of ADMIN_PATHS) {
          if (!covers(path, admin)) continue;
          if (annotations['traefik.ingress.kubernetes.io/router.entrypoints'] === 'web') continue; // redirect only
          adminRoutes++;
          const chain = (annotations['traefik.ingress.kubernetes.io/router.middlewares'] ?? '').split(',');
          const guard = chain.map((r) => allowLists.get(r)).find(Boolean);
          expect(guard?.spec.ipAllowList.sourceRange).toEqual(env.edge.adminAllowList);
          expect(env.edge.adminAllowList.length).toBeGreaterThan(0);
        }
      };
      for (const ing of ofKind(objs, 'Ingress')) {
        if (ing.spec.rules.some((r) => r.http.paths.some((p) => p.backend.service.name === 'frontend'))) continue;
        for (const rule of ing.spec.rules) for (const p of rule.http.paths) check(p.path, ing.metadata.annotations);
      }
      for (const route of ofKind(objs, 'HTTPRoute')) {
        for (const rule of route.spec.rules) {
          if (!rule.backendRefs || rule.backendRefs.some((b) => b.name === 'frontend')) continue;
          for (const m of rule.matches ?? [{ path: { value: '/' } }]) check(m.path.value);
        }
      }
      expect(adminRoutes > 0).toBe(profile === 'traefik' && env.edge.adminAllowList.length > 0);
    });

    test('the issuer is the https URL of the auth-server TLS host', () => {
      expect(settingsOf(objs, 'auth-server').AuthServer__Issuer).toBe(`https://${env.hosts['auth-server']}`);
    });
  });
});

describe('edge configuration the runbook forbids', () => {
  const base = shippedEnv('production');
  const reject = (data: unknown) => () => parseEnvironment(data, 'config/production.yaml', 'production', CTIS_TOPOLOGY);

  test('an issuer other than https://<auth-server host> stops synth', () => {
    expect(reject({ ...base, issuer: 'http://auth.ctis.betts.example' })).toThrow(/field issuer: must be https:\/\/auth\.ctis\.betts\.example/);
    expect(reject({ ...base, issuer: 'https://other.example' })).toThrow(/field issuer/);
    expect(() => parseEnvironment({ ...base, issuer: 'https://auth.ctis.betts.example' }, 'f', 'production', CTIS_TOPOLOGY)).not.toThrow();
  });

  test('HSTS below one year or without includeSubDomains is refused', () => {
    expect(reject({ ...base, edge: { ...base.edge, hsts: { ...base.edge.hsts, maxAgeSeconds: 86400 } } })).toThrow(/edge\.hsts\.maxAgeSeconds/);
    expect(reject({ ...base, edge: { ...base.edge, hsts: { ...base.edge.hsts, includeSubDomains: false } } })).toThrow(/edge\.hsts\.includeSubDomains/);
  });

  test('an admin allow-list is refused where the profile cannot enforce it', () => {
    expect(reject({ ...base, edge: { ...base.edge, adminAllowList: ['10.0.0.0/8'] } })).toThrow(/edge\.adminAllowList/);
  });
});
