import { expect } from '@jest/globals';
import { securityHeadersFor } from '../../src/config/edge';
import { parseEnvironment } from '../../src/config/load';
import type { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { parseManifests } from '../../src/manifests';
import { renderEnvironment } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { validateObjects } from '../../src/validator';
import { renderManifests, shippedEnv } from '../support/render';
import { ofKind, unset } from '../support/k8s';

/** Parses an edited copy of a shipped configuration. */
function parse(edit: (env: EnvironmentConfig) => void, name: EnvironmentName = 'production'): EnvironmentConfig {
  const env = JSON.parse(JSON.stringify(shippedEnv(name))) as EnvironmentConfig;
  edit(env);
  return parseEnvironment(env, `config/${name}.yaml`, name, CTIS_TOPOLOGY);
}

const REASON = 'partner kiosks in the field speak TLS 1.2 until their March replacement';

describe('edge.tls.minVersion', () => {
  test('is 1.3 in every shipped environment, and 1.3 when left out', () => {
    for (const name of ['development', 'staging', 'production'] as const) expect(shippedEnv(name).edge.tls.minVersion).toBe('1.3');
    expect(parse((e) => unset(e.edge.tls, 'minVersion')).edge.tls.minVersion).toBe('1.3');
  });

  test.each([
    ['1.2 without a reason', (e: EnvironmentConfig) => (e.edge.tls.minVersion = '1.2'), /field edge\.tls\.minVersionReason: must say why production accepts TLS 1\.2/],
    ['1.2 with a placeholder for a reason', (e: EnvironmentConfig) => Object.assign(e.edge.tls, { minVersion: '1.2', minVersionReason: 'legacy' }), /field edge\.tls\.minVersionReason: must say why/],
    ['a reason with 1.3', (e: EnvironmentConfig) => (e.edge.tls.minVersionReason = REASON), /field edge\.tls\.minVersionReason: is only for minVersion "1\.2"/],
    ['TLS 1.1', (e: EnvironmentConfig) => Object.assign(e.edge.tls, { minVersion: '1.1' }), /field edge\.tls\.minVersion: /],
  ])('%s is refused', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test('1.2 with a written reason is accepted and rendered by every profile', () => {
    const env = parse((e) => Object.assign(e.edge.tls, { minVersion: '1.2', minVersionReason: REASON }));
    const nginx = renderManifests(env);
    expect(ofKind(nginx, 'ConfigMap').find((o) => o.metadata.name === 'nginx-config')!.data['ssl-protocols']).toBe('TLSv1.2 TLSv1.3');
    expect(ofKind(nginx, 'Ingress')[0].metadata.annotations['nginx.org/server-snippets']).toMatch(/^ssl_protocols TLSv1\.2 TLSv1\.3;$/m);
    const traefik = renderManifests({ ...env, edge: { ...env.edge, profile: 'traefik', className: 'traefik' } });
    expect(ofKind(traefik, 'TLSOption')[0].spec.minVersion).toBe('VersionTLS12');
    // Reviewers see why, on the object that sets the minimum.
    expect(ofKind(traefik, 'TLSOption')[0].metadata.annotations['ctis.io/tls-min-version-reason']).toBe(REASON);
    expect(ofKind(nginx, 'ConfigMap').find((o) => o.metadata.name === 'nginx-config')!.metadata.annotations['ctis.io/tls-min-version-reason']).toBe(REASON);
    expect(renderManifests(shippedEnv('production')).some((o) => o.metadata.annotations?.['ctis.io/tls-min-version-reason'] !== undefined)).toBe(false);
  });
});

describe('edge.securityHeaders', () => {
  test.each([
    ["'unsafe-eval' in production", (e: EnvironmentConfig) => (e.edge.securityHeaders = { frontend: { contentSecurityPolicy: "default-src 'self'; script-src 'self' 'unsafe-eval'" } }), /field edge\.securityHeaders\.frontend\.contentSecurityPolicy: must not allow 'unsafe-eval' in production/],
    ['a wildcard source in production', (e: EnvironmentConfig) => (e.edge.securityHeaders = { api: { contentSecurityPolicy: "default-src 'none'; img-src https:" } }), /field edge\.securityHeaders\.api\.contentSecurityPolicy: must not allow a wildcard source in production \(https:\)/],
    ['a wildcard host in production', (e: EnvironmentConfig) => (e.edge.securityHeaders = { frontend: { contentSecurityPolicy: "default-src 'self' https://*.cdn.example" } }), /must not allow a wildcard source in production \(https:\/\/\*\.cdn\.example\)/],
    ['a component that is not public', (e: EnvironmentConfig) => (e.edge.securityHeaders = { 'app-server': {} }), /field edge\.securityHeaders\.app-server: app-server is not a public component/],
    ['an unknown field', (e: EnvironmentConfig) => Object.assign(e.edge, { securityHeaders: { api: { xFrameOptions: 'DENY' } } }), /field edge\.securityHeaders\.api\.xFrameOptions: is not a known field/],
    ['an unknown Referrer-Policy', (e: EnvironmentConfig) => Object.assign(e.edge, { securityHeaders: { api: { referrerPolicy: 'none' } } }), /field edge\.securityHeaders\.api\.referrerPolicy: /],
    ['a value that would break out of the nginx quotes', (e: EnvironmentConfig) => (e.edge.securityHeaders = { api: { contentSecurityPolicy: 'default-src "self"' } }), /must not contain double quotes/],
    ['a Permissions-Policy that is not one', (e: EnvironmentConfig) => (e.edge.securityHeaders = { frontend: { permissionsPolicy: 'camera none' } }), /field edge\.securityHeaders\.frontend\.permissionsPolicy: is not a Permissions-Policy/],
    ["frame-ancestors looser than frameOptions", (e: EnvironmentConfig) => (e.edge.securityHeaders = { frontend: { contentSecurityPolicy: "default-src 'self'; frame-ancestors 'self'" } }), /frame-ancestors allows more than frameOptions DENY/],
  ])('%s is refused', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test("'unsafe-eval' and wildcards are accepted outside production", () => {
    const csp = "default-src 'self'; script-src 'self' 'unsafe-eval'; img-src 'self' https:";
    const env = parse((e) => (e.edge.securityHeaders = { frontend: { contentSecurityPolicy: csp } }), 'development');
    expect(securityHeadersFor(env, 'frontend', 'frontend').contentSecurityPolicy).toBe(csp);
  });

  test('configured values replace the defaults of that component only, and reach the rendered edge', () => {
    const env = parse((e) => (e.edge.securityHeaders = { frontend: { referrerPolicy: 'no-referrer', frameOptions: 'SAMEORIGIN' } }));
    const frontend = securityHeadersFor(env, 'frontend', 'frontend');
    expect(frontend.referrerPolicy).toBe('no-referrer');
    expect(frontend.frameOptions).toBe('SAMEORIGIN');
    // The default CSP follows frameOptions.
    expect(frontend.contentSecurityPolicy).toContain("frame-ancestors 'self'");
    expect(securityHeadersFor(env, 'api', 'api').referrerPolicy).toBe('no-referrer');
    expect(securityHeadersFor(env, 'auth-server', 'auth-server').frameOptions).toBe('DENY');
    const snippet = renderManifests(env).find((o) => o.kind === 'Ingress' && o.metadata.name === 'frontend')!.metadata.annotations['nginx.org/server-snippets'];
    expect(snippet).toContain('add_header X-Frame-Options "SAMEORIGIN" always;');
    expect(snippet).toContain('add_header Referrer-Policy "no-referrer" always;');
  });

  test('the auth-server default lets its sign-in forms post to the frontend and the extra CORS origins', () => {
    const env = shippedEnv('development');
    expect(securityHeadersFor(env, 'auth-server', 'auth-server').contentSecurityPolicy).toContain(
      `form-action 'self' https://${env.hosts.frontend} https://localhost:3000`,
    );
  });
});

describe('profile-specific edge fields', () => {
  test.each([
    ['gatewayImplementation under nginx', (e: EnvironmentConfig) => (e.edge.gatewayImplementation = 'envoy-gateway'), /field edge\.gatewayImplementation: is only for the gateway-api profile, not nginx/],
    ['an unknown gateway implementation', (e: EnvironmentConfig) => Object.assign(e.edge, { profile: 'gateway-api', gatewayImplementation: 'istio' }), /field edge\.gatewayImplementation: /],
    ['the controller ConfigMap under traefik', (e: EnvironmentConfig) => Object.assign(e.edge, { profile: 'traefik', controller: { ...e.edge.controller, configMap: 'nginx-config' } }), /field edge\.controller\.configMap: is only for the nginx profile/],
  ])('%s is refused', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test('Envoy Gateway gets a ClientTrafficPolicy at the minimum instead of listener options', () => {
    const env = parse((e) => (e.edge.gatewayImplementation = 'envoy-gateway'), 'development');
    const objs = renderManifests(env);
    const listeners = ofKind(objs, 'Gateway')[0].spec.listeners;
    expect(listeners.every((l) => l.tls?.options === undefined)).toBe(true);
    expect(objs.filter((o) => o.kind === 'ClientTrafficPolicy')).toEqual([
      expect.objectContaining({
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        metadata: expect.objectContaining({ name: 'ctis', namespace: env.namespace }),
        spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ctis' }], tls: { minVersion: '1.3' } },
      }),
    ]);
    // The validator reads it (schema and TLS minimum) like the rest.
    const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
    expect(validateObjects(objects, { env, topology: CTIS_TOPOLOGY }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('the nginx controller settings go to the configured ConfigMap', () => {
    const env = parse((e) => (e.edge.controller.configMap = 'ingress-settings'));
    const cm = renderManifests(env).find((o) => o.__file === 'production/edge-controller/nginx-ingress.yaml')!;
    expect(cm.metadata).toMatchObject({ name: 'ingress-settings', namespace: 'nginx-ingress' });
  });
});
