/**
 * Pod templates: where a workload keeps the pods it runs, read the same way by the validator and
 * the connectivity engine.
 */
import { at, Fields, isRecord, records, scalarText, str } from './fields';
import { WorkloadKind, workloadKindOf } from './kinds';

/** The pod template of a workload, or a bare Pod standing for its own template. */
export interface PodTemplateRef {
  readonly workload: WorkloadKind;
  /** Path of the template inside the object (`[]` for a bare Pod). */
  readonly path: readonly string[];
  /** The template's `metadata` (`{}` when absent). */
  readonly metadata: Fields;
  /** The template's `spec`, when it is a mapping. */
  readonly spec?: Fields;
}

/**
 * The pod template an object carries: for every kind of `WORKLOAD_KINDS` (kind and API group
 * must match) whose template is a mapping. Undefined for other objects, and for a workload without
 * a template (e.g. a Rollout that names its Deployment with `spec.workloadRef`).
 */
export function podTemplateOf(obj: unknown): PodTemplateRef | undefined {
  const workload = workloadKindOf(obj);
  if (!workload) return undefined;
  const t = at(obj, workload.templatePath);
  if (!isRecord(t)) return undefined;
  return {
    workload,
    path: workload.templatePath,
    metadata: isRecord(t.metadata) ? t.metadata : {},
    ...(isRecord(t.spec) ? { spec: t.spec } : {}),
  };
}

/** A reference to another object of the same namespace. */
export interface ObjectReference {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * The workload whose pod template an Argo Rollouts `Rollout` runs instead of its own
 * (`spec.workloadRef`, same namespace), or undefined.
 */
export function workloadRefOf(obj: unknown): ObjectReference | undefined {
  if (workloadKindOf(obj)?.kind !== 'Rollout') return undefined;
  const ref = at(obj, ['spec', 'workloadRef']);
  if (!isRecord(ref)) return undefined;
  const kind = str(ref.kind);
  const name = str(ref.name);
  if (!kind || !name) return undefined;
  const apiVersion = str(ref.apiVersion);
  return { ...(apiVersion !== undefined ? { apiVersion } : {}), kind, name };
}

/**
 * The controller of an object from its `metadata.ownerReferences`: the reference marked
 * `controller: true`, else the first one with a name; undefined when there is none.
 */
export function controllerOf(obj: unknown): { kind?: string; name: string } | undefined {
  const owners = records(at(obj, ['metadata', 'ownerReferences']))
    .map(({ item }) => item)
    .filter((r) => typeof r.name === 'string');
  const owner = owners.find((r) => r.controller === true) ?? owners[0];
  if (!owner) return undefined;
  const kind = scalarText(owner.kind);
  return { ...(kind !== undefined ? { kind } : {}), name: String(owner.name) };
}

/** A container of a pod spec with where it is. */
export interface ContainerRef {
  readonly field: 'initContainers' | 'containers' | 'ephemeralContainers';
  readonly index: number;
  readonly container: Fields;
}

/**
 * The containers of a pod spec that are mappings: `initContainers` first (as the kubelet starts
 * them), then `containers`, then (when asked) `ephemeralContainers`.
 */
export function allContainers(spec: unknown, withEphemeral = false): ContainerRef[] {
  const fields = withEphemeral ? (['initContainers', 'containers', 'ephemeralContainers'] as const) : (['initContainers', 'containers'] as const);
  return fields.flatMap((field) => records(at(spec, [field])).map(({ item, index }) => ({ field, index, container: item })));
}
