/** Reading one manifest file into its YAML documents (the step the parse worker shares). */
import { readManifestText } from './files';
import { parseYamlDocuments, YamlDocument } from './yaml';

/** A manifest file to read. */
export interface ManifestFile {
  readonly abs: string;
  /** Relative to the loaded directory, `/` separators: the name locations carry. */
  readonly rel: string;
  /** The name errors carry. */
  readonly shown: string;
}

/**
 * The documents of one file (a `.json` file is one document).
 * @throws ManifestError
 */
export function readDocuments(f: ManifestFile, maxBytes: number): YamlDocument[] {
  return parseYamlDocuments(readManifestText(f.abs, f.shown, maxBytes), f.shown, f.rel.toLowerCase().endsWith('.json'));
}
