/**
 * The schemas of the custom resources the validator checks: generated ones from
 * `crd-models.json` (decoded on first use, per kind and version, each object's fields when first read) and the few written by hand in
 * `crds.ts`.
 */
import type { CompactNode, CompactRef, CrdModels } from './crd-convert';
import crdModels from './crd-models.json';
import { HAND_WRITTEN_CRD_KINDS } from './crds';
import { SchemaNode } from './types';

const MODELS = crdModels as unknown as CrdModels;
const decoded: (SchemaNode | undefined)[] = [];

/**
 * An object node whose fields are decoded when first read: a document uses a small part of a
 * large schema (a Rollout's pod template holds hundreds of nodes).
 */
function objectNode(compact: Readonly<Record<string, CompactRef>>, required: readonly string[], open: boolean): SchemaNode {
  let props: Record<string, SchemaNode> | undefined;
  return {
    t: 'object',
    required,
    open,
    get props() {
      return (props ??= Object.fromEntries(Object.entries(compact).map(([k, v]) => [k, decode(v)])));
    },
  };
}

function decode(ref: CompactRef): SchemaNode {
  if (typeof ref === 'string') return { t: ref } as SchemaNode;
  const known = decoded[ref];
  if (known) return known;
  const n: CompactNode = MODELS.nodes[ref];
  let out: SchemaNode;
  if ('enum' in n) out = { t: 'enum', values: n.enum };
  else if ('items' in n) out = { t: 'array', items: decode(n.items) };
  else if ('values' in n) out = { t: 'map', values: decode(n.values) };
  else if ('model' in n) out = { t: 'model', name: n.model };
  else out = objectNode(n.props, n.required ?? [], n.open === true);
  decoded[ref] = out;
  return out;
}

/** The served apiVersions of a CRD kind the validator knows, or undefined for another kind. */
export function crdVersions(kind: string): readonly string[] | undefined {
  const generated = MODELS.kinds[kind];
  if (generated) return Object.keys(generated);
  const written = HAND_WRITTEN_CRD_KINDS[kind];
  return written ? Object.keys(written) : undefined;
}

/** The schema of a CRD kind at a served apiVersion. */
export function crdSchema(kind: string, apiVersion: string): SchemaNode | undefined {
  const ref = MODELS.kinds[kind]?.[apiVersion];
  if (ref !== undefined) return decode(ref);
  return HAND_WRITTEN_CRD_KINDS[kind]?.[apiVersion];
}

/** The scope each generated CRD kind declares (`Namespaced` or `Cluster`). */
export const CRD_SCOPES: Readonly<Record<string, string>> = MODELS.scope;
