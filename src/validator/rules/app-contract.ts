import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { at, Fields, isRecord, list, text, WORKLOAD_KIND_NAMES } from '../../manifests';
import type { PodTemplate, Settings, ValidationContext } from '../context';
import { edgeModel, forwards } from '../k8s/edge';
import { definePodRule, defineRule, RuleFinding } from '../rule';
import { containerPath, hasRole, isTrue, origin, requireTrue } from './app-common';

/**
 * .NET configuration keys are case-insensitive and `:` equals `__`: two variables that spell the
 * same key differently with different values leave the bound value undefined.
 */
export const settingKeyUnambiguous = definePodRule({
  id: 'setting-key-unambiguous',
  severity: 'error',
  runbookItem: 'SPEC §2 (ASP.NET configuration keys: `:` is `__` in environment variables); rules 4 and 6 to 11 read these settings',
  description:
    'No two environment variables of a .NET component bind the same configuration key with different values: keys are case-insensitive and `:` is the same as `__` ' +
    '(`Cors__AllowedOrigins__1`, `CORS__ALLOWEDORIGINS__1` and `Cors:AllowedOrigins:1` are one key), and which spelling .NET uses is undefined.',
  remediation: 'Keep one spelling of each setting (the `Section__Key` form of the settings ConfigMap) and delete the other variables.',
  check(t, ctx) {
    if (ctx.components.get(t.component)?.runtime !== 'dotnet') return [];
    const out: RuleFinding[] = [];
    for (const variants of ctx.settings.main(t).ambiguous()) {
      const values = new Set(variants.map((s) => (s.value === undefined ? `\u0000${s.source.kind}:${JSON.stringify(s.source)}` : s.value)));
      if (values.size < 2) continue;
      const shown = variants.map((s) => `${s.name}=${s.value ?? '<not readable>'}${origin(s)}`).join(', ');
      const last = variants[variants.length - 1];
      out.push({ message: `${variants.length} variables bind configuration key ${last.name.replace(/__/g, ':')} with different values (${shown}); which one .NET uses is undefined`, path: [...last.path] });
    }
    return out;
  },
});

/** SPEC §2 rule 4: the issuer is the public https URL of a TLS host. */
export const issuerPublicHttps = definePodRule({
  id: 'issuer-public-https',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 4; runbook checklist "AuthServer:Issuer set to public HTTPS URL"',
  description:
    "auth-server's `AuthServer__Issuer` is `https://<host>` where the host is routed to auth-server over TLS, and equals the configured issuer; " +
    "api's `Authentication__Authority`, when set, is the same URL.",
  remediation: 'Set AuthServer__Issuer to https://<auth-server host from config/<env>.yaml> and route that host with TLS.',
  check(t, ctx) {
    if (!hasRole(ctx, t, ['auth-server', 'api'])) return [];
    const expected = ctx.env.issuer ?? (ctx.env.hosts['auth-server'] ? `https://${ctx.env.hosts['auth-server']}` : undefined);
    const settings = ctx.settings.main(t);
    if (ctx.components.get(t.component)?.role === 'api') {
      const a = settings.get('Authentication__Authority');
      if (a?.value !== undefined && expected !== undefined && a.value.replace(/\/$/, '') !== expected) {
        return [{ message: `api's Authentication__Authority ${a.value}${origin(a)} is not the issuer ${expected}`, path: [...a.path] }];
      }
      return [];
    }
    const s = settings.get('AuthServer__Issuer');
    if (!s || s.value === undefined) return [{ message: 'auth-server does not set AuthServer__Issuer', path: s ? [...s.path] : containerPath(ctx, t) }];
    let url: URL;
    try {
      url = new URL(s.value);
    } catch {
      return [{ message: `AuthServer__Issuer "${s.value}" is not a URL`, path: [...s.path] }];
    }
    const component = t.component!;
    const tlsHost = edgeModel(ctx).routes.some((r) => r.scheme === 'https' && r.certificate && forwards(r) && r.host === url.hostname && r.components.includes(component));
    const problems: string[] = [];
    if (url.protocol !== 'https:') problems.push('not https');
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) problems.push('not the bare origin https://<host>');
    if (!tlsHost) problems.push(`host ${url.hostname} is not routed to ${component} over TLS`);
    // One finding per cause: a value other than the configured issuer is one mistake, whatever else it breaks.
    if (expected !== undefined && s.value.replace(/\/$/, '') !== expected) {
      return [{ message: `AuthServer__Issuer ${s.value} differs from the configured issuer ${expected}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`, path: [...s.path] }];
    }
    const out: RuleFinding[] = [];
    if (url.protocol !== 'https:') {
      out.push({
        message: `AuthServer__Issuer ${s.value} is not https${ctx.env.name === 'development' ? ' (tolerated in development only)' : ''}`,
        path: [...s.path],
        severity: ctx.env.name === 'development' ? 'warning' : 'error',
      });
    }
    if (problems.includes('not the bare origin https://<host>')) out.push({ message: `AuthServer__Issuer ${s.value} must be the bare origin https://<host>`, path: [...s.path] });
    if (!tlsHost) out.push({ message: `AuthServer__Issuer host ${url.hostname} is not routed to ${component} over TLS`, path: [...s.path] });
    return out;
  },
});

/** `Cors:AllowedOrigins` or `Cors:AllowedOrigins:N` as a configuration key (see settingKey). */
const CORS_KEY = /^cors:allowedorigins(:\d+)?$/;
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/** SPEC §2 rule 6: explicit https CORS origins. */
export const corsExplicitOrigins = definePodRule({
  id: 'cors-explicit-origins',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 6; runbook checklist "CORS allow-lists explicitly configured, no wildcard credentials mode"',
  description:
    'auth-server and api list their CORS origins explicitly as `Cors__AllowedOrigins__N` https origins (no `*`, no path); origins outside the configured hosts and corsExtraOrigins are flagged.',
  remediation: 'Set Cors__AllowedOrigins__0..N to the https origins of the frontend (and config corsExtraOrigins); never a wildcard.',
  check(t, ctx) {
    if (!hasRole(ctx, t, ['auth-server', 'api'])) return [];
    const out: RuleFinding[] = [];
    const declared = new Set([...Object.values(ctx.env.hosts).map((h) => `https://${h}`), ...ctx.env.corsExtraOrigins]);
    let count = 0;
    for (const s of ctx.settings.main(t).values()) {
      if (!CORS_KEY.test(s.key)) continue;
      count++;
      if (s.value === undefined) continue;
      for (const value of s.value.split(/[;,]/).map((x) => x.trim())) {
        if (value.includes('*')) out.push({ message: `${s.name}=${value}${origin(s)} is a wildcard origin`, path: [...s.path] });
        else if (!HTTPS_ORIGIN.test(value)) out.push({ message: `${s.name}=${value}${origin(s)} is not an https origin (https://host[:port], no path)`, path: [...s.path] });
        else if (!declared.has(value)) out.push({ message: `${s.name}=${value}${origin(s)} is neither a configured host nor in corsExtraOrigins`, path: [...s.path], severity: 'warning' });
      }
    }
    if (count === 0) out.push({ message: `${t.component} has no Cors__AllowedOrigins__N setting: the allow-list must be explicit`, path: containerPath(ctx, t) });
    return out;
  },
});

/** SPEC §2 rule 7: hardening and security headers on the .NET services. */
export const securityHardening = definePodRule({
  id: 'security-hardening',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 7; runbook checklist "Security hardening enabled (SecurityHardening + SecurityHeaders)"',
  description: 'auth-server, api and app-server set `SecurityHardening__Enabled=true` and `SecurityHeaders__Enabled=true`.',
  remediation: 'Set both settings to "true" in the component\'s settings ConfigMap or env.',
  check(t, ctx) {
    return hasRole(ctx, t, ['auth-server', 'api', 'app-server']) ? requireTrue(ctx, t, ['SecurityHardening__Enabled', 'SecurityHeaders__Enabled']) : [];
  },
});

/** SPEC §2 rule 7: rate limiting on the public .NET services. */
export const rateLimiting = definePodRule({
  id: 'rate-limiting',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 7; runbook checklist "Rate limiting enabled (AuthServer + Api)"',
  description: 'auth-server and api set `RateLimiting__Enabled=true`.',
  remediation: 'Set RateLimiting__Enabled to "true" in the component\'s settings.',
  check(t, ctx) {
    return hasRole(ctx, t, ['auth-server', 'api']) ? requireTrue(ctx, t, ['RateLimiting__Enabled']) : [];
  },
});

const TOKEN_KEYS = ['InternalTokens__Issuer', 'InternalTokens__Audience', 'InternalTokens__JwksUrl'] as const;

function clusterService(ctx: ValidationContext, host: string, ns: string): { service: string; namespace: string } | undefined {
  const parts = host.split('.');
  if (parts.length === 1) return { service: parts[0], namespace: ns };
  if (parts.length === 2) return { service: parts[0], namespace: parts[1] };
  if (parts.length === 3 && parts[2] === 'svc') return { service: parts[0], namespace: parts[1] };
  if (parts.length === 5 && parts.slice(2).join('.') === 'svc.cluster.local') return { service: parts[0], namespace: parts[1] };
  void ctx;
  return undefined;
}

function jwksProblems(ctx: ValidationContext, t: PodTemplate, value: string, path: (string | number)[]): RuleFinding[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ message: `InternalTokens__JwksUrl "${value}" is not a URL`, path }];
  }
  const target = clusterService(ctx, url.hostname, t.namespace);
  if (!target) return [{ message: `InternalTokens__JwksUrl ${value} is not a cluster-internal URL (<service>.<namespace>.svc...)`, path }];
  const svc = ctx.objects.get('Service', target.namespace, target.service);
  if (!svc) return [{ message: `InternalTokens__JwksUrl names Service ${target.namespace}/${target.service}, which is not in the manifests`, path }];
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const out: RuleFinding[] = [];
  if (!list(at(svc.object, ['spec', 'ports'])).some((p) => isRecord(p) && p.port === port)) {
    out.push({ message: `InternalTokens__JwksUrl uses port ${port}, which Service ${target.service} does not expose`, path });
  }
  const appServers = ctx.components.withRole('app-server').map((c) => c.id);
  const components = ctx.pods.selectByLabels(target.namespace, at(svc.object, ['spec', 'selector'])).map((x) => x.component);
  const reachable = components.some((c) => appServers.some((a) => ctx.effective.edges.some((e) => e.from === a && e.to.kind === 'component' && e.to.id === c)));
  if (!reachable) {
    out.push({ message: `InternalTokens__JwksUrl points at ${target.service}, which app-server has no declared edge to`, path });
  }
  return out;
}

/** SPEC §2 rule 8: the InternalTokens contract is identical on api and app-server. */
export const internalTokensContract = definePodRule({
  id: 'internal-tokens-contract',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 8; runbook checklist "InternalTokens contract aligned between Api/AppServer"',
  description:
    'api and app-server set the same `InternalTokens__Issuer`, `InternalTokens__Audience` (the configured ones) and `InternalTokens__JwksUrl` ' +
    '(a cluster-internal URL of a component app-server has an edge to), and read `InternalTokens__ApiKey` from the same Secret key.',
  remediation: 'Render the same InternalTokens settings on both components and take the API key from one ExternalSecret-backed Secret key.',
  check(t, ctx) {
    if (!hasRole(ctx, t, ['api', 'app-server'])) return [];
    const role = ctx.components.get(t.component)!.role;
    const settings = ctx.settings.main(t);
    const out: RuleFinding[] = [];
    for (const key of TOKEN_KEYS) {
      const s = settings.get(key);
      if (!s || s.value === undefined || s.value === '') {
        out.push({ message: `${t.component} does not set ${key}`, path: s ? [...s.path] : containerPath(ctx, t) });
      }
    }
    const issuer = settings.get('InternalTokens__Issuer');
    if (issuer?.value && issuer.value !== ctx.env.internalTokens.issuer) {
      out.push({ message: `InternalTokens__Issuer ${issuer.value} is not the configured ${ctx.env.internalTokens.issuer}`, path: [...issuer.path] });
    }
    const audience = settings.get('InternalTokens__Audience');
    if (audience?.value && audience.value !== ctx.env.internalTokens.audience) {
      out.push({ message: `InternalTokens__Audience ${audience.value} is not the configured ${ctx.env.internalTokens.audience}`, path: [...audience.path] });
    }
    const jwks = settings.get('InternalTokens__JwksUrl');
    if (jwks?.value) out.push(...jwksProblems(ctx, t, jwks.value, [...jwks.path]));
    const key = settings.get('InternalTokens__ApiKey');
    if (!key) out.push({ message: `${t.component} does not set InternalTokens__ApiKey`, path: containerPath(ctx, t) });
    else if (key.source.kind !== 'secret') out.push({ message: 'InternalTokens__ApiKey must come from a Secret (secretKeyRef), not a literal or ConfigMap', path: [...key.path] });

    // Compare with the other side of the contract; reported on app-server, the consumer.
    if (role !== 'app-server') return out;
    for (const peer of ctx.components.withRole('api')) {
      for (const pt of ctx.pods.ofComponent(peer.id)) {
        if (pt.namespace !== t.namespace) continue;
        const ps = ctx.settings.main(pt);
        // Issuer and audience are each compared with the configured value on their own side; only the JWKS URL has no reference but the peer.
        for (const k of ['InternalTokens__JwksUrl'] as const) {
          const mine = settings.get(k)?.value;
          const theirs = ps.get(k)?.value;
          if (mine !== undefined && theirs !== undefined && mine !== theirs) {
            out.push({ message: `${k} is ${mine} here but ${theirs} on ${peer.id}`, path: [...settings.get(k)!.path] });
          }
        }
        const pk = ps.get('InternalTokens__ApiKey');
        if (key?.source.kind === 'secret' && pk?.source.kind === 'secret' && (key.source.name !== pk.source.name || key.source.key !== pk.source.key)) {
          out.push({
            message: `InternalTokens__ApiKey comes from ${key.source.name}/${key.source.key ?? ''} here but from ${pk.source.name}/${pk.source.key ?? ''} on ${peer.id}`,
            path: [...key.path],
          });
        }
      }
    }
    return out;
  },
});

/** Secret names a volume projects (a `secret` volume or `projected` secret sources). */
function volumeSecrets(v: V1Volume | undefined): string[] {
  if (!v) return [];
  const out: string[] = [];
  const direct = v.secret?.secretName;
  if (direct) out.push(direct);
  for (const src of v.projected?.sources ?? []) if (src.secret?.name) out.push(src.secret.name);
  return out;
}

/** Secrets mounted into a container through secret or projected volumes. */
function mountedSecrets(ctx: ValidationContext, t: PodTemplate): string[] {
  const main = ctx.pods.mainContainer(t);
  if (!main) return [];
  const mounted = new Set((main.container.volumeMounts ?? []).map((m) => m.name));
  return (t.spec.volumes ?? []).flatMap((v) => (mounted.has(v.name) ? volumeSecrets(v) : []));
}

/** The container port a Service port reaches on a pod template (`targetPort` by number or name; default `port`). */
function targetContainerPort(t: PodTemplate, servicePort: Fields): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string') return undefined;
  for (const c of t.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  }
  return undefined;
}

/** `port` (and the target when it is a name) of a Service port, for messages. */
function describeServicePort(p: Fields, container: number | undefined): string {
  const target = p.targetPort ?? p.port;
  const to = container === undefined ? `${text(target)} (no such container port)` : typeof target === 'string' ? `${target} (container port ${container})` : `container port ${container}`;
  return `port ${text(p.port)} -> ${to}`;
}

const CLIENT_CERT_MODE = 'Kestrel__Endpoints__Https__ClientCertificateMode';

/** The Secrets app-server serves its TLS certificate from (the mount of its certificate path, else every mounted certificate). */
function serverCertificateSecrets(ctx: ValidationContext, t: PodTemplate, certificates: readonly string[]): string[] {
  const certPath = ctx.settings.main(t).get('Kestrel__Endpoints__Https__Certificate__Path')?.value;
  const m = certPath ? mountFor(ctx, t, certPath) : undefined;
  const fromPath = volumeSecrets(m?.volume).filter((n) => certificates.includes(n));
  return fromPath.length > 0 ? fromPath : [...certificates];
}

/** SPEC §2 rule 9: optional AppServer mTLS. */
export const appServerMtls = definePodRule({
  id: 'app-server-mtls',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 9; runbook checklist "AppServer mTLS enabled if required by environment boundary policy"',
  description:
    'When the environment enables AppServer mTLS: app-server serves its TLS port from a mounted certificate Secret, requires client certificates ' +
    `(\`${CLIENT_CERT_MODE}=RequireCertificate\`) and its Service targets only the TLS container port; api mounts a client certificate that is not ` +
    "app-server's server certificate and sets `AppServer__BaseUrl` to https on app-server's Service port that reaches the TLS port; both certificates come from cert-manager or ExternalSecrets as configured.",
  remediation:
    `Mount separate server and client certificate Secrets (issued by the configured cert-manager issuer or synced by an ExternalSecret), set ${CLIENT_CERT_MODE}=RequireCertificate, ` +
    'make every app-server Service port target the TLS container port, and point AppServer__BaseUrl at https://app-server.<namespace>.svc:<tls port>.',
  check(t, ctx) {
    const mtls = ctx.env.features.appServerMtls;
    if (!mtls.enabled) return [];
    if (!hasRole(ctx, t, ['api', 'app-server'])) return [];
    const out: RuleFinding[] = [];
    const wantKind = mtls.certificates.source === 'cert-manager' ? 'Certificate' : 'ExternalSecret';
    const certsOf = (x: PodTemplate) => mountedSecrets(ctx, x).filter((name) => ctx.secrets.of(x.namespace, name).some((p) => p.object.kind === wantKind));
    const certs = certsOf(t);
    const role = ctx.components.get(t.component)!.role;
    const what = role === 'app-server' ? 'server certificate' : 'client certificate';
    if (certs.length === 0) {
      out.push({ message: `${t.component} mounts no ${what} Secret produced by a ${wantKind} (mTLS is on in ${ctx.env.name})`, path: containerPath(ctx, t) });
    }
    const settings = ctx.settings.main(t);
    if (role === 'app-server') {
      appServerTlsProblems(ctx, t, mtls.port, settings, out);
      return out;
    }

    // api: a client certificate of its own, and https to app-server's TLS port.
    const servers = ctx.components.withRole('app-server').flatMap((c) => ctx.pods.ofComponent(c.id)).filter((x) => x.namespace === t.namespace);
    const serverCerts = new Set(servers.flatMap((x) => serverCertificateSecrets(ctx, x, certsOf(x))));
    const shared = certs.filter((c) => serverCerts.has(c));
    if (shared.length > 0) {
      out.push({
        message: `api presents Secret ${shared.join(', ')}, app-server's server certificate, as its client certificate: the client needs a certificate of its own`,
        path: containerPath(ctx, t),
      });
    }
    apiBaseUrlProblems(ctx, t, mtls.port, settings, out);
    return out;
  },
});

/**
 * app-server's side of mTLS: it declares the TLS container port, requires client certificates,
 * and its Service reaches the TLS port and no other.
 */
function appServerTlsProblems(ctx: ValidationContext, t: PodTemplate, tlsPort: number, settings: Settings, out: RuleFinding[]): void {
  const main = ctx.pods.mainContainer(t);
  const ports = list(main?.container.ports).filter(isRecord);
  if (!ports.some((p) => p.containerPort === tlsPort)) {
    out.push({ message: `app-server does not declare its TLS port ${tlsPort} as a container port`, path: containerPath(ctx, t) });
  }
  const mode = settings.get(CLIENT_CERT_MODE) ?? settings.get('Kestrel__EndpointDefaults__ClientCertificateMode');
  if (!mode) {
    out.push({ message: `app-server does not set ${CLIENT_CERT_MODE}=RequireCertificate: callers without a client certificate would be served`, path: containerPath(ctx, t) });
  } else if ((mode.value ?? '').trim().toLowerCase() !== 'requirecertificate') {
    out.push({ message: `app-server sets ${mode.name}=${mode.value ?? '<not readable>'}${origin(mode)}; it must be RequireCertificate`, path: [...mode.path] });
  }
  const svc = ctx.objects.get('Service', t.namespace, t.component!);
  if (svc && ctx.schema.readable(svc, ['spec', 'ports'])) {
    const svcPorts = list(at(svc.object, ['spec', 'ports'])).filter(isRecord).map((p) => ({ p, container: targetContainerPort(t, p) }));
    if (!svcPorts.some((x) => x.container === tlsPort)) {
      const shown = svcPorts.map((x) => describeServicePort(x.p, x.container)).join(', ') || 'no ports';
      out.push({ message: `Service ${t.component} has no port that reaches the TLS container port ${tlsPort} (${shown})`, path: containerPath(ctx, t) });
    }
    const plain = svcPorts.filter((x) => x.container !== tlsPort);
    if (plain.length > 0 && plain.length < svcPorts.length) {
      out.push({ message: `Service ${t.component} also exposes ${plain.map((x) => describeServicePort(x.p, x.container)).join(', ')}, bypassing mTLS`, path: containerPath(ctx, t) });
    }
  }
}

/** api's `AppServer__BaseUrl`: https on a port of an app-server Service that reaches the TLS port. */
function apiBaseUrlProblems(ctx: ValidationContext, t: PodTemplate, tlsPort: number, settings: Settings, out: RuleFinding[]): void {
  const base = settings.get('AppServer__BaseUrl');
  if (!base || base.value === undefined || base.value === '') {
    out.push({ message: `api does not set AppServer__BaseUrl (https://app-server.${t.namespace}.svc:${tlsPort}): it cannot reach app-server over mTLS`, path: base ? [...base.path] : containerPath(ctx, t) });
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(base.value);
  } catch {
    url = undefined;
  }
  const shown = `AppServer__BaseUrl ${base.value}${origin(base)}`;
  if (!url || url.protocol !== 'https:') {
    out.push({ message: `${shown} is not https on the TLS port ${tlsPort}`, path: [...base.path] });
    return;
  }
  const target = clusterService(ctx, url.hostname, t.namespace);
  const svc = target ? ctx.objects.get('Service', target.namespace, target.service) : undefined;
  const selected = svc && ctx.schema.readable(svc, ['spec', 'selector']) ? ctx.pods.selectByLabels(target!.namespace, at(svc.object, ['spec', 'selector'])) : [];
  const appServers = selected.filter((x) => ctx.components.get(x.component)?.role === 'app-server');
  if (!svc || appServers.length === 0) {
    out.push({ message: `${shown} does not name a Service of app-server (<service>.<namespace>.svc)`, path: [...base.path] });
    return;
  }
  const port = Number(url.port || 443);
  const svcPorts = list(at(svc.object, ['spec', 'ports'])).filter(isRecord);
  const reachesTls = (p: Fields) => appServers.some((x) => targetContainerPort(x, p) === tlsPort);
  const svcPort = svcPorts.find((p) => p.port === port);
  if (!svcPort) {
    out.push({ message: `${shown} uses port ${port}, which Service ${target!.service} does not expose`, path: [...base.path] });
  } else if (!reachesTls(svcPort) && svcPorts.some(reachesTls)) {
    // When no port of the Service reaches the TLS port, the Service is at fault (reported on app-server).
    out.push({ message: `${shown} is not https on the TLS port ${tlsPort} (Service ${target!.service} port ${port} does not reach container port ${tlsPort})`, path: [...base.path] });
  }
}

/** Whether `path` lies at or below the mount path `mount`. */
function under(path: string, mount: string): boolean {
  const m = mount.endsWith('/') ? mount.slice(0, -1) : mount;
  return path === m || path.startsWith(`${m}/`) || m === '';
}

/** The volume mount (longest mount path) that holds a path in the main container. */
function mountFor(ctx: ValidationContext, t: PodTemplate, path: string) {
  const main = ctx.pods.mainContainer(t);
  if (!main) return undefined;
  let best: { mount: V1VolumeMount; index: number } | undefined;
  (main.container.volumeMounts ?? []).forEach((m, index) => {
    if (!under(path, m.mountPath)) return;
    if (!best || m.mountPath.length > best.mount.mountPath.length) best = { mount: m, index };
  });
  if (!best) return undefined;
  const name = best.mount.name;
  const volume = (t.spec.volumes ?? []).find((v) => v.name === name);
  return { ...best, volume, containerIndex: main.index };
}

/** SPEC §2 rule 10: Data Protection keys on a mounted, shared claim. */
export const dataProtectionKeys = defineRule({
  id: 'data-protection-keys',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 10; runbook "Data Protection key persistence"',
  description:
    "auth-server's `AuthServer__DataProtection__KeyPath` lies on a mounted PersistentVolumeClaim; the claim is ReadWriteMany when more than one auth-server pod can run " +
    '(replicas or HPA maxReplicas > 1, or a blue-green Rollout, whose two colours run at once during a release); read-only mode mounts it read-only. ' +
    '(That no sync deletes the claim is `claim-deletion-protected`.)',
  remediation:
    'Mount a PVC at the key path; use accessModes [ReadWriteMany] with a RWX storage class when scaling out; ' +
    'with AuthServer__DataProtection__ReadOnly=true set the mount readOnly.',
  scope: { kinds: [...WORKLOAD_KIND_NAMES, 'PersistentVolumeClaim'] },
  check(o, ctx) {
    if (o.object.kind === 'PersistentVolumeClaim') return claimProblems(ctx, o);
    const t = ctx.pods.of(o);
    if (!t || !hasRole(ctx, t, ['auth-server'])) return [];
    const settings = ctx.settings.main(t);
    const keyPath = settings.get('AuthServer__DataProtection__KeyPath');
    if (!keyPath?.value) return [{ message: 'auth-server does not set AuthServer__DataProtection__KeyPath: keys would be lost on restart', path: keyPath ? [...keyPath.path] : containerPath(ctx, t) }];
    const m = mountFor(ctx, t, keyPath.value);
    const claim = m?.volume?.persistentVolumeClaim?.claimName;
    if (!m || !claim) {
      return [{ message: `AuthServer__DataProtection__KeyPath ${keyPath.value} is not on a mounted PersistentVolumeClaim`, path: [...keyPath.path] }];
    }
    const out: RuleFinding[] = [];
    const readOnly = settings.get('AuthServer__DataProtection__ReadOnly');
    const mountPath = [...t.path, 'spec', 'containers', m.containerIndex, 'volumeMounts', m.index];
    if (isTrue(readOnly) && m.mount.readOnly !== true) {
      out.push({ message: 'AuthServer__DataProtection__ReadOnly=true but the key volume is mounted read-write', path: mountPath });
    }
    if (!isTrue(readOnly) && m.mount.readOnly === true) {
      out.push({ message: 'the key volume is mounted read-only but auth-server is not in read-only mode (it could not write keys)', path: mountPath });
    }
    if (isTrue(readOnly) !== ctx.env.features.dataProtectionReadOnly) {
      out.push({
        message: `read-only mode is ${isTrue(readOnly)} but config features.dataProtectionReadOnly is ${ctx.env.features.dataProtectionReadOnly}`,
        path: readOnly ? [...readOnly.path] : containerPath(ctx, t),
      });
    }
    const pvc = ctx.objects.get('PersistentVolumeClaim', t.namespace, claim);
    if (!pvc) out.push({ message: `key volume claim ${claim} is not in the manifests`, path: mountPath });
    return out;
  },
});

/** Checks a claim that holds auth-server's keys (found through the workloads that mount it at the key path). */
function claimProblems(ctx: ValidationContext, pvc: Parameters<typeof ctx.objects.keyOf>[0]): RuleFinding[] {
  const name = ctx.objects.nameOf(pvc);
  const ns = ctx.objects.namespaceOf(pvc);
  let pods = 0;
  let used = false;
  let colours = false;
  for (const c of ctx.components.withRole('auth-server')) {
    for (const t of ctx.pods.ofComponent(c.id)) {
      if (t.namespace !== ns) continue;
      const keyPath = ctx.settings.main(t).get('AuthServer__DataProtection__KeyPath')?.value;
      const m = keyPath ? mountFor(ctx, t, keyPath) : undefined;
      if (m?.volume?.persistentVolumeClaim?.claimName !== name) continue;
      used = true;
      // Both colours of a blue-green release mount the claim at once.
      const concurrent = ctx.pods.concurrentPods(t);
      pods += concurrent;
      colours ||= concurrent > ctx.pods.maxPods(t);
    }
  }
  if (!used) return [];
  const out: RuleFinding[] = [];
  const modes = list(at(pvc.object, ['spec', 'accessModes']));
  if (pods > 1 && !modes.includes('ReadWriteMany')) {
    const both = colours ? ' (both colours of a blue-green release)' : '';
    out.push({ message: `up to ${pods} auth-server pods${both} share Data Protection keys on this claim, but it is ${modes.join(', ') || 'without access modes'}, not ReadWriteMany`, path: ['spec', 'accessModes'] });
  }
  return out;
}

/** SPEC §2 rule 11: durable Hangfire storage. */
export const hangfireDurableStorage = definePodRule({
  id: 'hangfire-durable-storage',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 11; runbook "Hangfire: move storage to a durable backend before rollout"',
  description:
    '`Hangfire__Storage` on auth-server and app-server is `PostgreSql` wherever more than one of their pods can run (both colours of a blue-green release count) and always outside development ' +
    '(unset means the in-memory default); it matches config features.hangfireStorage.',
  remediation: 'Set Hangfire__Storage=PostgreSql (and a DefaultConnection from a Secret); InMemory only in single-pod development.',
  check(t, ctx) {
    if (!hasRole(ctx, t, ['auth-server', 'app-server'])) return [];
    const settings = ctx.settings.main(t);
    const s = settings.get('Hangfire__Storage');
    const value = s?.value ?? 'InMemory';
    const path = s ? [...s.path] : containerPath(ctx, t);
    const shown = s ? `Hangfire__Storage=${value}${origin(s)}` : 'Hangfire__Storage is unset (in-memory)';
    if (value === 'PostgreSql') {
      const cs = settings.get('ConnectionStrings__DefaultConnection');
      const out: RuleFinding[] = [];
      if (!cs) out.push({ message: 'Hangfire uses PostgreSql but ConnectionStrings__DefaultConnection is not set', path });
      if (ctx.env.features.hangfireStorage !== 'PostgreSql') out.push({ message: `Hangfire__Storage=PostgreSql but config says ${ctx.env.features.hangfireStorage}`, path, severity: 'warning' });
      return out;
    }
    if (value !== 'InMemory') return [{ message: `${shown}: unknown storage (PostgreSql or InMemory)`, path }];
    if (ctx.env.name !== 'development') return [{ message: `${shown} in ${ctx.env.name}: only development may use in-memory storage`, path }];
    const multi = ctx.components.withRole('auth-server').concat(ctx.components.withRole('app-server')).flatMap((c) => ctx.pods.ofComponent(c.id)).filter((x) => ctx.pods.concurrentPods(x) > 1);
    if (multi.length > 0) return [{ message: `${shown} but ${multi.map((x) => x.component).join(', ')} can run more than one pod`, path }];
    if (ctx.env.features.hangfireStorage !== 'InMemory') return [{ message: `${shown} but config says ${ctx.env.features.hangfireStorage}`, path }];
    return [];
  },
});
