/**
 * Per environment: the expected objects exist, names and selectors are stable and
 * human-readable, labels follow the output contract, HPAs own the replica count where they
 * exist and PodDisruptionBudgets cover every workload that can run more than one pod.
 */
import { blueGreenOf } from '../../src/config/strategy';
import {
  APP_COMPONENTS,
  byKind,
  DATA_STORES,
  ENVIRONMENTS,
  find,
  get,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_PART_OF,
  maxPodsConfigured,
  maxPodsRendered,
  Obj,
  podTemplateOf,
  ref,
  renderCtis,
  RenderedEnv,
  selects,
  walk,
  workload,
  workloads as workloadsOf,
} from './helpers';
import type { PodTemplateModel } from '../support/k8s';

let envs: Map<string, RenderedEnv>;

beforeAll(() => {
  envs = renderCtis().envs;
});

const env = (name: string): RenderedEnv => envs.get(name)!;

/** Kinds this suite expects inside the environment's namespace. */
const NAMESPACED = new Set([
  'Deployment',
  'Rollout',
  'AnalysisTemplate',
  'StatefulSet',
  'Service',
  'ServiceAccount',
  'ConfigMap',
  'ExternalSecret',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Certificate',
]);

describe.each(ENVIRONMENTS)('%s: expected objects', (name) => {
  test('renders objects into the environment folder, YAML only', () => {
    const e = env(name);
    expect(e.files.size).toBeGreaterThan(0);
    // The nginx profile's controller settings go to a folder of their own, which Argo CD does not sync.
    for (const rel of e.files.keys()) expect(rel).toMatch(new RegExp(`^${name}/(edge-controller/)?[a-z0-9][a-z0-9.-]*\\.yaml$`));
    expect([...e.files.keys()].some((rel) => rel.startsWith(`${name}/edge-controller/`))).toBe(e.config.edge.profile === 'nginx');
    expect(e.objects.length).toBeGreaterThan(0);
    for (const o of e.objects) {
      expect(typeof o.apiVersion).toBe('string');
      expect(typeof o.kind).toBe('string');
      expect(typeof o.metadata?.name).toBe('string');
    }
  });

  test('the namespace enforces Pod Security "restricted" and every namespaced object lives in it', () => {
    const e = env(name);
    const ns = get(e, 'Namespace', e.config.namespace);
    expect(ns.apiVersion).toBe('v1');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(ns.metadata.namespace).toBeUndefined();
    // The one exception: the nginx controller's settings, in the controller's namespace.
    const controllerSettings = (o: Obj) =>
      e.config.edge.profile === 'nginx' && o.kind === 'ConfigMap' && o.metadata.namespace === e.config.edge.controller.namespace && o.metadata.name === 'nginx-config';
    const namespaced = e.objects.filter((o) => NAMESPACED.has(o.kind) && !controllerSettings(o));
    expect(namespaced.length).toBeGreaterThan(10);
    for (const o of namespaced) expect([ref(o), o.metadata.namespace]).toEqual([ref(o), e.config.namespace]);
    expect(e.objects.filter(controllerSettings).length).toBe(e.config.edge.profile === 'nginx' ? 1 : 0);
  });

  test.each(APP_COMPONENTS)('%s: the workload its strategy calls for, Service, ServiceAccount without token and settings ConfigMap', (id) => {
    const e = env(name);
    // Rolling: a Deployment; blue-green: a Rollout, and no Deployment left beside it.
    const blueGreen = blueGreenOf(e.config.workloads[id]) !== undefined;
    const deployment = blueGreen ? get(e, 'Rollout', id) : get(e, 'Deployment', id);
    expect(deployment.apiVersion).toBe(blueGreen ? 'argoproj.io/v1alpha1' : 'apps/v1');
    expect(find(e, blueGreen ? 'Deployment' : 'Rollout', id)).toBeUndefined();
    expect(workload(e, id)).toBe(deployment);
    const service = get(e, 'Service', id);
    expect(service.apiVersion).toBe('v1');
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);

    const podSpec = deployment.spec.template.spec;
    const sa = get(e, 'ServiceAccount', podSpec.serviceAccountName);
    expect(sa.metadata.labels[LABEL_NAME]).toBe(id);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(podSpec.automountServiceAccountToken).not.toBe(true);

    const configMaps: string[] = podSpec.containers.flatMap((c) => (c.envFrom ?? []).map((f) => f.configMapRef?.name).filter(Boolean));
    expect(configMaps.length).toBeGreaterThan(0);
    for (const cmName of configMaps) {
      const cm = get(e, 'ConfigMap', cmName);
      expect(cm.metadata.labels[LABEL_NAME]).toBe(id);
      expect(Object.keys(cm.data ?? {}).length).toBeGreaterThan(0);
    }
  });

  test.each(DATA_STORES)('%s: a StatefulSet and Service exactly when the configuration runs it in the cluster', (id) => {
    const e = env(name);
    const mode = e.config.dataStores[id].mode;
    const workloads = e.objects.filter((o) => podTemplateOf(o)?.metadata?.labels?.[LABEL_NAME] === id);
    if (mode === 'in-cluster') {
      const sts = get(e, 'StatefulSet', id);
      expect(sts.apiVersion).toBe('apps/v1');
      expect(workloads).toEqual([sts]);
      const services = byKind(e, 'Service').filter((s) => selects(s.spec?.selector, sts.spec.template.metadata.labels));
      expect(services.length).toBeGreaterThan(0);
      expect(find(e, 'Service', id)).toBeDefined();
      // The governing Service named by the StatefulSet exists.
      expect(find(e, 'Service', sts.spec.serviceName)).toBeDefined();
      const claimTemplates = sts.spec.volumeClaimTemplates ?? [];
      expect(claimTemplates.length).toBeGreaterThan(0);
    } else {
      expect(workloads).toEqual([]);
      expect(find(e, 'Service', id)).toBeUndefined();
    }
  });

  test('environment expectations: data stores in the cluster outside production only', () => {
    const e = env(name);
    const statefulSets = byKind(e, 'StatefulSet').map((s) => s.metadata.name).sort();
    if (name === 'production') expect(statefulSets).toEqual([]);
    else expect(statefulSets).toEqual(['postgresql', 'redis']);
  });

  test('ExternalSecrets are external-secrets.io/v1 with every operator default written out', () => {
    const e = env(name);
    const externalSecrets = byKind(e, 'ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThanOrEqual(4);
    for (const es of externalSecrets) {
      expect([ref(es), es.apiVersion]).toEqual([ref(es), 'external-secrets.io/v1']);
      expect(es.spec.refreshInterval).toMatch(/^(\d+h)?(\d+m)?(\d+s)?$/);
      expect(es.spec.refreshInterval).not.toBe('');
      expect(es.spec.secretStoreRef).toEqual({ kind: e.config.secretStore.kind, name: e.config.secretStore.name });
      expect(typeof es.spec.target.name).toBe('string');
      expect(es.spec.target.creationPolicy).toEqual(expect.any(String));
      expect(es.spec.target.deletionPolicy).toEqual(expect.any(String));
      const data = es.spec.data ?? [];
      expect(data.length).toBeGreaterThan(0);
      for (const d of data) {
        expect(typeof d.secretKey).toBe('string');
        expect(d.remoteRef.key.startsWith(`${e.config.secretStore.keyPrefix}/`)).toBe(true);
        expect(d.remoteRef.conversionStrategy).toEqual(expect.any(String));
        expect(d.remoteRef.decodingStrategy).toEqual(expect.any(String));
        expect(d.remoteRef.metadataPolicy).toEqual(expect.any(String));
      }
    }
  });

  test('ExternalSecret refresh interval is the configured one, in the form the operator stores', () => {
    const e = env(name);
    const seconds = (d: string) =>
      [...d.matchAll(/(\d+)([hms])/g)].reduce((t, m) => t + Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as 'h' | 'm' | 's'], 0);
    const externalSecrets = byKind(e, 'ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThan(0);
    for (const es of externalSecrets) {
      expect(seconds(es.spec.refreshInterval)).toBe(seconds(e.config.secretStore.refreshInterval));
      // Go's time.Duration.String(): hours, minutes and seconds all written out below the largest unit.
      expect(es.spec.refreshInterval).toMatch(/^(\d+h\d+m\d+s|\d+m\d+s|\d+s)$/);
    }
  });

  test('the Data Protection claim of auth-server exists', () => {
    const e = env(name);
    const deployment = workload(e, 'auth-server');
    const claims: string[] = (deployment.spec.template.spec.volumes ?? [])
      .map((v) => v.persistentVolumeClaim?.claimName)
      .filter(Boolean);
    expect(claims.length).toBe(1);
    const pvc = get(e, 'PersistentVolumeClaim', claims[0]);
    expect(pvc.metadata.labels[LABEL_NAME]).toBe('auth-server');
  });

  test('HPAs (autoscaling/v2) for the four application components in staging and production, none in development', () => {
    const e = env(name);
    const hpas = byKind(e, 'HorizontalPodAutoscaler');
    const targets = hpas.map((h) => h.spec.scaleTargetRef.name).sort();
    if (name === 'development') {
      expect(hpas).toEqual([]);
    } else {
      expect(targets).toEqual([...APP_COMPONENTS].sort());
      for (const h of hpas) {
        expect(h.apiVersion).toBe('autoscaling/v2');
        const scaling = e.config.workloads[h.spec.scaleTargetRef.name].scaling;
        expect('minReplicas' in scaling).toBe(true);
        if ('minReplicas' in scaling) {
          expect(h.spec.minReplicas).toBe(scaling.minReplicas);
          expect(h.spec.maxReplicas).toBe(scaling.maxReplicas);
        }
      }
    }
  });

  test('where an HPA targets a workload, it is the component\'s Deployment or Rollout, which has no replicas field', () => {
    const e = env(name);
    const hpas = byKind(e, 'HorizontalPodAutoscaler');
    for (const h of hpas) {
      const target = h.spec.scaleTargetRef;
      const owner = workload(e, target.name);
      expect([ref(h), target.kind, target.apiVersion]).toEqual([ref(h), owner.kind, owner.apiVersion]);
      expect([ref(owner), 'replicas' in owner.spec]).toEqual([ref(owner), false]);
      expect(h.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(h.spec.maxReplicas).toBeGreaterThanOrEqual(h.spec.minReplicas);
    }
    // Without an HPA, the Deployment states its count and it is the configured one.
    for (const id of APP_COMPONENTS) {
      const deployment = workload(e, id);
      const owned = hpas.some((h) => h.spec.scaleTargetRef.name === id);
      const scaling = e.config.workloads[id].scaling;
      if (!owned) {
        expect('replicas' in scaling).toBe(true);
        if ('replicas' in scaling) expect(deployment.spec.replicas).toBe(scaling.replicas);
      }
    }
  });

  test('a PodDisruptionBudget covers every workload that can run more than one pod', () => {
    const e = env(name);
    const pdbs = byKind(e, 'PodDisruptionBudget');
    const workloads = workloadsOf(e);
    expect(workloads.length).toBeGreaterThanOrEqual(4);
    let multi = 0;
    for (const w of workloads) {
      const max = maxPodsRendered(e, w);
      const id = w.spec.template.metadata.labels[LABEL_NAME];
      if (e.config.workloads[id]) expect(max).toBe(maxPodsConfigured(e.config.workloads[id].scaling));
      if (max <= 1) continue;
      multi += 1;
      const covering = pdbs.filter((p) => selects(p.spec.selector?.matchLabels, w.spec.template.metadata.labels));
      expect([ref(w), covering.length]).toEqual([ref(w), 1]);
      const pdb = covering[0];
      expect(pdb.apiVersion).toBe('policy/v1');
      // The budget must allow a drain: at least one pod may go.
      if (pdb.spec.maxUnavailable !== undefined) expect(Number(pdb.spec.maxUnavailable)).toBeGreaterThanOrEqual(1);
      else expect(Number(pdb.spec.minAvailable)).toBeLessThan(max);
    }
    if (name === 'development') expect(multi).toBe(0);
    else expect(multi).toBe(APP_COMPONENTS.length);
    // No budget selects nothing.
    for (const p of pdbs) {
      expect(workloads.some((w) => selects(p.spec.selector?.matchLabels, w.spec.template.metadata.labels))).toBe(true);
    }
  });

  test('every Service port forwards to a named port of the pods it selects', () => {
    const e = env(name);
    const services = byKind(e, 'Service').filter((s) => s.spec?.selector);
    expect(services.length).toBeGreaterThanOrEqual(4);
    const templates = e.objects.map(podTemplateOf).filter((t): t is PodTemplateModel => t !== undefined);
    for (const s of services) {
      const selected = templates.filter((t) => selects(s.spec.selector, t.metadata?.labels));
      expect([ref(s), selected.length]).toEqual([ref(s), 1]);
      const ports = selected[0].spec.containers.flatMap((c) => c.ports ?? []);
      for (const p of s.spec.ports) {
        const target = p.targetPort ?? p.port;
        const match = ports.find((cp) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target));
        expect([ref(s), p.name, match !== undefined]).toEqual([ref(s), p.name, true]);
      }
      expect(['ClusterIP', undefined]).toContain(s.spec.type);
    }
  });
});

/** Suffixes cdk8s appends when names are derived from construct paths. */
const HASHED = [/-c8[0-9a-f]{6,}$/, /[-.][0-9a-f]{8,}$/, /^[0-9a-f]{8,}$/];
const NAME_KEYS = new Set(['name', 'claimName', 'secretName', 'serviceName', 'serviceAccountName']);

test('the hash patterns catch what cdk8s would produce', () => {
  for (const s of ['auth-server-deployment-c8a1b2c3', 'api-c81234567', 'frontend-0a1b2c3d4e']) {
    expect(HASHED.some((re) => re.test(s))).toBe(true);
  }
  for (const s of ['auth-server', 'ctis-production', 'auth-server-data-protection', 'ctis-deploy']) {
    expect(HASHED.some((re) => re.test(s))).toBe(false);
  }
});

describe.each(ENVIRONMENTS)('%s: stable names, selectors and labels', (name) => {
  test('no object, reference or label value carries a construct-path hash', () => {
    const e = env(name);
    let checked = 0;
    const hashed: string[] = [];
    for (const o of e.objects) {
      walk(o, (key, v, at) => {
        const isName = NAME_KEYS.has(key) && typeof v === 'string';
        const isLabelMap = /(^|\.)(labels|matchLabels)$/.test(at) || (o.kind === 'Service' && at === 'spec.selector');
        const values = isName ? [v] : isLabelMap && v && typeof v === 'object' ? Object.values(v).map(String) : [];
        for (const s of values) {
          checked += 1;
          if (HASHED.some((re) => re.test(s))) hashed.push(`${ref(o)} ${at}: ${s}`);
        }
      });
    }
    expect(checked).toBeGreaterThan(100);
    expect(hashed).toEqual([]);
  });

  test('no cdk8s construct-address label anywhere', () => {
    const e = env(name);
    const found: string[] = [];
    for (const o of e.objects) {
      walk(o, (key, _v, at) => {
        if (key.startsWith('cdk8s.io/')) found.push(`${ref(o)} ${at}`);
      });
    }
    expect(e.objects.length).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  test('every Deployment, Rollout and StatefulSet selects by app.kubernetes.io/name and instance only', () => {
    const e = env(name);
    const workloads = workloadsOf(e);
    expect(workloads.length).toBeGreaterThanOrEqual(4);
    for (const w of workloads) {
      const selector = w.spec.selector;
      expect([ref(w), Object.keys(selector).sort()]).toEqual([ref(w), ['matchLabels']]);
      expect([ref(w), Object.keys(selector.matchLabels).sort()]).toEqual([ref(w), [LABEL_INSTANCE, LABEL_NAME]]);
      expect(selector.matchLabels[LABEL_NAME]).toBe(w.metadata.name);
      expect(selects(selector.matchLabels, w.spec.template.metadata.labels)).toBe(true);
    }
  });

  test('every Service selects by app.kubernetes.io/name and instance only', () => {
    const e = env(name);
    const services = byKind(e, 'Service').filter((s) => s.spec?.selector);
    expect(services.length).toBeGreaterThanOrEqual(4);
    for (const s of services) {
      expect([ref(s), Object.keys(s.spec.selector).sort()]).toEqual([ref(s), [LABEL_INSTANCE, LABEL_NAME]]);
    }
  });

  test('every workload, Service and pod template carries name, part-of, instance and managed-by', () => {
    const e = env(name);
    const instances = new Set<string>();
    const labelled: Array<[string, Record<string, string> | undefined]> = [];
    for (const o of e.objects) {
      if (o.kind === 'Service' || podTemplateOf(o)) labelled.push([ref(o), o.metadata.labels]);
      const t = podTemplateOf(o);
      if (t) labelled.push([`${ref(o)} pod template`, t.metadata?.labels]);
    }
    expect(labelled.length).toBeGreaterThanOrEqual(12);
    for (const [where, labels] of labelled) {
      expect([where, typeof labels?.[LABEL_NAME]]).toEqual([where, 'string']);
      expect([where, labels?.[LABEL_PART_OF]]).toEqual([where, 'ctis']);
      expect([where, typeof labels?.[LABEL_INSTANCE]]).toEqual([where, 'string']);
      expect([where, typeof labels?.[LABEL_MANAGED_BY]]).toEqual([where, 'string']);
      instances.add(labels![LABEL_INSTANCE]);
    }
    // One release per environment: the instance label is the same on everything of it.
    expect(instances.size).toBe(1);
  });

  test('component objects are labelled with their component id', () => {
    const e = env(name);
    const ids = [...APP_COMPONENTS, ...DATA_STORES].filter((id) => find(e, 'Service', id));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids) {
      for (const kind of ['Deployment', 'Rollout', 'StatefulSet', 'Service', 'ServiceAccount'] as const) {
        const o = find(e, kind, id);
        if (o) expect([ref(o), o.metadata.labels[LABEL_NAME]]).toEqual([ref(o), id]);
      }
    }
  });
});

test('instance labels differ between environments', () => {
  const instances = ENVIRONMENTS.map((n) => workload(env(n), 'api').metadata.labels[LABEL_INSTANCE]);
  expect(new Set(instances).size).toBe(ENVIRONMENTS.length);
});
