/**
 * Secrets only through ExternalSecrets (or cert-manager Certificates): every Secret a pod
 * references is produced in the same namespace, with the key it reads, and no secret value
 * is written literally into env, ConfigMaps, annotations or command lines.
 */
import {
  allContainers,
  byKind,
  cloneConfig,
  ctisConfigs,
  ENVIRONMENTS,
  pods,
  ref,
  renderConfig,
  renderCtis,
  RenderedEnv,
} from './helpers';
import { isKind } from '../support/k8s';

let envs: Map<string, RenderedEnv>;

beforeAll(() => {
  envs = renderCtis().envs;
});

const env = (name: string): RenderedEnv => envs.get(name)!;

interface SecretUse {
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  /** Keys read from it; empty when the whole Secret is used. */
  readonly keys: string[];
}

/** Every Secret a pod refers to: env keys, envFrom, volumes, projected volumes, pull secrets. */
function secretUses(e: RenderedEnv): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const p of pods(e)) {
    const ns = p.owner.metadata.namespace;
    const at = ref(p.owner);
    for (const c of allContainers(p.spec)) {
      for (const v of c.env ?? []) {
        const r = v.valueFrom?.secretKeyRef;
        if (r) uses.push({ where: `${at} ${c.name} env ${v.name}`, namespace: ns, name: r.name, keys: [r.key] });
      }
      for (const f of c.envFrom ?? []) {
        if (f.secretRef) uses.push({ where: `${at} ${c.name} envFrom`, namespace: ns, name: f.secretRef.name, keys: [] });
      }
    }
    for (const vol of p.spec.volumes ?? []) {
      if (vol.secret) {
        const keys = (vol.secret.items ?? []).map((i) => i.key);
        uses.push({ where: `${at} volume ${vol.name}`, namespace: ns, name: vol.secret.secretName, keys });
      }
      for (const src of vol.projected?.sources ?? []) {
        if (src.secret) uses.push({ where: `${at} projected ${vol.name}`, namespace: ns, name: src.secret.name, keys: (src.secret.items ?? []).map((i) => i.key) });
      }
    }
    for (const s of p.spec.imagePullSecrets ?? []) uses.push({ where: `${at} imagePullSecrets`, namespace: ns, name: s.name, keys: [] });
  }
  return uses;
}

/** Secrets produced in the environment, by namespace/name, with the keys they will hold. */
function producedSecrets(e: RenderedEnv): Map<string, { by: string; keys: Set<string> | 'any' }> {
  const out = new Map<string, { by: string; keys: Set<string> | 'any' }>();
  for (const es of byKind(e, 'ExternalSecret')) {
    const name = es.spec?.target?.name ?? es.metadata.name;
    const templated = es.spec?.target?.template?.data && Object.keys(es.spec.target.template.data).length > 0;
    const keys: Set<string> | 'any' =
      es.spec?.dataFrom || templated ? 'any' : new Set((es.spec?.data ?? []).map((d) => d.secretKey));
    out.set(`${es.metadata.namespace}/${name}`, { by: ref(es), keys });
  }
  for (const cert of byKind(e, 'Certificate')) {
    out.set(`${cert.metadata.namespace}/${cert.spec.secretName}`, { by: ref(cert), keys: new Set(['tls.crt', 'tls.key', 'ca.crt']) });
  }
  return out;
}

function checkSecretsResolve(e: RenderedEnv): string[] {
  const produced = producedSecrets(e);
  const problems: string[] = [];
  const uses = secretUses(e);
  if (uses.length === 0) problems.push('no Secret use found');
  for (const u of uses) {
    const p = produced.get(`${u.namespace}/${u.name}`);
    if (!p) {
      problems.push(`${u.where}: Secret ${u.namespace}/${u.name} is produced by no ExternalSecret or Certificate`);
      continue;
    }
    for (const k of u.keys) {
      if (p.keys !== 'any' && !p.keys.has(k)) problems.push(`${u.where}: ${p.by} does not produce key "${k}"`);
    }
  }
  return problems;
}

/** Last segment of a setting name: `InternalTokens__ApiKey` -> `ApiKey`, `REDIS_PASSWORD` -> whole. */
function looksSecretName(name: string): boolean {
  if (/^ConnectionStrings__/i.test(name)) return true;
  const last = name.split('__').pop()!;
  return /(password|passwd|pwd|secret|token|key|credentials?|connectionstring)$/i.test(last);
}

/** Values that are secret whatever their name: passwords in connection strings, PEM, JWTs, URL credentials. */
function looksSecretValue(value: string): boolean {
  return (
    /(^|[;\s])(password|pwd)\s*=/i.test(value) ||
    /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/.test(value) ||
    /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(value) ||
    /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value)
  );
}

/** Literal secret-looking values in env values, ConfigMaps, annotations and command lines. */
function literalSecrets(e: RenderedEnv): { findings: string[]; inspected: number } {
  const findings: string[] = [];
  let inspected = 0;
  const check = (where: string, name: string | undefined, val: unknown) => {
    if (typeof val !== 'string' && typeof val !== 'number') return;
    inspected += 1;
    const s = String(val);
    if (name !== undefined && looksSecretName(name) && s !== '') findings.push(`${where}: ${name} has a literal value`);
    else if (looksSecretValue(s)) findings.push(`${where}: ${name ?? ''} value looks like a secret`);
  };
  for (const o of e.objects) {
    for (const v of Object.values(o.metadata?.annotations ?? {})) check(`${ref(o)} annotation`, undefined, v);
    if (isKind(o, 'ConfigMap')) {
      for (const [k, v] of Object.entries(o.data ?? {})) check(`${ref(o)} data`, k, v);
    }
  }
  for (const p of pods(e)) {
    for (const [, v] of Object.entries(p.template.metadata?.annotations ?? {})) check(`${ref(p.owner)} pod annotation`, undefined, v);
    for (const c of allContainers(p.spec)) {
      const secretEnvNames = new Set((c.env ?? []).filter((v) => v.valueFrom?.secretKeyRef).map((v) => v.name));
      for (const v of c.env ?? []) if (v.value !== undefined) check(`${ref(p.owner)} ${c.name} env`, v.name, v.value);
      const argv: string[] = [...(c.command ?? []), ...(c.args ?? [])].map(String);
      argv.forEach((arg, i) => {
        inspected += 1;
        if (looksSecretValue(arg)) findings.push(`${ref(p.owner)} ${c.name} argv[${i}] looks like a secret`);
        // A password option must take its value from a secret-backed variable, never a literal.
        if (/^--?[a-z-]*(pass|password|secret|token)[a-z-]*$/i.test(arg) && i + 1 < argv.length) {
          const m = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(argv[i + 1]);
          if (!m || !secretEnvNames.has(m[1])) findings.push(`${ref(p.owner)} ${c.name} ${arg} is followed by a literal`);
        }
      });
    }
  }
  return { findings, inspected };
}

test('the literal-secret heuristics recognise secrets and leave ordinary settings alone', () => {
  for (const n of ['ConnectionStrings__DefaultConnection', 'InternalTokens__ApiKey', 'REDIS_PASSWORD', 'CTIS_OIDC_CLIENT_SECRET', 'Jwt__SigningKey', 'Auth__Token']) {
    expect([n, looksSecretName(n)]).toEqual([n, true]);
  }
  for (const n of ['InternalTokens__Issuer', 'AuthServer__DataProtection__KeyPath', 'CTIS_OIDC_CLIENT_ID', 'AppServer__ClientCertificate__KeyPath', 'POSTGRES_DB']) {
    expect([n, looksSecretName(n)]).toEqual([n, false]);
  }
  for (const v of ['Host=db;Username=ctis;Password=hunter2', '-----BEGIN RSA PRIVATE KEY-----\nabc', 'redis://user:pw@redis:6379', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig']) {
    expect([v, looksSecretValue(v)]).toEqual([v, true]);
  }
  for (const v of ['https://auth.ctis.betts.example', 'Prune=false,Delete=false', 'http://app-server.ctis.svc.cluster.local:8080', 'e76dfa09b8ded1b2b202076096413650637ab198b3ea474a4b2d8956a306f799']) {
    expect([v, looksSecretValue(v)]).toEqual([v, false]);
  }
});

describe.each(ENVIRONMENTS)('%s: secrets', (name) => {
  test('every Secret a pod references is produced in the same namespace by an ExternalSecret or Certificate, with the key read', () => {
    expect(checkSecretsResolve(env(name))).toEqual([]);
  });

  test('the application components use secrets (the check above is not vacuous)', () => {
    const uses = secretUses(env(name));
    const owners = new Set(uses.map((u) => u.where.split(' ')[0]));
    expect(owners.size).toBeGreaterThanOrEqual(4);
  });

  test('no Secret object is rendered: secret material never enters the repository', () => {
    const e = env(name);
    expect(e.objects.filter((o) => o.kind === 'Secret').map(ref)).toEqual([]);
    expect(e.objects.length).toBeGreaterThan(0);
  });

  test('no literal secret values in env, ConfigMaps, annotations or command lines', () => {
    const { findings, inspected } = literalSecrets(env(name));
    expect(inspected).toBeGreaterThan(30);
    expect(findings).toEqual([]);
  });

  test('connection strings and the internal-token key come from secret keys', () => {
    const e = env(name);
    const named = pods(e).flatMap((p) =>
      allContainers(p.spec).flatMap((c) => (c.env ?? []).filter((v) => looksSecretName(v.name)).map((v) => [ref(p.owner), v] as const)),
    );
    expect(named.length).toBeGreaterThanOrEqual(4);
    for (const [owner, v] of named) expect([owner, v.name, v.valueFrom?.secretKeyRef !== undefined]).toEqual([owner, v.name, true]);
  });

  test('ExternalSecrets target the Secret of the same name, owned and retained', () => {
    const list = byKind(env(name), 'ExternalSecret');
    expect(list.length).toBeGreaterThan(0);
    for (const es of list) {
      expect(es.spec.target.name).toBe(es.metadata.name);
      expect(es.spec.target.creationPolicy).toBe('Owner');
      expect(['Retain', 'Delete', 'Merge']).toContain(es.spec.target.deletionPolicy);
    }
  });
});

test('a Secret reference nothing produces is caught', () => {
  const e = env('production');
  const broken: RenderedEnv = {
    ...e,
    objects: e.objects.filter((o) => !(o.kind === 'ExternalSecret' && o.metadata.name === e.objects.find((x) => x.kind === 'ExternalSecret')!.metadata.name)),
  };
  expect(checkSecretsResolve(broken).length).toBeGreaterThan(0);
});

test('with AppServer mTLS certificates from the secret store, the TLS secrets are ExternalSecrets with the keys mounted', () => {
  const config = cloneConfig(ctisConfigs().find((c) => c.name === 'staging')!);
  config.features.appServerMtls = { enabled: true, port: 8443, certificates: { source: 'external-secret' } };
  const rendered = renderConfig(config);
  expect(byKind(rendered, 'Certificate')).toEqual([]);
  const tlsVolumes = pods(rendered).flatMap((p) => (p.spec.volumes ?? []).filter((v) => v.secret));
  expect(tlsVolumes.length).toBeGreaterThanOrEqual(2);
  expect(checkSecretsResolve(rendered)).toEqual([]);
  for (const v of tlsVolumes) {
    const es = byKind(rendered, 'ExternalSecret').find((x) => x.spec.target.name === v.secret.secretName);
    expect(es).toBeDefined();
    const keys = es!.spec.data.map((d) => d.secretKey).sort();
    expect(keys).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(es!.spec.target.template?.type).toBe('kubernetes.io/tls');
  }
});

test('with AppServer mTLS off, no certificate secret is mounted and every reference still resolves', () => {
  const config = cloneConfig(ctisConfigs().find((c) => c.name === 'staging')!);
  config.features.appServerMtls = { enabled: false };
  const rendered = renderConfig(config);
  const secretVolumes = pods(rendered).flatMap((p) => (p.spec.volumes ?? []).filter((v) => v.secret || v.projected));
  expect(secretVolumes).toEqual([]);
  expect(checkSecretsResolve(rendered)).toEqual([]);
});
