import { isRecord, LoadedObject } from '../../manifests';
import { checkSchema, kindStatus, SchemaIssue } from '../schema/check';

/**
 * The structural check of every object against the schema of its kind and apiVersion, done once.
 * Objects whose structure is broken (wrong types, missing required fields, a removed or unserved
 * apiVersion, metadata that is not a mapping) are malformed: rules that read typed fields are not
 * handed them.
 */
export class SchemaPass {
  private readonly issueMap = new Map<LoadedObject, SchemaIssue[]>();
  private readonly malformed = new Set<LoadedObject>();

  constructor(objects: readonly LoadedObject[]) {
    for (const o of objects) {
      const status = kindStatus(o.object.kind ?? '', o.object.apiVersion ?? '');
      if (status.known) {
        const issues = checkSchema(o.object, status.schema);
        if (issues.length > 0) this.issueMap.set(o, issues);
        if (issues.some((i) => i.structural)) this.malformed.add(o);
      } else if (status.reason !== 'unknown-kind') {
        this.malformed.add(o);
      }
      if (!isRecord(o.object.metadata) && o.object.metadata !== undefined) this.malformed.add(o);
    }
  }

  /** Structural problems of an object (wrong types, missing required or unknown fields). */
  issues(o: LoadedObject): readonly SchemaIssue[] {
    return this.issueMap.get(o) ?? [];
  }

  /** Whether the object's structure is broken so that typed rules must not read it. */
  isMalformed(o: LoadedObject): boolean {
    return this.malformed.has(o);
  }
}
