import { EffectiveComponent, EffectiveTopology } from '../../topology/effective';
import type { ComponentSpec, Role, TaskSpec, Topology } from '../../topology/model';

/** The label that names a component (SPEC §5). */
export const NAME_LABEL = 'app.kubernetes.io/name';

/** The declared components and how the environment runs them, by id. */
export class Components {
  private readonly declared = new Map<string, ComponentSpec>();
  private readonly running = new Map<string, EffectiveComponent>();

  constructor(
    readonly topology: Topology,
    readonly effectiveTopology: EffectiveTopology,
  ) {
    for (const c of topology.components) this.declared.set(c.id, c);
    for (const c of effectiveTopology.components) this.running.set(c.id, c);
  }

  /** The declared component with this id (undefined for `undefined` or an unknown id). */
  get(id: string | undefined): ComponentSpec | undefined {
    return id === undefined ? undefined : this.declared.get(id);
  }

  /** The declared scheduled task with this id (e.g. `postgresql-backup`). */
  task(id: string | undefined): TaskSpec | undefined {
    return id === undefined ? undefined : this.topology.tasks?.find((t) => t.id === id);
  }

  /** The component as this environment runs it. */
  effective(id: string | undefined): EffectiveComponent | undefined {
    return id === undefined ? undefined : this.running.get(id);
  }

  /** The declared components with a given role. */
  withRole(role: Role): ComponentSpec[] {
    return this.topology.components.filter((c) => c.role === role);
  }
}
