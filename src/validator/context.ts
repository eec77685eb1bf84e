/**
 * What a validator rule may consult, built once per validation. Each part has one
 * responsibility:
 *
 * | part | what it answers |
 * |---|---|
 * | `ctx.env`, `ctx.namespace` | the environment's configuration and namespace |
 * | `ctx.topology`, `ctx.effective` | the declared topology and how this environment runs it |
 * | `ctx.components` | a component by id (`get`, `effective`), components by role (`withRole`), scheduled tasks (`task`) |
 * | `ctx.objects` | every object by kind and key (`ofKind`, `get`), effective namespace and key, duplicates |
 * | `ctx.documents`, `ctx.root` | the documents that are not Kubernetes objects, and the validated directory |
 * | `ctx.schema` | structural problems (`issues`), which objects are malformed (`isMalformed`) and which of their fields can be read (`readable`) |
 * | `ctx.pods` | pod templates (`of`, `all`, `ofComponent`, `select`, `selectByLabels`), autoscalers, `maxPods`, `mainContainer` |
 * | `ctx.settings` | a container's settings as .NET reads them (`of`, `main`) |
 * | `ctx.secrets` | the ExternalSecrets and Certificates that produce a Secret (`of`) |
 * | `ctx.memo` | a derived model computed once (the network analysis, the edge model) |
 */
import type { LoadedObject, NotAnObject } from '../manifests';
import type { EnvironmentConfig } from '../config/schema';
import { EffectiveTopology, effectiveTopology } from '../topology/effective';
import type { Topology } from '../topology/model';
import { Components } from './context/components';
import { ObjectIndex } from './context/objects';
import { PodTemplates } from './context/pods';
import { SchemaPass } from './context/schema-pass';
import { SecretProducers } from './context/secrets';
import { SettingsResolver } from './context/settings';

export { NAME_LABEL, Components } from './context/components';
export { ObjectIndex } from './context/objects';
export { PodTemplates } from './context/pods';
export type { PodTemplate } from './context/pods';
export { SchemaPass } from './context/schema-pass';
export { SecretProducers } from './context/secrets';
export { Settings, SettingsResolver, settingKey } from './context/settings';
export type { Setting, SettingSource } from './context/settings';

/** Options to build a context. */
export interface ContextOptions {
  readonly env: EnvironmentConfig;
  readonly topology: Topology;
  /** Ids of every registered rule (suppressions are checked against them). */
  readonly ruleIds?: ReadonlySet<string>;
  /** Documents of the validated files that are not Kubernetes objects. @default none */
  readonly documents?: readonly NotAnObject[];
  /**
   * The validated directory as an absolute path, when validating a directory: repository paths
   * (e.g. an ApplicationSet's parameter files) are matched against it.
   */
  readonly root?: string;
}

/** Read-only view of everything a rule may consult (see the table above). */
export class ValidationContext {
  readonly env: EnvironmentConfig;
  /** The environment's namespace: the default for objects that name none. */
  readonly namespace: string;
  readonly topology: Topology;
  readonly effective: EffectiveTopology;
  readonly components: Components;
  readonly objects: ObjectIndex;
  readonly schema: SchemaPass;
  readonly pods: PodTemplates;
  readonly settings: SettingsResolver;
  readonly secrets: SecretProducers;
  /** Ids of every registered rule. */
  readonly ruleIds: ReadonlySet<string>;
  /** Documents of the validated files that are not Kubernetes objects, in file order. */
  readonly documents: readonly NotAnObject[];
  /** The validated directory (absolute), when a directory was validated. */
  readonly root?: string;

  private readonly cache = new Map<string, unknown>();

  constructor(objects: readonly LoadedObject[], options: ContextOptions) {
    this.env = options.env;
    this.namespace = options.env.namespace;
    this.topology = options.topology;
    this.effective = effectiveTopology(options.topology, options.env);
    this.components = new Components(options.topology, this.effective);
    this.ruleIds = options.ruleIds ?? new Set();
    this.documents = options.documents ?? [];
    if (options.root !== undefined) this.root = options.root;
    this.objects = new ObjectIndex(objects, this.namespace);
    this.schema = new SchemaPass(objects);
    this.pods = new PodTemplates(this.objects, this.schema);
    this.settings = new SettingsResolver(this.objects, this.pods);
    this.secrets = new SecretProducers(this.objects, this.schema);
  }

  /** Memoises a derived value for the lifetime of the context (e.g. the network model). */
  memo<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
  }
}
