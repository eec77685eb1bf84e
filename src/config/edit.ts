import * as yaml from 'js-yaml';
import { isScalar, parseDocument, Scalar } from 'yaml';

/** An edit that cannot be made in place (the field is missing or not a scalar, the file does not parse). */
export class ConfigEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigEditError';
  }
}

/** Whether `value` written plain reads back as the same string (the loader uses the YAML core schema). */
function plainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/+-]*$/.test(value)) return false;
  try {
    return yaml.load(value, { schema: yaml.CORE_SCHEMA }) === value;
  } catch {
    return false;
  }
}

/** The scalar as YAML text, in the node's own style where that style can hold it. */
function render(value: string, style: Scalar['type']): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'PLAIN' && plainSafe(value)) return value;
  return JSON.stringify(value);
}

/**
 * Replaces the value of one scalar field of a YAML file in place, e.g. `argocd.ref`, keeping
 * every comment, the layout and the quoting style of everything else byte for byte. The
 * caller re-parses and re-validates the result.
 */
export function replaceScalar(text: string, path: readonly string[], value: string): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new ConfigEditError(`does not parse: ${doc.errors[0].message.split('\n')[0]}`);
  const node = doc.getIn(path, true);
  if (node === undefined) throw new ConfigEditError(`has no field ${path.join('.')}`);
  if (!isScalar(node) || !node.range) throw new ConfigEditError(`field ${path.join('.')} is not a single value`);
  const [start, end] = node.range;
  return `${text.slice(0, start)}${render(value, node.type)}${text.slice(end)}`;
}
