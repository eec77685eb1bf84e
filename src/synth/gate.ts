import type { EnvironmentConfig } from '../config/schema';
import { parseManifests } from '../manifests';
import type { Topology } from '../topology/model';
import { Finding, validateArgoCd, validateObjects } from '../validator';
import { ARGOCD_FOLDER, ARGOCD_PARAMETERS_FOLDER } from './folders';
import type { RenderedFiles } from './yaml-out';

/** Whether a rendered file is an Argo CD object file (not one of the ApplicationSet's parameter files). */
export function isArgoCdObjectFile(rel: string): boolean {
  return rel.startsWith(`${ARGOCD_FOLDER}/`) && !rel.startsWith(`${ARGOCD_FOLDER}/${ARGOCD_PARAMETERS_FOLDER}/`);
}

/**
 * The synth gate: validates what was rendered for each environment, and the Argo CD output
 * against every environment's configuration, in memory, before anything is written. Returns
 * the error findings (with files relative to the output folder); an empty list means the
 * output may be swapped into place.
 */
export function gateErrors(files: RenderedFiles, envs: readonly EnvironmentConfig[], topology: Topology): Finding[] {
  const errors: Finding[] = [];
  for (const env of envs) {
    const prefix = `${env.name}/`;
    const objects = [...files]
      .filter(([rel]) => rel.startsWith(prefix))
      .flatMap(([rel, text]) => parseManifests(text, rel));
    const report = validateObjects(objects, { env, topology });
    errors.push(...report.findings.filter((f) => f.severity === 'error'));
  }
  const argo = [...files].filter(([rel]) => isArgoCdObjectFile(rel)).flatMap(([rel, text]) => parseManifests(text, rel));
  if (argo.length > 0) errors.push(...validateArgoCd(argo, { envs, topology }).findings.filter((f) => f.severity === 'error'));
  return errors;
}
