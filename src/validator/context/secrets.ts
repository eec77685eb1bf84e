import { at, LoadedObject, str } from '../../manifests';
import type { ObjectIndex } from './objects';
import type { SchemaPass } from './schema-pass';

/** Which objects (with a sound `spec`) produce a Secret: ExternalSecrets (their target) and cert-manager Certificates. */
export class SecretProducers {
  private readonly byTarget = new Map<string, LoadedObject[]>();

  constructor(objects: ObjectIndex, schema: SchemaPass) {
    const add = (o: LoadedObject, target: string | undefined) => {
      if (!target || !schema.readable(o, ['spec'])) return;
      const key = `${objects.namespaceOf(o)}/${target}`;
      const l = this.byTarget.get(key);
      if (l) l.push(o);
      else this.byTarget.set(key, [o]);
    };
    for (const o of objects.all) {
      if (o.object.kind === 'ExternalSecret') add(o, str(at(o.object, ['spec', 'target', 'name'])) ?? str(o.object.metadata?.name));
      else if (o.object.kind === 'Certificate') add(o, str(at(o.object, ['spec', 'secretName'])));
    }
  }

  /** ExternalSecrets and Certificates that produce a Secret of this name in the namespace, in load order. */
  of(namespace: string, name: string): readonly LoadedObject[] {
    return this.byTarget.get(`${namespace}/${name}`) ?? [];
  }
}
