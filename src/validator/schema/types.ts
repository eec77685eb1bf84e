/**
 * A small structural schema language: enough to say which fields an object may have, their
 * types and which are required. Core kinds are described by `@kubernetes/client-node` model
 * names (see `core-models.json`); the CRD kinds by nodes built with the helpers below.
 */
export type SchemaNode =
  | { readonly t: 'string' | 'integer' | 'number' | 'boolean' | 'any' | 'int-or-string' | 'quantity' }
  | { readonly t: 'enum'; readonly values: readonly (string | number)[] }
  | { readonly t: 'array'; readonly items: SchemaNode }
  | { readonly t: 'map'; readonly values: SchemaNode }
  | {
      readonly t: 'object';
      readonly props: Readonly<Record<string, SchemaNode>>;
      readonly required?: readonly string[];
      /** Unknown fields are accepted (the upstream schema is not fully described here). */
      readonly open?: boolean;
    }
  /** A `@kubernetes/client-node` model, by class name. */
  | { readonly t: 'model'; readonly name: string };

export const str: SchemaNode = { t: 'string' };
export const int: SchemaNode = { t: 'integer' };
export const bool: SchemaNode = { t: 'boolean' };
export const anything: SchemaNode = { t: 'any' };
export const intOrString: SchemaNode = { t: 'int-or-string' };
export const arr = (items: SchemaNode): SchemaNode => ({ t: 'array', items });
export const map = (values: SchemaNode): SchemaNode => ({ t: 'map', values });
export const oneOf = (...values: (string | number)[]): SchemaNode => ({ t: 'enum', values });
export const model = (name: string): SchemaNode => ({ t: 'model', name });
export const obj = (props: Record<string, SchemaNode>, required: string[] = [], open = false): SchemaNode => ({
  t: 'object',
  props,
  required,
  open,
});
/** An object whose fields are not described (any mapping is accepted). */
export const anyObject: SchemaNode = { t: 'object', props: {}, open: true };
