/**
 * The shared manifest loader: reads rendered or hand-written Kubernetes manifests from a
 * directory into plain objects that remember their file and line.
 *
 * ```ts
 * const objects = loadManifests('dist/production');       // throws ManifestError
 * for (const o of objects) console.log(o.key, `${o.location.file}:${o.location.line}`);
 * ```
 */
export type { SourceLocation, LoadedObject, LoadOptions } from './types';
export { ManifestError } from './types';
export { loadManifests, DEFAULT_MAX_FILE_BYTES } from './load';
export { parseManifests, fieldLine, objectKey, isClusterScoped } from './parse';
export { namespaceLabels, METADATA_NAME_LABEL } from './namespace';
