/**
 * Application settings as the containers see them (settings ConfigMap pulled in with envFrom,
 * overridden by env): issuer, CORS, hardening switches, the InternalTokens contract,
 * Hangfire storage, and internal URLs that resolve to Services of the namespace.
 */
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import {
  APP_COMPONENTS,
  byKind,
  DOTNET_COMPONENTS,
  ENVIRONMENTS,
  get,
  mainContainer,
  renderCtis,
  RenderedEnv,
  Setting,
  settingsOf,
  value,
} from './helpers';

let envs: Map<string, RenderedEnv>;

beforeAll(() => {
  envs = renderCtis().envs;
});

const env = (name: string): RenderedEnv => envs.get(name)!;

/** `Cors__AllowedOrigins__0..N` in index order. */
function corsOrigins(settings: Map<string, Setting>): string[] {
  const entries = [...settings.entries()]
    .filter(([k]) => /^Cors__AllowedOrigins__\d+$/.test(k))
    .map(([k, s]) => [Number(k.split('__').pop()), s] as const)
    .sort(([a], [b]) => a - b);
  return entries.map(([i, s]) => {
    if (s.kind !== 'value') throw new Error(`Cors__AllowedOrigins__${i} is not a plain value`);
    return s.value;
  });
}

describe.each(ENVIRONMENTS)('%s: application settings', (name) => {
  test('settings ConfigMaps pulled in with envFrom all exist (resolution does not throw)', () => {
    for (const id of APP_COMPONENTS) expect(settingsOf(env(name), id).size).toBeGreaterThan(3);
  });

  test('AuthServer__Issuer is https://<auth-server host>, and api and frontend trust the same issuer', () => {
    const e = env(name);
    const issuer = `https://${e.config.hosts['auth-server']}`;
    expect(e.config.hosts['auth-server']).toMatch(/\./);
    expect(value(settingsOf(e, 'auth-server'), 'AuthServer__Issuer')).toBe(issuer);
    expect(value(settingsOf(e, 'api'), 'Authentication__Authority')).toBe(issuer);
    expect(value(settingsOf(e, 'frontend'), 'CTIS_AUTH_ISSUER')).toBe(issuer);
  });

  test('ASPNETCORE_ENVIRONMENT is the environment\'s ASP.NET environment on every .NET component', () => {
    const e = env(name);
    for (const id of DOTNET_COMPONENTS) expect(value(settingsOf(e, id), 'ASPNETCORE_ENVIRONMENT')).toBe(e.config.aspnetEnvironment);
  });

  test('CORS origins are explicit https origins, never *, and include the frontend', () => {
    const e = env(name);
    const withCors = APP_COMPONENTS.filter((id) => corsOrigins(settingsOf(e, id)).length > 0);
    expect(withCors).toEqual(expect.arrayContaining(['auth-server', 'api']));
    for (const id of withCors) {
      const origins = corsOrigins(settingsOf(e, id));
      for (const o of origins) {
        expect([id, o, o.includes('*')]).toEqual([id, o, false]);
        expect([id, o]).toEqual([id, expect.stringMatching(/^https:\/\/[a-z0-9.-]+(:\d+)?$/)]);
      }
      expect(origins).toContain(`https://${e.config.hosts.frontend}`);
      for (const extra of e.config.corsExtraOrigins) expect(origins).toContain(extra);
      // Indexes are contiguous from 0, as ASP.NET binds arrays.
      const keys = [...settingsOf(e, id).keys()].filter((k) => k.startsWith('Cors__AllowedOrigins__')).sort();
      expect(keys).toEqual(origins.map((_, i) => `Cors__AllowedOrigins__${i}`).sort());
    }
  });

  test.each(DOTNET_COMPONENTS)('%s: SecurityHardening__Enabled and SecurityHeaders__Enabled are true', (id) => {
    const s = settingsOf(env(name), id);
    expect(value(s, 'SecurityHardening__Enabled')).toBe('true');
    expect(value(s, 'SecurityHeaders__Enabled')).toBe('true');
  });

  test.each(['auth-server', 'api'])('%s: RateLimiting__Enabled is true', (id) => {
    expect(value(settingsOf(env(name), id), 'RateLimiting__Enabled')).toBe('true');
  });

  test('InternalTokens contract is identical on api and app-server', () => {
    const e = env(name);
    const api = settingsOf(e, 'api');
    const appServer = settingsOf(e, 'app-server');
    for (const key of ['InternalTokens__Issuer', 'InternalTokens__Audience', 'InternalTokens__JwksUrl']) {
      expect([key, value(api, key)]).toEqual([key, value(appServer, key)]);
      expect(value(api, key)).not.toBe('');
    }
    const apiKey = api.get('InternalTokens__ApiKey');
    const appKey = appServer.get('InternalTokens__ApiKey');
    expect(apiKey?.kind).toBe('secret');
    expect(appKey).toEqual(apiKey);
  });

  test('InternalTokens__JwksUrl is a cluster-internal URL of a component app-server has an edge to', () => {
    const e = env(name);
    const url = new URL(value(settingsOf(e, 'app-server'), 'InternalTokens__JwksUrl'));
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
    expect(m).not.toBeNull();
    const [, service, namespace] = m!;
    expect(namespace).toBe(e.config.namespace);
    const targets = CTIS_TOPOLOGY.edges.filter((x) => x.from === 'app-server').map((x) => x.to);
    expect(targets).toContain(service);
    const svc = get(e, 'Service', service);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toContain(port);
  });

  test('Hangfire__Storage is the configured storage, and PostgreSql outside development', () => {
    const e = env(name);
    const holders = [...DOTNET_COMPONENTS].filter((id) => settingsOf(e, id).has('Hangfire__Storage'));
    expect(holders).toEqual(expect.arrayContaining(['auth-server', 'app-server']));
    for (const id of holders) {
      const storage = value(settingsOf(e, id), 'Hangfire__Storage');
      expect(storage).toBe(e.config.features.hangfireStorage);
      if (name !== 'development') expect(storage).toBe('PostgreSql');
    }
  });

  test('every cluster-internal URL in the settings names a Service of the namespace and one of its ports', () => {
    const e = env(name);
    const services = byKind(e, 'Service');
    let urls = 0;
    for (const id of APP_COMPONENTS) {
      for (const [key, s] of settingsOf(e, id)) {
        if (s.kind !== 'value' || !/^https?:\/\/[^/]*\.svc(\.cluster\.local)?(:\d+)?(\/|$)/.test(s.value)) continue;
        urls += 1;
        const url = new URL(s.value);
        const [service, namespace] = url.hostname.split('.');
        const telemetry = e.config.telemetry;
        if (key === 'OTEL_EXPORTER_OTLP_ENDPOINT' && telemetry.enabled && telemetry.collector.mode === 'in-cluster') {
          // The one URL outside the namespace: the collector the configuration declares (and the policies allow).
          const c = telemetry.collector;
          expect([id, service, namespace, Number(url.port)]).toEqual([id, c.service, c.namespace, c.port]);
          continue;
        }
        expect([id, key, namespace]).toEqual([id, key, e.config.namespace]);
        const svc = services.find((x) => x.metadata.name === service);
        expect([id, key, svc !== undefined]).toEqual([id, key, true]);
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
        const ports: number[] = svc!.spec.ports.map((p: { port: number }) => p.port);
        expect([id, key, port, ports.includes(port)]).toEqual([id, key, port, true]);
        // Talking to a component means the topology declares that edge.
        const declared = CTIS_TOPOLOGY.edges.some((x) => x.from === id && x.to === service);
        expect([id, key, `-> ${service}`, declared]).toEqual([id, key, `-> ${service}`, true]);
      }
    }
    expect(urls).toBeGreaterThanOrEqual(4);
  });
});

describe.each(ENVIRONMENTS)('%s: AppServer mTLS wiring', (name) => {
  test('api reaches app-server over the scheme the environment asks for, on a port the Service exposes', () => {
    const e = env(name);
    const mtls = e.config.features.appServerMtls;
    const url = new URL(value(settingsOf(e, 'api'), 'AppServer__BaseUrl'));
    expect(url.hostname.split('.')[0]).toBe('app-server');
    const svc = get(e, 'Service', 'app-server');
    const ports: number[] = svc.spec.ports.map((p: { port: number }) => p.port);
    expect(ports).toContain(Number(url.port));
    if (mtls.enabled) {
      expect(url.protocol).toBe('https:');
      // Only the TLS port is offered to callers.
      expect(ports).toEqual([mtls.port]);
    } else {
      expect(url.protocol).toBe('http:');
    }
  });

  test('with mTLS on, the server certificate covers the host api calls, and api presents a client certificate', () => {
    const e = env(name);
    const mtls = e.config.features.appServerMtls;
    if (!mtls.enabled) {
      expect(settingsOf(e, 'api').has('AppServer__ClientCertificate__Path')).toBe(false);
      return;
    }
    const host = new URL(value(settingsOf(e, 'api'), 'AppServer__BaseUrl')).hostname;
    const { spec: serverPod } = mainContainer(e, 'app-server');
    const serverSecret = (serverPod.volumes ?? []).find((v) => v.secret)?.secret.secretName;
    expect(serverSecret).toBeDefined();
    if (mtls.certificates.source === 'cert-manager') {
      const cert = byKind(e, 'Certificate').find((c) => c.spec.secretName === serverSecret);
      expect(cert).toBeDefined();
      expect(cert!.spec.dnsNames).toContain(host);
      expect(cert!.spec.issuerRef).toEqual(expect.objectContaining({ name: mtls.certificates.issuerName, kind: mtls.certificates.issuerKind }));
    }
    // The client certificate paths api is told about are inside a mounted secret volume.
    const { spec: apiPod, container: api } = mainContainer(e, 'api');
    const certPath = value(settingsOf(e, 'api'), 'AppServer__ClientCertificate__Path');
    const mount = (api.volumeMounts ?? []).find((m) => certPath.startsWith(`${m.mountPath}/`));
    expect(mount).toBeDefined();
    expect((apiPod.volumes ?? []).find((v) => v.name === mount?.name)?.secret).toBeDefined();
    // app-server's Kestrel certificate paths are inside its mounted secret volume too.
    const { container: server } = mainContainer(e, 'app-server');
    const serverCertPath = value(settingsOf(e, 'app-server'), 'Kestrel__Endpoints__Https__Certificate__Path');
    expect((server.volumeMounts ?? []).some((m) => serverCertPath.startsWith(`${m.mountPath}/`))).toBe(true);
  });
});
