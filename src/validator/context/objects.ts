import { effectiveNamespace, LoadedObject, str } from '../../manifests';

/** Objects by kind, then namespace, then name. */
type ByName = Map<string, Map<string, Map<string, LoadedObject>>>;

/**
 * Every loaded object, indexed once: by kind and by `Kind/namespace/name` (the effective
 * namespace: the environment's for namespaced objects that name none). Read-only.
 */
export class ObjectIndex {
  private readonly byKind = new Map<string, LoadedObject[]>();
  /** The first object of each kind, namespace and name: when no kind, namespace or name holds a `/`. */
  private readonly byName: ByName | undefined;
  /**
   * The first object of each `Kind/namespace/name` otherwise: a `/` in a part makes keys of
   * different objects alike (`A/b/c/d`), and such objects are one here, as the key says.
   */
  private readonly byKey: Map<string, LoadedObject> | undefined;
  private readonly duplicates = new Map<LoadedObject, LoadedObject>();

  /**
   * @param all every object, in load order
   * @param defaultNamespace the namespace of namespaced objects without `metadata.namespace`
   */
  constructor(
    readonly all: readonly LoadedObject[],
    readonly defaultNamespace: string,
  ) {
    const slashed = all.some((o) => `${o.object.kind}`.includes('/') || this.namespaceOf(o).includes('/') || this.nameOf(o).includes('/'));
    if (slashed) this.byKey = new Map();
    else this.byName = new Map();
    for (const o of all) {
      const kind = o.object.kind ?? '';
      let list = this.byKind.get(kind);
      if (!list) this.byKind.set(kind, (list = []));
      list.push(o);
      const first = this.byName ? this.addByName(this.byName, o) : this.addByKey(this.byKey!, o);
      if (first) this.duplicates.set(o, first);
    }
  }

  /** Adds `o` under its kind, namespace and name; the object already there, if any. */
  private addByName(byName: ByName, o: LoadedObject): LoadedObject | undefined {
    const kind = `${o.object.kind}`;
    let namespaces = byName.get(kind);
    if (!namespaces) byName.set(kind, (namespaces = new Map<string, Map<string, LoadedObject>>()));
    const ns = this.namespaceOf(o);
    let names = namespaces.get(ns);
    if (!names) namespaces.set(ns, (names = new Map<string, LoadedObject>()));
    const name = this.nameOf(o);
    const first = names.get(name);
    if (!first) names.set(name, o);
    return first;
  }

  /** Adds `o` under its key; the object already there, if any. */
  private addByKey(byKey: Map<string, LoadedObject>, o: LoadedObject): LoadedObject | undefined {
    const key = this.keyOf(o);
    const first = byKey.get(key);
    if (!first) byKey.set(key, o);
    return first;
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
    if (this.byKey) return this.byKey.get(`${kind}/${namespace}/${name}`);
    // As text, like the key; no object's parts hold a `/`, so a key with one in a part is no object's.
    const k = `${kind}`;
    const ns = `${namespace}`;
    const n = `${name}`;
    if (k.includes('/') || ns.includes('/') || n.includes('/')) return undefined;
    return this.byName!.get(k)?.get(ns)?.get(n);
  }

  /** The earlier object with the same kind, namespace and name, when `o` repeats one. */
  duplicateOf(o: LoadedObject): LoadedObject | undefined {
    return this.duplicates.get(o);
  }
}
