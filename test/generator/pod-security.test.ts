/**
 * Every pod passes the Pod Security Standard "restricted" profile, written from the
 * standard's definition (baseline + restricted controls), plus the runbook's rollout rules:
 * read-only root with a writable /tmp, requests and limits, three probes on the health
 * endpoints, RollingUpdate with maxUnavailable 0 and pinned images.
 */
import type { V1AppArmorProfile, V1PodSecurityContext, V1PodSpec, V1SeccompProfile, V1SecurityContext, V1SELinuxOptions } from '@kubernetes/client-node';
import { imageSchema } from '../../src/config/schema';
import { isKind, ofKind } from '../support/k8s';
import {
  allContainers,
  APP_COMPONENTS,
  cloneConfig,
  ctisConfigs,
  DOTNET_COMPONENTS,
  ENVIRONMENTS,
  mainContainer,
  pods,
  PodRef,
  ref,
  renderConfig,
  renderCtis,
  RenderedEnv,
} from './helpers';

let envs: Map<string, RenderedEnv>;

beforeAll(() => {
  envs = renderCtis().envs;
});

const env = (name: string): RenderedEnv => envs.get(name)!;

/** Volume sources the restricted profile allows. */
const ALLOWED_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls the baseline profile allows. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/**
 * Violations of Pod Security "restricted" for one pod, per the standard's controls. Returns
 * human-readable findings; an empty list means the pod is admitted.
 */
function restrictedViolations(spec: V1PodSpec, podAnnotations: Record<string, string> = {}): string[] {
  const v: string[] = [];
  const podSc: V1PodSecurityContext = spec.securityContext ?? {};
  const containers = [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
  if (containers.length === 0) v.push('pod has no containers');

  // Baseline: host namespaces.
  if (spec.hostNetwork) v.push('hostNetwork');
  if (spec.hostPID) v.push('hostPID');
  if (spec.hostIPC) v.push('hostIPC');
  // Baseline: HostProcess.
  if (podSc.windowsOptions?.hostProcess) v.push('pod windowsOptions.hostProcess');
  // Baseline: sysctls.
  for (const s of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) v.push(`unsafe sysctl ${s.name}`);
  // Baseline: SELinux (pod level).
  const seLinuxOk = (o: V1SELinuxOptions | undefined) =>
    !o || ((o.type === undefined || ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(o.type)) && o.user === undefined && o.role === undefined);
  if (!seLinuxOk(podSc.seLinuxOptions)) v.push('pod seLinuxOptions');
  // Baseline: AppArmor (annotations and fields).
  for (const [k, val] of Object.entries(podAnnotations)) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(val === 'runtime/default' || val.startsWith('localhost/'))) v.push(`apparmor ${k}`);
  }
  const appArmorOk = (p: V1AppArmorProfile | undefined) => !p || p.type === 'RuntimeDefault' || p.type === 'Localhost';
  if (!appArmorOk(podSc.appArmorProfile)) v.push('pod appArmorProfile');

  // Restricted: volume types (also covers the baseline hostPath control).
  for (const vol of spec.volumes ?? []) {
    const sources = Object.keys(vol).filter((k) => k !== 'name');
    if (sources.length !== 1 || !ALLOWED_VOLUME_SOURCES.has(sources[0])) v.push(`volume ${vol.name} uses ${sources.join(',')}`);
  }

  // Restricted: seccomp must be RuntimeDefault or Localhost, at pod level or on every container.
  const seccompOk = (p: V1SeccompProfile | undefined) => p !== undefined && (p.type === 'RuntimeDefault' || p.type === 'Localhost');
  if (podSc.seccompProfile && !seccompOk(podSc.seccompProfile)) v.push(`pod seccomp ${podSc.seccompProfile.type}`);

  for (const c of containers) {
    const sc: V1SecurityContext = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) v.push(`${at} privileged`);
    if (sc.windowsOptions?.hostProcess) v.push(`${at} hostProcess`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') v.push(`${at} procMount ${sc.procMount}`);
    if (!seLinuxOk(sc.seLinuxOptions)) v.push(`${at} seLinuxOptions`);
    if (!appArmorOk(sc.appArmorProfile)) v.push(`${at} appArmorProfile`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${at} hostPort ${p.hostPort}`);
    // Restricted: privilege escalation.
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at} allowPrivilegeEscalation is not false`);
    // Restricted: running as non-root (container setting overrides the pod's).
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) v.push(`${at} runAsNonRoot is not true`);
    // Restricted: non-root user.
    const user = sc.runAsUser ?? podSc.runAsUser;
    if (user === 0) v.push(`${at} runAsUser 0`);
    // Restricted: seccomp.
    const seccomp = sc.seccompProfile ?? podSc.seccompProfile;
    if (!seccompOk(seccomp)) v.push(`${at} seccompProfile ${seccomp?.type ?? 'unset'}`);
    // Restricted: capabilities.
    const drop = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) v.push(`${at} does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${at} adds ${cap}`);
  }
  return v;
}

test('the restricted check rejects what the standard rejects', () => {
  const good: V1PodSpec = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
  expect(restrictedViolations(good)).toEqual([]);
  const bad = (mutate: (s: V1PodSpec & { securityContext: V1PodSecurityContext }, c: V1SecurityContext & { capabilities: { add?: string[]; drop?: string[] } }) => void) => {
    const s = structuredClone(good) as V1PodSpec & { securityContext: V1PodSecurityContext };
    const c = s.containers[0].securityContext as V1SecurityContext & { capabilities: { drop?: string[] } };
    mutate(s, c);
    return restrictedViolations(s);
  };
  expect(bad((s) => (s.hostNetwork = true))).not.toEqual([]);
  expect(bad((s) => s.volumes?.push({ name: 'h', hostPath: { path: '/' } }))).not.toEqual([]);
  expect(bad((_s, c) => (c.runAsUser = 0))).not.toEqual([]);
  expect(bad((s) => (s.securityContext.seccompProfile = { type: 'Unconfined' }))).not.toEqual([]);
  expect(bad((s) => delete s.securityContext.seccompProfile)).not.toEqual([]);
  expect(bad((_s, c) => (c.capabilities.add = ['NET_ADMIN']))).not.toEqual([]);
  expect(bad((_s, c) => (c.capabilities.drop = []))).not.toEqual([]);
  expect(bad((_s, c) => delete c.allowPrivilegeEscalation)).not.toEqual([]);
  expect(bad((s) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]))).not.toEqual([]);
  expect(bad((_s, c) => (c.privileged = true))).not.toEqual([]);
  expect(bad((s) => delete s.securityContext.runAsNonRoot)).not.toEqual([]);
});

describe.each(ENVIRONMENTS)('%s: Pod Security "restricted"', (name) => {
  const podsOf = (): PodRef[] => {
    const list = pods(env(name));
    expect(list.length).toBeGreaterThanOrEqual(APP_COMPONENTS.length);
    return list;
  };

  test('every pod passes the restricted controls', () => {
    for (const p of podsOf()) {
      expect([ref(p.owner), restrictedViolations(p.spec, p.template.metadata?.annotations)]).toEqual([ref(p.owner), []]);
    }
  });

  test('runAsNonRoot on pod and containers, with a numeric non-zero user', () => {
    for (const p of podsOf()) {
      expect([ref(p.owner), p.spec.securityContext?.runAsNonRoot]).toEqual([ref(p.owner), true]);
      for (const c of allContainers(p.spec)) {
        const sc = c.securityContext ?? {};
        expect([ref(p.owner), c.name, sc.runAsNonRoot ?? p.spec.securityContext.runAsNonRoot]).toEqual([ref(p.owner), c.name, true]);
        const user = sc.runAsUser ?? p.spec.securityContext.runAsUser;
        expect(Number.isInteger(user)).toBe(true);
        expect(user).toBeGreaterThan(0);
      }
    }
  });

  test.each(DOTNET_COMPONENTS)('%s runs as the .NET image user 1654', (id) => {
    const { spec, container } = mainContainer(env(name), id);
    expect(container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBe(1654);
  });

  test('no privileged mode, no host namespaces, no host paths or host ports', () => {
    for (const p of podsOf()) {
      expect(p.spec.hostNetwork).toBeFalsy();
      expect(p.spec.hostPID).toBeFalsy();
      expect(p.spec.hostIPC).toBeFalsy();
      for (const vol of p.spec.volumes ?? []) expect(vol.hostPath).toBeUndefined();
      for (const c of allContainers(p.spec)) {
        expect(c.securityContext?.privileged).toBeFalsy();
        for (const port of c.ports ?? []) expect(port.hostPort).toBeUndefined();
      }
    }
  });

  test('no pod mounts a Kubernetes API token', () => {
    const e = env(name);
    for (const p of podsOf()) {
      const sa = e.objects.filter((o) => isKind(o, 'ServiceAccount')).find((o) => o.metadata.name === p.spec.serviceAccountName);
      expect([ref(p.owner), sa !== undefined]).toEqual([ref(p.owner), true]);
      const automount = p.spec.automountServiceAccountToken ?? sa!.automountServiceAccountToken ?? true;
      expect([ref(p.owner), automount]).toEqual([ref(p.owner), false]);
    }
  });

  test('read-only root filesystem with a writable emptyDir at /tmp', () => {
    for (const p of podsOf()) {
      for (const c of allContainers(p.spec)) {
        const where = `${ref(p.owner)} ${c.name}`;
        expect([where, c.securityContext?.readOnlyRootFilesystem]).toEqual([where, true]);
        const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
        expect([where, tmp !== undefined]).toEqual([where, true]);
        expect([where, tmp?.readOnly ?? false]).toEqual([where, false]);
        const vol = (p.spec.volumes ?? []).find((x) => x.name === tmp?.name);
        expect([where, vol?.emptyDir !== undefined]).toEqual([where, true]);
      }
    }
  });

  test('every mount names a volume of the pod or a claim template', () => {
    for (const p of podsOf()) {
      const claims = isKind(p.owner, 'StatefulSet') ? (p.owner.spec.volumeClaimTemplates ?? []) : [];
      const names = new Set([...(p.spec.volumes ?? []).map((x) => x.name), ...claims.map((t) => t.metadata.name)]);
      for (const c of allContainers(p.spec)) {
        for (const m of c.volumeMounts ?? []) expect([ref(p.owner), m.name, names.has(m.name)]).toEqual([ref(p.owner), m.name, true]);
      }
    }
  });

  test('requests and limits for cpu and memory on every container', () => {
    for (const p of podsOf()) {
      for (const c of allContainers(p.spec)) {
        const where = `${ref(p.owner)} ${c.name}`;
        for (const kind of ['requests', 'limits'] as const) {
          for (const res of ['cpu', 'memory']) {
            expect([where, kind, res, c.resources?.[kind]?.[res] !== undefined]).toEqual([where, kind, res, true]);
          }
        }
      }
    }
  });

  test.each(APP_COMPONENTS)('%s: resources and image come from the environment configuration', (id) => {
    const e = env(name);
    const { container } = mainContainer(e, id);
    const w = e.config.workloads[id];
    expect(String(container.resources.requests.cpu)).toBe(w.resources.requests.cpu);
    expect(String(container.resources.requests.memory)).toBe(w.resources.requests.memory);
    expect(String(container.resources.limits.cpu)).toBe(w.resources.limits.cpu);
    expect(String(container.resources.limits.memory)).toBe(w.resources.limits.memory);
    const expected = `${w.image.repository}${w.image.tag ? `:${w.image.tag}` : ''}${w.image.digest ? `@${w.image.digest}` : ''}`;
    expect(container.image).toBe(expected);
  });

  test('readiness, liveness and startup probes on every long-running container, pointing at declared ports; jobs never restart in place', () => {
    for (const p of podsOf()) {
      if (p.owner.kind === 'CronJob' || p.owner.kind === 'Job') {
        expect([ref(p.owner), p.spec.restartPolicy]).toEqual([ref(p.owner), 'Never']);
        continue;
      }
      for (const c of p.spec.containers) {
        const where = `${ref(p.owner)} ${c.name}`;
        const ports = c.ports ?? [];
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
          const pr = c[probe];
          expect([where, probe, pr !== undefined]).toEqual([where, probe, true]);
          const handler: { port: number | string } | undefined = pr?.httpGet ?? pr?.tcpSocket ?? pr?.grpc;
          if (handler) {
            const port = handler.port;
            const declared = ports.some((cp) => (typeof port === 'string' ? cp.name === port : cp.containerPort === port));
            expect([where, probe, port, declared]).toEqual([where, probe, port, true]);
          } else {
            expect([where, probe, Array.isArray(pr?.exec?.command)]).toEqual([where, probe, true]);
          }
        }
      }
    }
  });

  test.each(APP_COMPONENTS)('%s: HTTP probes on /health/ready and /health/live', (id) => {
    const { container } = mainContainer(env(name), id);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(['/health/live', '/health/ready']).toContain(container.startupProbe.httpGet.path);
  });

  test('Deployments roll with RollingUpdate and maxUnavailable 0', () => {
    const deployments = env(name).objects.filter((o) => isKind(o, 'Deployment'));
    const rollouts = env(name).objects.filter((o) => isKind(o, 'Rollout'));
    expect(deployments.length + rollouts.length).toBeGreaterThanOrEqual(APP_COMPONENTS.length);
    for (const d of deployments) {
      expect([ref(d), d.spec.strategy?.type]).toEqual([ref(d), 'RollingUpdate']);
      expect([ref(d), String(d.spec.strategy?.rollingUpdate?.maxUnavailable)]).toEqual([ref(d), expect.stringMatching(/^0%?$/)]);
    }
    for (const s of env(name).objects.filter((o) => isKind(o, 'StatefulSet'))) {
      expect(s.spec.updateStrategy?.type ?? 'RollingUpdate').toBe('RollingUpdate');
    }
  });

  test('Rollouts release blue-green: the live colour keeps serving until the new one is promoted', () => {
    for (const r of ofKind(env(name).objects, 'Rollout')) {
      const bg = r.spec.strategy.blueGreen;
      expect([ref(r), Object.keys(r.spec.strategy)]).toEqual([ref(r), ['blueGreen']]);
      expect([ref(r), bg.activeService]).toEqual([ref(r), r.metadata.name]);
      expect([ref(r), bg.previewService]).toEqual([ref(r), `${r.metadata.name}-preview`]);
      expect(bg.scaleDownDelaySeconds).toBeGreaterThanOrEqual(30);
    }
  });

  test('images are pinned by tag or digest, never latest', () => {
    let count = 0;
    for (const p of podsOf()) {
      for (const c of allContainers(p.spec)) {
        count += 1;
        const image: string = c.image;
        const lastSegment = image.split('/').pop()!;
        const digest = /@sha256:[a-f0-9]{64}$/.test(image);
        const tag = /^[^@]+:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@|$)/.exec(lastSegment)?.[1];
        expect([ref(p.owner), image, digest || tag !== undefined]).toEqual([ref(p.owner), image, true]);
        expect([ref(p.owner), image, tag === 'latest']).toEqual([ref(p.owner), image, false]);
      }
    }
    expect(count).toBeGreaterThanOrEqual(APP_COMPONENTS.length);
  });
});

test('an image pinned by digest only is rendered by digest', () => {
  // The schema accepts digest-only images; the rendered reference must carry the digest.
  const digest = `sha256:${'a'.repeat(64)}`;
  expect(imageSchema.safeParse({ repository: 'registry.example/ctis/api', digest }).success).toBe(true);
  const config = cloneConfig(ctisConfigs().find((c) => c.name === 'production')!);
  config.workloads.api.image = { repository: 'registry.betts.example/ctis/api', digest };
  const rendered = renderConfig(config);
  expect(mainContainer(rendered, 'api').container.image).toBe(`registry.betts.example/ctis/api@${digest}`);
});
