import type { V1ContainerPort, V1Service } from '@kubernetes/client-node';
import { routeBackends } from '../k8s/routes';
import { apiGroup, at, isRecord, list, record, str, stringMap } from '../../manifests';
import { definePodRule, defineRule, RuleFinding } from '../rule';

/** A Service selects pods, and its target ports are declared on them. */
export const serviceSelectsPods = defineRule({
  id: 'service-selects-pods',
  severity: 'error',
  runbookItem: 'References: Service selecting no pods',
  description:
    'A Service with a selector selects at least one pod template in its namespace, and every targetPort (named, numeric, or the default: `port`) is a container port those pods declare ' +
    '(an undeclared numeric port is an error for the components of the stack, a warning for other pods).',
  remediation: 'Make the selector match the pod template labels (app.kubernetes.io/name and instance) and declare (and name) the container ports the Service targets.',
  scope: { kinds: ['Service'] },
  check(o, ctx) {
    const svc = o.object as V1Service;
    const selector = stringMap(svc.spec?.selector);
    if (Object.keys(selector).length === 0) return [];
    const pods = ctx.pods.selectByLabels(ctx.objects.namespaceOf(o), selector);
    if (pods.length === 0) return [{ message: `selector ${JSON.stringify(selector)} selects no pod`, path: ['spec', 'selector'] }];
    const out: RuleFinding[] = [];
    const declares = (match: (cp: V1ContainerPort) => boolean) => pods.some((t) => (t.spec.containers ?? []).some((c) => (c.ports ?? []).some(match)));
    // An undeclared numeric port still reaches a process listening on it, but in our manifests it is a defect: an error for the stack's components.
    const inTopology = pods.some((t) => ctx.components.get(t.component) !== undefined);
    list(svc.spec?.ports).forEach((p, i) => {
      if (!isRecord(p)) return;
      if (typeof p.targetPort === 'string') {
        if (!declares((cp) => cp.name === p.targetPort)) out.push({ message: `targetPort ${p.targetPort} is not a container port name of the selected pods`, path: ['spec', 'ports', i, 'targetPort'] });
        return;
      }
      const target = typeof p.targetPort === 'number' ? p.targetPort : p.port;
      if (typeof target !== 'number' || declares((cp) => cp.containerPort === target)) return;
      const what = p.targetPort === undefined ? `port ${target} (the default targetPort)` : `targetPort ${target}`;
      out.push({
        message: `${what} is not a container port of the selected pods`,
        path: ['spec', 'ports', i, p.targetPort === undefined ? 'port' : 'targetPort'],
        ...(inTopology ? {} : { severity: 'warning' as const }),
      });
    });
    return out;
  },
});

/** Ingress and HTTPRoute backends exist. */
export const routeBackendExists = defineRule({
  id: 'route-backend-exists',
  severity: 'error',
  runbookItem: 'References: Ingress/route backend missing',
  description: 'Every Ingress and HTTPRoute backend names a Service in the manifests and a port that Service exposes.',
  remediation: 'Fix the backend Service name or port, or add the Service.',
  scope: { kinds: ['Ingress', 'HTTPRoute'] },
  check(o, ctx) {
    const out: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const b of routeBackends(o)) {
      const key = `${b.path.join('.')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const svc = ctx.objects.get('Service', ctx.objects.namespaceOf(o), b.service);
      if (!svc) {
        out.push({ message: `backend Service ${b.service} is not in the manifests`, path: b.path });
        continue;
      }
      if (b.port === undefined || !ctx.schema.readable(svc, ['spec', 'ports'])) continue;
      const ports = list(at(svc.object, ['spec', 'ports'])).filter(isRecord);
      const ok = typeof b.port === 'number' ? ports.some((p) => p.port === b.port) : ports.some((p) => p.name === b.port);
      if (!ok) out.push({ message: `Service ${b.service} has no port ${b.port}`, path: b.path });
    }
    return out;
  },
});

/** Kinds an autoscaler can scale (they serve the `scale` subresource), by API group. */
const SCALABLE: Record<string, string> = { Deployment: 'apps', StatefulSet: 'apps', ReplicaSet: 'apps', Rollout: 'argoproj.io' };

/** An HPA's target exists. */
export const hpaTargetExists = defineRule({
  id: 'hpa-target-exists',
  severity: 'error',
  runbookItem: 'References: HPA selecting nothing',
  description:
    "A HorizontalPodAutoscaler's scaleTargetRef names a workload in the manifests that can be scaled (Deployment, StatefulSet, ReplicaSet, Argo Rollouts Rollout), " +
    'with the apiVersion that serves its kind (a Rollout that replaced a Deployment is reported by hpa-target-replaced).',
  remediation: 'Fix scaleTargetRef (apiVersion, kind, name) or remove the autoscaler.',
  scope: { kinds: ['HorizontalPodAutoscaler'] },
  check(o, ctx) {
    const ref = record(at(o.object, ['spec', 'scaleTargetRef']));
    const kind = str(ref.kind) ?? '';
    const name = str(ref.name) ?? '';
    const ns = ctx.objects.namespaceOf(o);
    const group = SCALABLE[kind];
    if (group === undefined) {
      return [{ message: `scale target kind ${kind || '(none)'} cannot be scaled by an autoscaler (Deployment, StatefulSet, ReplicaSet or Rollout)`, path: ['spec', 'scaleTargetRef', 'kind'] }];
    }
    if (!ctx.objects.get(kind, ns, name)) {
      // A Deployment a Rollout of the same name replaced: hpa-target-replaced says so.
      if (kind === 'Deployment' && ctx.objects.get('Rollout', ns, name)) return [];
      return [{ message: `scale target ${kind} ${name} is not in the manifests`, path: ['spec', 'scaleTargetRef'] }];
    }
    const apiVersion = str(ref.apiVersion) ?? '';
    if (apiGroup(apiVersion) !== group) {
      return [{
        message: `scale target ${kind} ${name} is named with apiVersion ${apiVersion || '(none)'}, which does not serve ${kind} (${group}/...)`,
        path: ['spec', 'scaleTargetRef', 'apiVersion'],
        remediation: `Set scaleTargetRef.apiVersion to ${kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1'}.`,
      }];
    }
    return [];
  },
});

/** A PDB selects pods. */
export const pdbSelectsPods = defineRule({
  id: 'pdb-selects-pods',
  severity: 'error',
  runbookItem: 'References: PDB selecting nothing',
  description: 'A PodDisruptionBudget selects at least one pod template in its namespace.',
  remediation: 'Make spec.selector match the labels of the pods it protects.',
  scope: { kinds: ['PodDisruptionBudget'] },
  check(o, ctx) {
    const sel = at(o.object, ['spec', 'selector']);
    if (!isRecord(sel)) return [{ message: 'PodDisruptionBudget has no selector', path: ['spec'] }];
    return ctx.pods.select(ctx.objects.namespaceOf(o), sel).length > 0 ? [] : [{ message: 'selector selects no pod', path: ['spec', 'selector'] }];
  },
});

/** A NetworkPolicy selects pods. */
export const policySelectsPods = defineRule({
  id: 'policy-selects-pods',
  severity: 'error',
  runbookItem: 'References: NetworkPolicy selecting nothing (SPEC §2 rule 2)',
  description: 'A NetworkPolicy selects at least one pod template in its namespace (a selector typo leaves the intended pods unprotected or cut off).',
  remediation: 'Make spec.podSelector match the pod template labels.',
  scope: { kinds: ['NetworkPolicy'] },
  check(o, ctx) {
    return ctx.pods.select(ctx.objects.namespaceOf(o), at(o.object, ['spec', 'podSelector']) ?? {}).length > 0 ? [] : [{ message: `podSelector ${JSON.stringify(at(o.object, ['spec', 'podSelector']) ?? {})} selects no pod`, path: ['spec', 'podSelector'] }];
  },
});

/** ConfigMaps, claims and service accounts a pod uses exist. */
export const referencedObjectExists = definePodRule({
  id: 'referenced-object-exists',
  severity: 'error',
  runbookItem: 'References: ConfigMap/Secret/PVC/ServiceAccount missing',
  description:
    'Every ConfigMap (and key) a pod reads through env, envFrom or volumes, every PersistentVolumeClaim it mounts, its ServiceAccount and a StatefulSet\'s governing headless Service ' +
    'are in the manifests (Secrets are checked by secret-source; `optional: true` references may be absent) (kube-linter non-existent-service-account, kube-score statefulset-has-servicename).',
  remediation: 'Add the missing object or fix the reference.',
  check(t, ctx) {
    const ns = t.namespace;
    const out: RuleFinding[] = [];
    const spec = [...t.path, 'spec'];
    const cm = (name: string | undefined, key: string | undefined, optional: unknown, path: (string | number)[], what: string) => {
      if (!name || optional === true) return;
      const obj = ctx.objects.get('ConfigMap', ns, name);
      if (!obj) out.push({ message: `${what} references ConfigMap ${name}, which is not in the manifests`, path });
      else if (key !== undefined && !(key in stringMap(at(obj.object, ['data']))) && !(isRecord(obj.object.binaryData) && key in obj.object.binaryData)) {
        out.push({ message: `${what} references key ${key} of ConfigMap ${name}, which it does not have`, path });
      }
    };
    for (const field of ['initContainers', 'containers'] as const) {
      list(t.spec[field]).forEach((c, ci) => {
        if (!isRecord(c)) return;
        list(c.env).forEach((e, ei) => {
          const ref = isRecord(e) ? e.valueFrom?.configMapKeyRef : undefined;
          if (isRecord(ref)) cm(str(ref.name), str(ref.key), ref.optional, [...spec, field, ci, 'env', ei], `env ${String(e.name)}`);
        });
        list(c.envFrom).forEach((e, ei) => {
          const ref = isRecord(e) ? e.configMapRef : undefined;
          if (isRecord(ref)) cm(str(ref.name), undefined, ref.optional, [...spec, field, ci, 'envFrom', ei], 'envFrom');
        });
      });
    }
    const claimTemplates = new Set(list(at(t.owner.object, ['spec', 'volumeClaimTemplates'])).map((v) => str(at(v, ['metadata', 'name']))));
    list(t.spec.volumes).forEach((v, vi) => {
      if (!isRecord(v)) return;
      const path = [...spec, 'volumes', vi];
      if (isRecord(v.configMap)) cm(str(v.configMap.name), undefined, v.configMap.optional, path, `volume ${String(v.name)}`);
      for (const s of list(v.projected?.sources)) if (isRecord(s) && isRecord(s.configMap)) cm(str(s.configMap.name), undefined, s.configMap.optional, path, `volume ${String(v.name)}`);
      const claim = str(v.persistentVolumeClaim?.claimName);
      if (claim && !claimTemplates.has(claim) && !ctx.objects.get('PersistentVolumeClaim', ns, claim)) {
        out.push({ message: `volume ${String(v.name)} mounts PersistentVolumeClaim ${claim}, which is not in the manifests`, path });
      }
    });
    const sa = t.spec.serviceAccountName ?? t.spec.serviceAccount;
    if (sa && sa !== 'default' && !ctx.objects.get('ServiceAccount', ns, sa)) {
      out.push({ message: `ServiceAccount ${sa} is not in the manifests`, path: [...spec, 'serviceAccountName'] });
    }
    // A StatefulSet's pods get their stable DNS names from its governing headless Service.
    const governing = t.kind === 'StatefulSet' ? str(at(t.owner.object, ['spec', 'serviceName'])) : undefined;
    if (governing) {
      const svc = ctx.objects.get('Service', ns, governing);
      if (!svc) out.push({ message: `StatefulSet ${t.name} names the governing Service ${governing}, which is not in the manifests`, path: ['spec', 'serviceName'] });
      else if (at(svc.object, ['spec', 'clusterIP']) !== 'None') out.push({ message: `the governing Service ${governing} of StatefulSet ${t.name} is not headless (clusterIP: None): its pods get no stable DNS names`, path: ['spec', 'serviceName'] });
    }
    return out;
  },
});
