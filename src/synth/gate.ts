import type { EnvironmentConfig } from '../config/schema';
import { LoadedObject, parseManifests, readWrittenManifests } from '../manifests';
import type { Topology } from '../topology/model';
import { Finding, validateArgoCd, validateObjects } from '../validator';
import { ARGOCD_FOLDER, ARGOCD_PARAMETERS_FOLDER } from './folders';
import type { WrittenYaml } from './yaml-out';

/** Whether a rendered file is an Argo CD object file (not one of the ApplicationSet's parameter files). */
export function isArgoCdObjectFile(rel: string): boolean {
  return rel.startsWith(`${ARGOCD_FOLDER}/`) && !rel.startsWith(`${ARGOCD_FOLDER}/${ARGOCD_PARAMETERS_FOLDER}/`);
}

/** The objects of a rendered file, read as the validator reads them from disk. */
function objectsOf(rel: string, file: string | WrittenYaml): LoadedObject[] {
  return typeof file === 'string' ? parseManifests(file, rel) : readWrittenManifests(file.text, rel, file.values);
}

/**
 * The synth gate: validates what was rendered for each environment, and the Argo CD output
 * against every environment's configuration, in memory, before anything is written. Returns
 * the error findings (with files relative to the output folder); an empty list means the
 * output may be swapped into place. Files given as written (`writeFiles`) are not parsed again
 * where they read back as the values written.
 */
export function gateErrors(files: ReadonlyMap<string, string | WrittenYaml>, envs: readonly EnvironmentConfig[], topology: Topology): Finding[] {
  const errors: Finding[] = [];
  for (const env of envs) {
    const prefix = `${env.name}/`;
    const objects = [...files].filter(([rel]) => rel.startsWith(prefix)).flatMap(([rel, file]) => objectsOf(rel, file));
    const report = validateObjects(objects, { env, topology });
    errors.push(...report.findings.filter((f) => f.severity === 'error'));
  }
  const argo = [...files].filter(([rel]) => isArgoCdObjectFile(rel)).flatMap(([rel, file]) => objectsOf(rel, file));
  if (argo.length > 0) errors.push(...validateArgoCd(argo, { envs, topology }).findings.filter((f) => f.severity === 'error'));
  return errors;
}
