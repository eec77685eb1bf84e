import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { at, isRecord, list, LoadedObject, num, podTemplateOf, rolloutBlueGreen, str, stringMap } from '../../manifests';
import { addTo } from '../../multimap';
import { Selector } from '../../netpol/selector';
import { NAME_LABEL } from './components';
import type { ObjectIndex } from './objects';
import type { SchemaPass } from './schema-pass';

const NO_TEMPLATES: readonly PodTemplate[] = [];

/** One pod template (or bare Pod) whose structure is sound (the rest of its workload may not be). */
export interface PodTemplate {
  /** The workload (or Pod) that holds it. */
  readonly owner: LoadedObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Path of the template inside the owner (`[]` for a bare Pod). */
  readonly path: readonly (string | number)[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod spec (always a mapping; fields may be missing on malformed input). */
  readonly spec: V1PodSpec;
  /** Value of `app.kubernetes.io/name` on the template. */
  readonly component?: string;
}

/**
 * The pod templates with a sound structure of the workloads (every kind of `WORKLOAD_KINDS`), indexed by
 * owner, namespace, label and component, with what scales them (HorizontalPodAutoscalers).
 */
export class PodTemplates {
  private readonly templates: PodTemplate[] = [];
  private readonly byOwner = new Map<LoadedObject, PodTemplate>();
  private readonly byNamespace = new Map<string, PodTemplate[]>();
  /** Pod templates by namespace, then label key, then label value. */
  private readonly byLabel = new Map<string, Map<string, Map<string, PodTemplate[]>>>();
  private readonly byComponent = new Map<string, PodTemplate[]>();
  private readonly hpaByTarget = new Map<string, LoadedObject[]>();

  constructor(
    private readonly objects: ObjectIndex,
    schema: SchemaPass,
  ) {
    for (const o of objects.all) this.add(o, schema);
    for (const h of objects.ofKind('HorizontalPodAutoscaler')) {
      const ref = at(h.object, ['spec', 'scaleTargetRef']);
      if (!schema.readable(h, ['spec', 'scaleTargetRef']) || !isRecord(ref)) continue;
      addTo(this.hpaByTarget, `${str(ref.kind)}/${objects.namespaceOf(h)}/${str(ref.name)}`, h);
    }
  }

  private add(owner: LoadedObject, schema: SchemaPass): void {
    const ref = podTemplateOf(owner.object);
    // A template is read when its own structure is sound, whatever is wrong elsewhere in the object.
    if (!ref || !schema.readable(owner, ref.path)) return;
    const labels = stringMap(ref.metadata.labels);
    const template: PodTemplate = {
      owner,
      kind: owner.object.kind ?? '',
      name: this.objects.nameOf(owner),
      namespace: this.objects.namespaceOf(owner),
      path: ref.path,
      labels,
      annotations: stringMap(ref.metadata.annotations),
      // Templates are only read where the schema pass found their structure sound.
      spec: (ref.spec ?? {}) as unknown as V1PodSpec,
      component: labels[NAME_LABEL],
    };
    this.templates.push(template);
    this.byOwner.set(owner, template);
    addTo(this.byNamespace, template.namespace, template);
    let keys = this.byLabel.get(template.namespace);
    if (!keys) this.byLabel.set(template.namespace, (keys = new Map<string, Map<string, PodTemplate[]>>()));
    for (const k of Object.keys(labels)) {
      let values = keys.get(k);
      if (!values) keys.set(k, (values = new Map<string, PodTemplate[]>()));
      addTo(values, labels[k], template);
    }
    if (template.component) addTo(this.byComponent, template.component, template);
  }

  /** Every pod template of a running workload (Deployment, StatefulSet, ..., bare Pod), in load order. */
  all(): readonly PodTemplate[] {
    return this.templates;
  }

  /** The pod template of a workload object. */
  of(o: LoadedObject): PodTemplate | undefined {
    return this.byOwner.get(o);
  }

  /** Pod templates labelled with a component id. */
  ofComponent(id: string): readonly PodTemplate[] {
    return this.byComponent.get(id) ?? [];
  }

  /**
   * Pod templates in `namespace` that a label selector (as written in a manifest) selects. The
   * candidates come from the most selective `key=value` of the selector in the label index, so
   * the cost follows the size of the answer, not of the namespace.
   */
  select(namespace: string, rawSelector: unknown): PodTemplate[] {
    const selector = Selector.compile(rawSelector);
    if (selector.matchesNothing) return [];
    let best: readonly PodTemplate[] | undefined;
    if (isRecord(rawSelector)) {
      const keys = this.byLabel.get(namespace);
      const labels = rawSelector.matchLabels;
      if (isRecord(labels)) {
        for (const k of Object.keys(labels)) {
          const v = labels[k];
          if (typeof v !== 'string') continue;
          const bucket = keys?.get(k)?.get(v) ?? NO_TEMPLATES;
          if (bucket.length === 0) return [];
          if (best === undefined || bucket.length < best.length) best = bucket;
        }
      }
      for (const e of list(rawSelector.matchExpressions)) {
        if (!isRecord(e) || e.operator !== 'In' || typeof e.key !== 'string') continue;
        const union = new Set<PodTemplate>();
        const values = keys?.get(e.key);
        for (const v of list(e.values)) for (const t of values?.get(String(v)) ?? NO_TEMPLATES) union.add(t);
        if (best === undefined || union.size < best.length) best = [...union];
      }
    }
    const candidates = best ?? this.byNamespace.get(namespace) ?? NO_TEMPLATES;
    return candidates.filter((t) => selector.matches(t.labels));
  }

  /** Pod templates a Service-style selector (a plain label map) selects. */
  selectByLabels(namespace: string, labels: unknown): PodTemplate[] {
    return this.select(namespace, { matchLabels: stringMap(labels) });
  }

  /** HorizontalPodAutoscalers whose `scaleTargetRef` names this object. */
  autoscalersOf(o: LoadedObject): readonly LoadedObject[] {
    return this.hpaByTarget.get(`${o.object.kind}/${this.objects.namespaceOf(o)}/${this.objects.nameOf(o)}`) ?? [];
  }

  /**
   * Highest number of pods the workload can run: an autoscaler's `maxReplicas`, else
   * `spec.replicas` (default 1); a DaemonSet counts as many.
   */
  maxPods(t: PodTemplate): number {
    const hpaMax = Math.max(0, ...this.autoscalersOf(t.owner).map((h) => num(at(h.object, ['spec', 'maxReplicas'])) ?? 0));
    if (hpaMax > 0) return hpaMax;
    switch (t.kind) {
      case 'Pod':
        return 1;
      case 'DaemonSet':
        return Number.POSITIVE_INFINITY;
      case 'Job':
      case 'CronJob': {
        const p = at(t.owner.object, t.kind === 'Job' ? ['spec', 'parallelism'] : ['spec', 'jobTemplate', 'spec', 'parallelism']);
        return num(p) ?? 1;
      }
      default: {
        return num(at(t.owner.object, ['spec', 'replicas'])) ?? 1;
      }
    }
  }

  /**
   * Fewest pods the workload runs when nothing fails: an autoscaler's `minReplicas` (default 1),
   * else `spec.replicas` (default 1).
   */
  minPods(t: PodTemplate): number {
    const hpas = this.autoscalersOf(t.owner);
    if (hpas.length > 0) return Math.min(...hpas.map((h) => num(at(h.object, ['spec', 'minReplicas'])) ?? 1));
    return t.kind === 'Pod' ? 1 : (num(at(t.owner.object, ['spec', 'replicas'])) ?? 1);
  }

  /**
   * Highest number of pods of the workload that can run at the same time: {@link maxPods}, and
   * during a blue-green release as many again for the preview colour (or its
   * `previewReplicaCount`). Data shared by all pods (a key volume, in-memory job storage) must
   * allow for that.
   */
  concurrentPods(t: PodTemplate): number {
    const max = this.maxPods(t);
    const bg = rolloutBlueGreen(t.owner.object);
    if (!bg) return max;
    return max + (bg.previewReplicaCount !== undefined ? Math.min(bg.previewReplicaCount, max) : max);
  }

  /** The main container: the one named like the component, else the first. */
  mainContainer(t: PodTemplate): { container: V1Container; index: number } | undefined {
    const containers = list<V1Container>(t.spec.containers);
    const i = containers.findIndex((c) => isRecord(c) && c.name === t.component);
    const index = i >= 0 ? i : containers.findIndex((c) => isRecord(c));
    return index >= 0 ? { container: containers[index], index } : undefined;
  }
}
