/**
 * Converts upstream CustomResourceDefinitions into the compact structural schemas the validator
 * checks (`crd-models.json`): only what `checkSchema` reads is kept (types, properties, required
 * fields, enums, maps, lists, int-or-string, preserved unknown fields); descriptions, patterns,
 * bounds and CEL rules are dropped, and equal subtrees are stored once.
 *
 * Used by `generate-crds.ts` (which writes the file) and by the test that keeps the committed file
 * in step with the upstream CRDs.
 */
import { createHash } from 'node:crypto';
import { isRecord, list, parseYamlDocuments } from '../../manifests';

/**
 * A compact schema node: a scalar type name, or a reference (index into `nodes`) to an
 * `{enum}`, `{items}`, `{values}`, `{props, required?, open?}` or `{model}` node.
 */
export type CompactRef = string | number;

export type CompactNode =
  | { readonly enum: readonly (string | number)[] }
  | { readonly items: CompactRef }
  | { readonly values: CompactRef }
  | { readonly props: Readonly<Record<string, CompactRef>>; readonly required?: readonly string[]; readonly open?: true }
  | { readonly model: string };

/** The generated file. */
export interface CrdModels {
  /** What the schemas were generated from: CRD file name -> sha256 (first 16 hex digits). */
  readonly source: Readonly<Record<string, string>>;
  readonly nodes: readonly CompactNode[];
  /** kind -> served apiVersion -> root node. */
  readonly kinds: Readonly<Record<string, Readonly<Record<string, CompactRef>>>>;
  /** kind -> `Namespaced` or `Cluster`, as the CRD declares it. */
  readonly scope: Readonly<Record<string, string>>;
}

/** The CRD files the validator checks, in `../shared/crds`. */
export const CRD_FILES: readonly string[] = [
  'argoproj.io_analysistemplates.yaml',
  'argoproj.io_applications.yaml',
  'argoproj.io_applicationsets.yaml',
  'argoproj.io_appprojects.yaml',
  'argoproj.io_rollouts.yaml',
  'cert-manager.io_certificates.yaml',
  'external-secrets.io_clustersecretstores.yaml',
  'external-secrets.io_externalsecrets.yaml',
  'external-secrets.io_secretstores.yaml',
  'gateway.networking.k8s.io_gatewayclasses.yaml',
  'gateway.networking.k8s.io_gateways.yaml',
  'gateway.networking.k8s.io_httproutes.yaml',
  'gateway.networking.k8s.io_referencegrants.yaml',
  'monitoring.coreos.com_podmonitors.yaml',
  'monitoring.coreos.com_prometheusrules.yaml',
  'monitoring.coreos.com_servicemonitors.yaml',
  'traefik.io_middlewares.yaml',
  'traefik.io_tlsoptions.yaml',
];

/** Interns nodes: equal subtrees get one index. */
class NodeTable {
  readonly nodes: CompactNode[] = [];
  private readonly index = new Map<string, number>();

  intern(node: CompactNode): number {
    const key = JSON.stringify(node);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.nodes.length;
      this.nodes.push(node);
      this.index.set(key, i);
    }
    return i;
  }
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

function convert(s: unknown, table: NodeTable): CompactRef {
  if (!isRecord(s)) return 'any';
  if (s['x-kubernetes-int-or-string'] === true) return 'int-or-string';
  const enumValues = list(s.enum).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  switch (s.type) {
    case 'string':
    case 'integer':
      return enumValues.length > 0 ? table.intern({ enum: enumValues }) : s.type;
    case 'number':
    case 'boolean':
      return s.type;
    case 'array':
      return table.intern({ items: convert(s.items, table) });
    case 'object':
    case undefined:
      return convertObject(s, table);
    default:
      return 'any';
  }
}

function convertObject(s: Record<string, unknown>, table: NodeTable): CompactRef {
  const open = s[PRESERVE] === true;
  if (isRecord(s.properties) && Object.keys(s.properties).length > 0) {
    const props: Record<string, CompactRef> = {};
    for (const k of Object.keys(s.properties).sort()) props[k] = convert(s.properties[k], table);
    const required = list(s.required).filter((r): r is string => typeof r === 'string');
    return table.intern({ props, ...(required.length > 0 ? { required } : {}), ...(open ? { open: true as const } : {}) });
  }
  if (isRecord(s.additionalProperties)) return table.intern({ values: convert(s.additionalProperties, table) });
  // Without a type and without properties a value may be anything; an object that preserves
  // unknown fields (or allows any property) accepts any mapping.
  if (s.type === undefined) return 'any';
  if (open || s.additionalProperties === true) return table.intern({ props: {}, open: true });
  return table.intern({ props: {} });
}

/**
 * The root schema of one served version: `metadata` is checked as the core ObjectMeta, and
 * `status` is not checked (the API server ignores the status of a created object).
 */
function convertRoot(schema: unknown, table: NodeTable): CompactRef {
  if (!isRecord(schema) || !isRecord(schema.properties)) return 'any';
  const properties = { metadata: {}, ...schema.properties };
  const props: Record<string, CompactRef> = {};
  for (const k of Object.keys(properties).sort()) {
    props[k] = k === 'metadata' ? table.intern({ model: 'V1ObjectMeta' }) : k === 'status' ? 'any' : convert(properties[k as keyof typeof properties], table);
  }
  const required = list(schema.required).filter((r): r is string => typeof r === 'string');
  return table.intern({ props, ...(required.length > 0 ? { required } : {}) });
}

/** Builds `crd-models.json` from the text of the CRD files (name -> YAML). */
export function convertCrds(files: ReadonlyMap<string, string>): CrdModels {
  const table = new NodeTable();
  const source: Record<string, string> = {};
  const kinds: Record<string, Record<string, CompactRef>> = {};
  const scope: Record<string, string> = {};
  for (const name of [...files.keys()].sort()) {
    const text = files.get(name)!;
    source[name] = createHash('sha256').update(text).digest('hex').slice(0, 16);
    for (const doc of parseYamlDocuments(text, name)) {
      const crd = doc.value;
      if (!isRecord(crd) || crd.kind !== 'CustomResourceDefinition' || !isRecord(crd.spec)) continue;
      const spec = crd.spec;
      const kind = isRecord(spec.names) ? spec.names.kind : undefined;
      if (typeof kind !== 'string' || typeof spec.group !== 'string') continue;
      scope[kind] = String(spec.scope);
      const versions: Record<string, CompactRef> = {};
      for (const v of list(spec.versions)) {
        if (!isRecord(v) || v.served !== true || typeof v.name !== 'string') continue;
        versions[`${spec.group}/${v.name}`] = convertRoot(isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined, table);
      }
      kinds[kind] = versions;
    }
  }
  return { source, nodes: table.nodes, kinds, scope };
}

/** The file's text: one line per node so that a regeneration diff stays readable. */
export function formatCrdModels(m: CrdModels): string {
  const lines = [
    '{',
    `"source":${JSON.stringify(m.source)},`,
    `"kinds":${JSON.stringify(m.kinds)},`,
    `"scope":${JSON.stringify(m.scope)},`,
    '"nodes":[',
    m.nodes.map((n) => JSON.stringify(n)).join(',\n'),
    ']',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
