import type { V1Container, V1EphemeralContainer, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import type { PodTemplate } from '../context';
import { allContainers, at, isRecord, list, str, text } from '../../manifests';
import { definePodRule, RuleFinding } from '../rule';

/** Volume types Pod Security `restricted` allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls Pod Security `baseline` allows. */
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
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Records a violation with the path it is found at. */
type AddViolation = (message: string, path: (string | number)[]) => void;

/**
 * The Pod Security Standard `restricted` (which includes `baseline`) for one pod template, plus the
 * SPEC's explicit numeric non-root user.
 */
function restrictedViolations(t: PodTemplate): RuleFinding[] {
  const out: RuleFinding[] = [];
  const spec = t.spec;
  const base = [...t.path, 'spec'];
  const add = (message: string, path: (string | number)[]) => out.push({ message, path });
  const podSc: V1PodSecurityContext = spec.securityContext ?? {};

  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[f] === true) add(`${f} is true`, [...base, f]);
  }
  (spec.volumes ?? []).forEach((v, i) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !ALLOWED_VOLUMES.has(type)) add(`volume ${v.name} of type ${type} is not allowed (restricted allows ${[...ALLOWED_VOLUMES].join(', ')})`, [...base, 'volumes', i]);
  });
  (podSc.sysctls ?? []).forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(s.name)) add(`sysctl ${s.name} is not in the safe set`, [...base, 'securityContext', 'sysctls', i]);
  });
  if (podSc.runAsNonRoot === false) add('pod securityContext.runAsNonRoot is false', [...base, 'securityContext', 'runAsNonRoot']);
  if (podSc.runAsUser === 0) add('pod runs as user 0 (root)', [...base, 'securityContext', 'runAsUser']);
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && podSeccomp !== 'RuntimeDefault' && podSeccomp !== 'Localhost') add(`pod seccomp profile ${podSeccomp} is not RuntimeDefault or Localhost`, [...base, 'securityContext', 'seccompProfile']);
  if (podSc.appArmorProfile?.type === 'Unconfined') add('pod AppArmor profile is Unconfined', [...base, 'securityContext', 'appArmorProfile']);
  if (podSc.windowsOptions?.hostProcess === true) add('pod runs Windows HostProcess containers', [...base, 'securityContext', 'windowsOptions', 'hostProcess']);
  const podSelinux = podSc.seLinuxOptions;
  if (podSelinux) {
    if (!SELINUX_TYPES.has(podSelinux.type ?? '')) add(`SELinux type ${podSelinux.type} is not allowed`, [...base, 'securityContext', 'seLinuxOptions']);
    if (podSelinux.user || podSelinux.role) add('SELinux user/role must not be set', [...base, 'securityContext', 'seLinuxOptions']);
  }
  for (const [k, v] of Object.entries(t.annotations)) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) {
      add(`AppArmor annotation ${k} is ${v}`, [...t.path, 'metadata', 'annotations', k]);
    }
  }

  for (const field of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[field] ?? []).forEach((c: V1Container | V1EphemeralContainer, ci) => containerViolations(c, [...base, field, ci], podSc, add));
  }
  return out;
}

/**
 * The `restricted` checks of one container at `cp`, with what it inherits from the pod's
 * securityContext.
 */
function containerViolations(c: V1Container | V1EphemeralContainer, cp: (string | number)[], podSc: V1PodSecurityContext, add: AddViolation): void {
  const podSeccomp = podSc.seccompProfile?.type;
  const name = c.name;
  const sc: V1SecurityContext = c.securityContext ?? {};
  const scp = [...cp, 'securityContext'];
  if (sc.privileged === true) add(`container ${name} is privileged`, [...scp, 'privileged']);
  if (sc.allowPrivilegeEscalation !== false) add(`container ${name} does not set allowPrivilegeEscalation: false`, sc.allowPrivilegeEscalation === undefined ? scp : [...scp, 'allowPrivilegeEscalation']);
  const drop = sc.capabilities?.drop ?? [];
  if (!drop.includes('ALL')) add(`container ${name} does not drop ALL capabilities`, [...scp, 'capabilities']);
  const added = (sc.capabilities?.add ?? []).filter((x) => x !== 'NET_BIND_SERVICE');
  if (added.length > 0) add(`container ${name} adds capabilities ${added.join(', ')} (only NET_BIND_SERVICE is allowed)`, [...scp, 'capabilities', 'add']);
  // One finding per cause: a value inherited from the pod is reported once, on the pod.
  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (nonRoot !== true && !(sc.runAsNonRoot === undefined && podSc.runAsNonRoot === false)) add(`container ${name} does not run with runAsNonRoot: true (pod or container)`, scp);
  const user = sc.runAsUser ?? podSc.runAsUser;
  if (sc.runAsUser === 0) add(`container ${name} runs as user 0 (root)`, [...scp, 'runAsUser']);
  else if (typeof user !== 'number') add(`container ${name} has no numeric non-zero runAsUser (the image user is not checked by the kubelet)`, scp);
  const seccomp = sc.seccompProfile?.type ?? podSeccomp;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') add(`container ${name} has no RuntimeDefault seccomp profile (pod or container)`, scp);
  if (sc.appArmorProfile?.type === 'Unconfined') add(`container ${name} AppArmor profile is Unconfined`, [...scp, 'appArmorProfile']);
  if (sc.procMount !== undefined && sc.procMount !== 'Default') add(`container ${name} procMount is ${sc.procMount}`, [...scp, 'procMount']);
  if (sc.windowsOptions?.hostProcess === true) add(`container ${name} is a Windows HostProcess container`, [...scp, 'windowsOptions', 'hostProcess']);
  if (sc.seLinuxOptions && (!SELINUX_TYPES.has(sc.seLinuxOptions.type ?? '') || sc.seLinuxOptions.user || sc.seLinuxOptions.role)) {
    add(`container ${name} has disallowed SELinux options`, [...scp, 'seLinuxOptions']);
  }
  (c.ports ?? []).forEach((p, pi) => {
    if (typeof p.hostPort === 'number' && p.hostPort !== 0) add(`container ${name} uses hostPort ${p.hostPort}`, [...cp, 'ports', pi, 'hostPort']);
  });
}

/** SPEC §2 rule 14: Pod Security `restricted`. */
export const podSecurityRestricted = definePodRule({
  id: 'pod-security-restricted',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (Pod Security Standard restricted)',
  description:
    'Every pod passes the Pod Security Standard `restricted`: no host namespaces, ports or paths, only allowed volume types, runAsNonRoot with a numeric non-zero user, ' +
    'allowPrivilegeEscalation false, capabilities drop ALL (add at most NET_BIND_SERVICE), seccomp RuntimeDefault, no privileged or HostProcess containers, no unsafe sysctls/SELinux/AppArmor/procMount.',
  remediation: 'Set the pod and container securityContext as in the message (e.g. runAsNonRoot: true, runAsUser: 1654, allowPrivilegeEscalation: false, capabilities.drop [ALL], seccompProfile RuntimeDefault).',
  check(t) {
    return restrictedViolations(t);
  },
});

/** Generic: containers write only to volumes. */
export const readOnlyRootFilesystem = definePodRule({
  id: 'read-only-root-filesystem',
  severity: 'error',
  runbookItem: 'Generic checks: immutable containers (kube-score container-security-context-readonlyrootfilesystem, kube-linter no-read-only-root-fs, Polaris notReadOnlyRootFilesystem)',
  description:
    'Every container and init container sets `securityContext.readOnlyRootFilesystem: true`: whoever breaks in cannot change the image\'s files or drop tools beside them, and what a ' +
    'container writes goes to the volumes it declares (an emptyDir at /tmp, see writable-tmp).',
  remediation: 'Set securityContext.readOnlyRootFilesystem: true on the container and mount an emptyDir wherever it writes (/tmp for .NET and Next.js).',
  check(t, ctx) {
    return ctx.pods.containers(t)
      .filter(({ container: c }) => at(c, ['securityContext', 'readOnlyRootFilesystem']) !== true)
      .map(({ field, index, container: c }) => {
        const value = at(c, ['securityContext', 'readOnlyRootFilesystem']);
        const base = [...t.path, 'spec', field, index];
        return {
          message: `container ${text(c.name)} ${value === undefined ? 'does not set readOnlyRootFilesystem: true' : `sets readOnlyRootFilesystem: ${text(value)}`}: it may write to its root filesystem`,
          path: value === undefined ? (isRecord(c.securityContext) ? [...base, 'securityContext'] : base) : [...base, 'securityContext', 'readOnlyRootFilesystem'],
        };
      });
  },
});

/** SPEC §2 rule 14: .NET and Next.js need a writable /tmp with a read-only root filesystem. */
export const writableTmp = definePodRule({
  id: 'writable-tmp',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (writable emptyDir at /tmp when the root filesystem is read-only)',
  description: '.NET and Next.js containers with `readOnlyRootFilesystem: true` mount an emptyDir at /tmp (both runtimes write there at start-up).',
  remediation: 'Add an emptyDir volume (e.g. sizeLimit 256Mi) and mount it at /tmp.',
  check(t, ctx) {
    const runtime = ctx.components.get(t.component)?.runtime;
    if (runtime !== 'dotnet' && runtime !== 'nextjs') return [];
    const main = ctx.pods.mainContainer(t);
    if (!main || main.container.securityContext?.readOnlyRootFilesystem !== true) return [];
    const mount = list(main.container.volumeMounts).find((m) => isRecord(m) && (m.mountPath === '/tmp' || m.mountPath === '/tmp/'));
    const volume = mount ? list(t.spec.volumes).find((v) => isRecord(v) && v.name === mount.name) : undefined;
    if (isRecord(volume) && isRecord(volume.emptyDir)) return [];
    return [
      {
        message: mount ? `/tmp of ${t.component} is not an emptyDir volume` : `${t.component} has a read-only root filesystem but no writable emptyDir at /tmp`,
        path: [...t.path, 'spec', 'containers', main.index, 'volumeMounts'],
      },
    ];
  },
});

/** Splits an image reference into tag and digest. */
export function imageParts(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  return { tag, digest };
}

/** SPEC §2 rule 15: images pinned by tag (not latest) or digest. */
export const imagePinned = definePodRule({
  id: 'image-pinned',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 15; environment configuration `images.requireDigest`',
  description:
    'Every container image names a version tag other than `latest`, or a sha256 digest; where the environment requires digests (`images.requireDigest`, production), every image ' +
    'carries a `@sha256:` digest (a tag can be moved to other contents, a digest cannot).',
  remediation: 'Pin the image in config/<env>.yaml (workloads.<id>.image.tag or .digest).',
  check(t, ctx) {
    const out: RuleFinding[] = [];
    const requireDigest = ctx.env.images.requireDigest;
    for (const { field, index: ci, container: c } of allContainers(t.spec, true)) {
      const path = [...t.path, 'spec', field, ci, 'image'];
      const image = str(c.image);
      if (!image) {
        out.push({ message: `container ${text(c.name)} has no image`, path: [...t.path, 'spec', field, ci] });
        continue;
      }
      const { tag, digest } = imageParts(image);
      if (digest !== undefined) {
        if (!/^sha256:[a-f0-9]{64}$/.test(digest)) out.push({ message: `image ${image} has a malformed digest`, path });
        continue;
      }
      if (tag === undefined) out.push({ message: `image ${image} has no tag (it means latest)`, path });
      else if (tag === 'latest') out.push({ message: `image ${image} uses the latest tag`, path });
      else if (requireDigest) {
        out.push({
          message: `image ${image} of container ${text(c.name)} is pinned by tag only: ${ctx.env.name} requires a sha256 digest (images.requireDigest)`,
          path,
          remediation: `Render the image with its digest: set workloads.<id>.image.digest in config/${ctx.env.name}.yaml (the generator renders <repository>:<tag>@sha256:<digest>).`,
        });
      }
    }
    return out;
  },
});
