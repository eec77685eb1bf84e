import { effectiveNamespace, LoadedObject, str } from '../../manifests';

/**
 * Every loaded object, indexed once: by kind and by `Kind/namespace/name` (the effective
 * namespace: the environment's for namespaced objects that name none). Read-only.
 */
export class ObjectIndex {
  private readonly byKind = new Map<string, LoadedObject[]>();
  private readonly byKey = new Map<string, LoadedObject>();
  private readonly duplicates = new Map<LoadedObject, LoadedObject>();

  /**
   * @param all every object, in load order
   * @param defaultNamespace the namespace of namespaced objects without `metadata.namespace`
   */
  constructor(
    readonly all: readonly LoadedObject[],
    readonly defaultNamespace: string,
  ) {
    for (const o of all) {
      const kind = o.object.kind ?? '';
      let list = this.byKind.get(kind);
      if (!list) this.byKind.set(kind, (list = []));
      list.push(o);
      const key = this.keyOf(o);
      const first = this.byKey.get(key);
      if (first) this.duplicates.set(o, first);
      else this.byKey.set(key, o);
    }
  }

  /** Effective namespace: `''` for cluster-scoped kinds, else `metadata.namespace` or the default. */
  namespaceOf(o: LoadedObject): string {
    return effectiveNamespace(o.object, this.defaultNamespace);
  }

  /** `metadata.name` or `''`. */
  nameOf(o: LoadedObject): string {
    return str(o.object.metadata?.name) ?? '';
  }

  /** `Kind/namespace/name` with the effective namespace. */
  keyOf(o: LoadedObject): string {
    return `${o.object.kind}/${this.namespaceOf(o)}/${this.nameOf(o)}`;
  }

  /** Every object of a kind, in load order. */
  ofKind(kind: string): readonly LoadedObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** The (first) object with this kind, namespace and name. */
  get(kind: string, namespace: string, name: string): LoadedObject | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** The earlier object with the same kind, namespace and name, when `o` repeats one. */
  duplicateOf(o: LoadedObject): LoadedObject | undefined {
    return this.duplicates.get(o);
  }
}
