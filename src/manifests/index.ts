/**
 * The one Kubernetes reading layer: every reader of manifests (the validator, the connectivity
 * engine, the review diff, synth and the Argo CD charts) reads objects through this module.
 *
 * - Files: {@link loadManifests} walks a directory ({@link listManifestFiles}, the one walker) and
 *   parses each file ({@link parseManifests}) into {@link LoadedObject}s that remember their file
 *   and line; {@link fieldLine} finds the line of any field. {@link parseYamlDocuments} is the one
 *   YAML reader for documents that need not be Kubernetes objects.
 * - Kinds: {@link isClusterScoped}, {@link WORKLOAD_KINDS} (which kinds run pods and where their
 *   template is), {@link podTemplateOf}, {@link workloadRefOf}, {@link controllerOf}.
 * - Rollouts: {@link rolloutBlueGreen} (active and preview Services, analyses),
 *   {@link rolloutManagedServices}, {@link ROLLOUT_HASH_LABEL}.
 * - Routes: {@link ingressBackends} (both Ingress backend forms), {@link httpRouteRules},
 *   {@link routeBackends}.
 * - Namespaces: {@link effectiveNamespace}, {@link namespaceLabels}.
 * - Fields: {@link isRecord}, {@link list}, {@link str}, {@link stringMap}, {@link at}, ...
 *
 * ```ts
 * const objects = loadManifests('dist/production');       // throws ManifestError
 * for (const o of objects) console.log(o.key, `${o.location.file}:${o.location.line}`);
 * const t = podTemplateOf(objects[0].object);             // { path: ['spec', 'template'], metadata, spec }
 * ```
 */
export type { SourceLocation, LoadedObject, LoadOptions, KubeObject, NotAnObject } from './types';
export { ManifestError } from './types';
export { loadManifests, DEFAULT_MAX_FILE_BYTES } from './load';
export { parseManifests, readWrittenManifests, fieldLine, objectKey } from './parse';
export { parseYamlDocuments, YAML_SCHEMA } from './yaml';
export type { YamlDocument } from './yaml';
export { listManifestFiles, readManifestText, isManifestFile, errnoMessage, MANIFEST_EXTENSIONS } from './files';
export { namespaceLabels, effectiveNamespace, METADATA_NAME_LABEL } from './namespace';
export { CLUSTER_SCOPED_KINDS, isClusterScoped, WORKLOAD_KINDS, WORKLOAD_KIND_NAMES, workloadKindOf } from './kinds';
export type { WorkloadKind } from './kinds';
export { podTemplateOf, workloadRefOf, controllerOf, allContainers } from './workloads';
export type { PodTemplateRef, ObjectReference, ContainerRef } from './workloads';
export { rolloutBlueGreen, rolloutManagedServices, RELEASE_KINDS, ROLLOUT_HASH_LABEL, ROLLOUT_MANAGED_BY_ANNOTATION } from './rollouts';
export type { RolloutBlueGreen, AnalysisTemplateRef } from './rollouts';
export { ingressBackends, httpRouteRules, httpRouteHostnames, routeBackends, routePathMatches, isRoute } from './routes';
export type { BackendRef, IngressBackend, HttpRouteRule, RoutePathMatch } from './routes';
export { isRecord, record, records, list, entries, str, num, text, scalarText, stringMap, scalarMap, at, apiGroup } from './fields';
export type { Fields } from './fields';
