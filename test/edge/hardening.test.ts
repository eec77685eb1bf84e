import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { argoCdManifests } from '../../charts/argocd';
import { main as validate } from '../../src/cli/validate';
import type { EnvironmentConfig } from '../../src/config/schema';
import { parseManifests } from '../../src/manifests';
import { renderEnvironment, renderEnvironmentObjects } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { validateObjects } from '../../src/validator';
import { ENVIRONMENTS, Manifest, PROFILES, renderManifests, shippedEnv, withProfile } from '../support/render';
import { asKind, isKind, Model, ofKind, unset } from '../support/k8s';

const PUBLIC = ['auth-server', 'api', 'frontend'];
const HEADERS = ['Content-Security-Policy', 'X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy', 'Permissions-Policy'];


/** The TLS Ingresses (nginx, traefik) that serve a public host. */
function tlsIngresses(objs: Manifest[]): Model<'Ingress'>[] {
  return ofKind(objs, 'Ingress').filter((i) => (i.spec.tls ?? []).length > 0);
}

/** `add_header <name> "<value>" always;` lines of an nginx server snippet, by name. */
function nginxAddHeaders(snippet: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of snippet.matchAll(/^add_header (\S+) "([^"]*)" always;$/gm)) out.set(m[1], m[2]);
  return out;
}

/** Headers each public component is served with, as the profile renders them. */
function renderedHeaders(objs: Manifest[], profile: string, namespace: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (profile === 'gateway-api') {
    for (const r of ofKind(objs, 'HTTPRoute').filter((x) => PUBLIC.includes(x.metadata.name))) {
      const set = r.spec.rules[0].filters.find((f) => f.type === 'ResponseHeaderModifier')!.responseHeaderModifier.set;
      out.set(r.metadata.name, new Map(set.filter((h) => h.name !== 'Strict-Transport-Security').map((h) => [h.name, h.value])));
    }
    return out;
  }
  for (const ing of tlsIngresses(objs)) {
    const id = ing.spec.rules[0].http.paths[0].backend.service.name;
    const a = ing.metadata.annotations;
    if (profile === 'nginx') {
      out.set(ing.metadata.name, nginxAddHeaders(a['nginx.org/server-snippets']));
      continue;
    }
    const refs: string[] = a['traefik.ingress.kubernetes.io/router.middlewares'].split(',');
    expect(refs).toContain(`${namespace}-${id}-security-headers@kubernetescrd`);
    const h = ofKind(objs, 'Middleware').find((m) => m.metadata.name === `${id}-security-headers`)!.spec.headers;
    expect(h.contentTypeNosniff).toBe(true);
    expect(h.frameDeny).toBe(true);
    out.set(
      ing.metadata.name,
      new Map([
        ['Content-Security-Policy', h.contentSecurityPolicy],
        ['X-Content-Type-Options', 'nosniff'],
        ['X-Frame-Options', 'DENY'],
        ['Referrer-Policy', h.referrerPolicy],
        ['Permissions-Policy', h.permissionsPolicy],
      ]),
    );
  }
  return out;
}

describe.each(ENVIRONMENTS)('edge hardening of %s', (envName) => {
  describe.each(PROFILES)('with the %s profile', (profile) => {
    const env = withProfile(shippedEnv(envName), profile);
    const objs = renderManifests(env);

    test('every HTTPS host has a TLS 1.3 minimum', () => {
      if (profile === 'nginx') {
        const ingresses = tlsIngresses(objs);
        expect(ingresses.length).toBe(PUBLIC.length);
        for (const ing of ingresses) expect(ing.metadata.annotations['nginx.org/server-snippets']).toMatch(/^ssl_protocols TLSv1\.3;$/m);
        const [settings] = objs.filter((o) => o.__file === `${env.name}/edge-controller/nginx-ingress.yaml`);
        expect(settings).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'nginx-config', namespace: env.edge.controller.namespace }, data: { 'ssl-protocols': 'TLSv1.3' } });
      } else if (profile === 'traefik') {
        const [option] = ofKind(objs, 'TLSOption');
        expect(option.spec).toEqual({ minVersion: 'VersionTLS13' });
        const routers = ofKind(objs, 'Ingress').filter((i) => i.metadata.annotations['traefik.ingress.kubernetes.io/router.tls'] === 'true');
        expect(routers.length).toBeGreaterThanOrEqual(PUBLIC.length);
        for (const ing of routers) {
          expect(ing.metadata.annotations['traefik.ingress.kubernetes.io/router.tls.options']).toBe(`${env.namespace}-${option.metadata.name}@kubernetescrd`);
        }
      } else {
        const https = ofKind(objs, 'Gateway')[0].spec.listeners.filter((l) => l.protocol === 'HTTPS');
        expect(https.map((l) => l.hostname).sort()).toEqual(PUBLIC.map((id) => env.hosts[id]).sort());
        for (const l of https) expect(l.tls.options).toEqual({ 'nginx.org/ssl-protocols': 'TLSv1.3' });
      }
      if (profile !== 'nginx') expect(objs.some((o) => o.__file.includes('edge-controller'))).toBe(false);
    });

    test('every public route sets the five headers, with the defaults for each component', () => {
      const routes = renderedHeaders(objs, profile, env.namespace);
      expect(routes.size).toBeGreaterThanOrEqual(PUBLIC.length);
      for (const [name, headers] of routes) {
        expect({ name, headers: [...headers.keys()].sort() }).toEqual({ name, headers: [...HEADERS].sort() });
        expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
        expect(headers.get('X-Frame-Options')).toBe('DENY');
        expect(headers.get('Permissions-Policy')).toMatch(/camera=\(\), geolocation=\(\).*microphone=\(\)/);
        const csp = headers.get('Content-Security-Policy')!;
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toMatch(/unsafe-eval|\*/);
        const component = name.replace(/-admin$/, '');
        if (component === 'frontend') {
          expect(csp).toContain(`connect-src 'self' https://${env.hosts.api} https://${env.hosts['auth-server']}`);
          expect(headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
        } else if (component === 'api') {
          expect(csp).toMatch(/^default-src 'none';/);
          expect(headers.get('Referrer-Policy')).toBe('no-referrer');
        } else {
          expect(csp).toMatch(/^default-src 'self';/);
          expect(csp).toContain(`form-action 'self' https://${env.hosts.frontend}`);
        }
      }
    });

    test('the validator finds nothing wrong with it', () => {
      const objects = [...renderEnvironment(CTIS_TOPOLOGY, env)].flatMap(([file, text]) => parseManifests(text, file));
      const report = validateObjects(objects, { env, topology: CTIS_TOPOLOGY });
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.resource}: ${f.message}`)).toEqual([]);
    });
  });
});

/** Writes a rendered environment into a fresh `<tmp>/<env>/` folder. */
function writeRendered(env: EnvironmentConfig): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-'));
  for (const [rel, text] of renderEnvironment(CTIS_TOPOLOGY, env)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return path.join(root, env.name);
}

/** Rewrites every document of a rendered file. */
function editFile(file: string, edit: (doc: Manifest) => Manifest | undefined): void {
  const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')) as Manifest[];
  const kept = docs.map(edit).filter((d): d is Manifest => d !== undefined);
  fs.writeFileSync(file, kept.map((d) => `---\n${yaml.dump(d, { lineWidth: -1 })}`).join(''));
}

function runValidate(dir: string, env: EnvironmentConfig) {
  let stdout = '';
  let stderr = '';
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-config-'));
  fs.writeFileSync(path.join(configDir, `${env.name}.yaml`), yaml.dump(env));
  const code = validate([dir, '--config', configDir], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** How each profile's TLS minimum is taken out of a rendered directory. */
const REMOVE_TLS_MINIMUM: Record<string, (dir: string) => void> = {
  nginx: (dir) => fs.rmSync(path.join(dir, 'edge-controller'), { recursive: true }),
  traefik: (dir) =>
    editFile(path.join(dir, 'edge.yaml'), (d) => {
      if (isKind(d, 'TLSOption')) unset(d.spec, 'minVersion');
      return d;
    }),
  'gateway-api': (dir) =>
    editFile(path.join(dir, 'edge.yaml'), (d) => {
      if (isKind(d, 'Gateway')) for (const l of d.spec.listeners) if (l.tls) unset(l.tls, 'options');
      return d;
    }),
};

/** How each profile's header is taken off the frontend route. */
const REMOVE_HEADER: Record<string, (dir: string, header: string) => void> = {
  nginx: (dir, header) =>
    editFile(path.join(dir, 'edge.yaml'), (d) => {
      if (d.metadata.name === 'frontend') {
        const a = d.metadata.annotations;
        a['nginx.org/server-snippets'] = a['nginx.org/server-snippets'].split('\n').filter((l: string) => !l.startsWith(`add_header ${header} `)).join('\n');
      }
      return d;
    }),
  traefik: (dir, header) =>
    editFile(path.join(dir, 'edge.yaml'), (d) => {
      const field = { 'Content-Security-Policy': 'contentSecurityPolicy', 'X-Content-Type-Options': 'contentTypeNosniff', 'X-Frame-Options': 'frameDeny', 'Referrer-Policy': 'referrerPolicy', 'Permissions-Policy': 'permissionsPolicy' }[header]!;
      if (isKind(d, 'Middleware') && d.metadata.name === 'frontend-security-headers') unset(d.spec.headers, field);
      return d;
    }),
  'gateway-api': (dir, header) =>
    editFile(path.join(dir, 'edge.yaml'), (d) => {
      if (isKind(d, 'HTTPRoute') && d.metadata.name === 'frontend') {
        const m = d.spec.rules[0].filters[0].responseHeaderModifier;
        m.set = m.set.filter((h) => h.name !== header);
      }
      return d;
    }),
};

describe.each(PROFILES)('a rendered directory of the %s profile with a setting removed', (profile) => {
  const env = withProfile(shippedEnv('production'), profile);

  test('passes as rendered', () => {
    const r = runValidate(writeRendered(env), env);
    expect(r.stdout).toMatch(/^0 errors/m);
    expect(r.code).toBe(0);
  });

  test('without the TLS minimum: exit 1, naming every host and the missing minimum', () => {
    const dir = writeRendered(env);
    REMOVE_TLS_MINIMUM[profile](dir);
    const r = runValidate(dir, env);
    expect(r.code).toBe(1);
    for (const id of PUBLIC) expect(r.stdout).toMatch(new RegExp(`edge-tls-minimum.*\\n(.*\\n)*.*host[s]? [^\\n]*${env.hosts[id].replace(/\./g, '\\.')}[^\\n]*no TLS minimum of TLS 1\\.3 is set`));
  });

  test.each(HEADERS)('without %s on the frontend: exit 1, naming the route and the header', (header) => {
    const dir = writeRendered(env);
    REMOVE_HEADER[profile](dir, header);
    const r = runValidate(dir, env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^edge-security-headers \(1\)/m);
    expect(r.stdout).toContain(`https://${env.hosts.frontend}/ does not set ${header}`);
  });
});

describe('the nginx controller settings are not delivered by Argo CD', () => {
  test('the AppProject does not admit kinds that only the controller settings folder holds', () => {
    const env = shippedEnv('production');
    const rendered = renderEnvironmentObjects(CTIS_TOPOLOGY, env);
    rendered.set(`${env.name}/edge-controller/extra.yaml`, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'nginx-ingress' } }]);
    const project = asKind(argoCdManifests('ctis', [env], rendered).get('argocd/project.yaml')![0], 'AppProject');
    const kinds = project.spec.namespaceResourceWhitelist.map((k) => k.kind);
    expect(kinds).toContain('ConfigMap');
    expect(kinds).not.toContain('Widget');
  });
});
