/** Standard `app.kubernetes.io/*` labels (SPEC §5). Selectors use only stable, explicit labels. */
export const MANAGED_BY = 'ctis-deploy';

/** The label that names a component (SPEC §5). */
export const NAME_LABEL = 'app.kubernetes.io/name';

export interface LabelContext {
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** `app.kubernetes.io/instance`: the release, `<part-of>-<environment>`. */
  readonly instance: string;
}

/** Labels that select one component's pods. Immutable once deployed: never derive them from construct paths. */
export function selectorLabels(ctx: LabelContext, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': ctx.instance,
  };
}

/** Full label set carried by every object of a component and by its pod template. */
export function componentLabels(ctx: LabelContext, component: string): Record<string, string> {
  return {
    ...selectorLabels(ctx, component),
    'app.kubernetes.io/part-of': ctx.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Labels for objects that belong to no single component (namespace, shared secrets, policies). */
export function platformLabels(ctx: LabelContext): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': ctx.partOf,
    'app.kubernetes.io/instance': ctx.instance,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** What names and selects the objects of one component. */
export interface ComponentIdentity {
  /** Component id: the name of every object. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
}
