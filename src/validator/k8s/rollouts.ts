import { LoadedObject, rolloutBlueGreen, RolloutBlueGreen, stringMap, workloadRefOf } from '../../manifests';
import type { PodTemplate, ValidationContext } from '../context';

/** A blue-green Rollout of the manifests with its pod template (the one it runs, wherever it is written). */
export interface BlueGreenRollout {
  readonly owner: LoadedObject;
  readonly namespace: string;
  readonly name: string;
  readonly blueGreen: RolloutBlueGreen;
  /** The pods it runs: its own template, or the template of the workload its `workloadRef` names. */
  readonly template?: PodTemplate;
}

/** The template a Rollout runs: its own, or the one of the Deployment its `workloadRef` names. */
export function rolloutTemplate(ctx: ValidationContext, o: LoadedObject): PodTemplate | undefined {
  const own = ctx.pods.of(o);
  if (own) return own;
  const ref = workloadRefOf(o.object);
  if (!ref) return undefined;
  const target = ctx.objects.get(ref.kind, ctx.objects.namespaceOf(o), ref.name);
  return target ? ctx.pods.of(target) : undefined;
}

/** Every well-formed blue-green Rollout (computed once per validation). */
export function blueGreenRollouts(ctx: ValidationContext): readonly BlueGreenRollout[] {
  return ctx.memo('rollouts:blue-green', () =>
    ctx.objects
      .ofKind('Rollout')
      .filter((o) => !ctx.schema.isMalformed(o))
      .flatMap((o): BlueGreenRollout[] => {
        const blueGreen = rolloutBlueGreen(o.object);
        if (!blueGreen) return [];
        const template = rolloutTemplate(ctx, o);
        return [{ owner: o, namespace: ctx.objects.namespaceOf(o), name: ctx.objects.nameOf(o), blueGreen, ...(template ? { template } : {}) }];
      }),
  );
}

/** The Rollout whose preview Service this is, by `namespace/name` of the Service. */
export function previewServices(ctx: ValidationContext): ReadonlyMap<string, BlueGreenRollout> {
  return ctx.memo('rollouts:preview-services', () => {
    const m = new Map<string, BlueGreenRollout>();
    for (const r of blueGreenRollouts(ctx)) if (r.blueGreen.previewService) m.set(`${r.namespace}/${r.blueGreen.previewService}`, r);
    return m;
  });
}

/** Whether a Service selector (a plain label map) selects the pods of a template. */
export function selectsTemplate(selector: unknown, t: PodTemplate): boolean {
  const sel = stringMap(selector);
  return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => t.labels[k] === v);
}
