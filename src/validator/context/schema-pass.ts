import { isRecord, LoadedObject } from '../../manifests';
import { checkSchema, kindStatus, SchemaIssue } from '../schema/check';
import type { SchemaNode } from '../schema/types';

type Path = readonly (string | number)[];

/** Whether one path is the other or lies under it. */
function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The schema an object's shape is judged by: its own version's, else (removed or unserved) a served version's. */
function shapeSchema(kind: string, apiVersion: string): { schema?: SchemaNode; own: boolean } {
  const status = kindStatus(kind, apiVersion);
  if (status.known) return { schema: status.schema, own: true };
  if (status.reason === 'unknown-kind') return { own: false };
  // `apps/v1 (removed in Kubernetes 1.16)` -> apps/v1
  const served = status.reason === 'removed' ? status.replacement.split(' ')[0] : status.served[0];
  const other = served ? kindStatus(kind, served) : undefined;
  return other?.known ? { schema: other.schema, own: false } : { own: false };
}

/** Issues the schema check stops at; beyond them the shape is not known in full. */
const MANY_ISSUES = 25;

/**
 * The structural check of every object against the schema of its kind and apiVersion, done once.
 * Which parts of an object can be read is known field by field: a wrong type or a missing
 * required field makes that field (and what lies under it) unreadable, not the whole object. An
 * object with a removed or unserved apiVersion is shaped by a served version of its kind, so its
 * pod template is still judged. Rules read what is readable: pod rules every pod template that
 * is, object rules every object (a rule that cannot read a malformed one reports nothing; the
 * schema rules report why).
 */
export class SchemaPass {
  private readonly issueMap = new Map<LoadedObject, SchemaIssue[]>();
  /** Paths of the structural problems of each malformed object (`[]`: the whole object). */
  private readonly broken = new Map<LoadedObject, Path[]>();

  constructor(objects: readonly LoadedObject[]) {
    for (const o of objects) {
      const kind = o.object.kind ?? '';
      const shape = shapeSchema(kind, o.object.apiVersion ?? '');
      const issues = shape.schema ? checkSchema(o.object, shape.schema) : [];
      // Issues against another version's schema only decide what is readable; they are not reported.
      if (shape.own && issues.length > 0) this.issueMap.set(o, issues);
      const paths: Path[] = issues.filter((i) => i.structural).map((i) => i.path);
      if (!isRecord(o.object.metadata) && o.object.metadata !== undefined) paths.push(['metadata']);
      if (issues.length >= MANY_ISSUES) paths.push([]);
      if (paths.length > 0) this.broken.set(o, paths);
    }
  }

  /** Structural problems of an object (wrong types, missing required or unknown fields). */
  issues(o: LoadedObject): readonly SchemaIssue[] {
    return this.issueMap.get(o) ?? [];
  }

  /** Whether some part of the object has a broken structure (see {@link readable} for which). */
  isMalformed(o: LoadedObject): boolean {
    return this.broken.has(o);
  }

  /**
   * Whether the field at `path` (and everything under it) has the structure its schema says: no
   * wrong type or missing required field at it, above it or inside it.
   */
  readable(o: LoadedObject, path: Path): boolean {
    const paths = this.broken.get(o);
    return !paths || !paths.some((p) => overlaps(p, path));
  }
}
