import type { EnvironmentConfig } from '../config/schema';
import { parseManifests } from '../manifests';
import type { Topology } from '../topology/model';
import { Finding, validateObjects } from '../validator';
import { RenderedFiles } from './yaml';

/**
 * The synth gate: validates what was rendered for each environment, in memory, before
 * anything is written. Returns the error findings (with files relative to the output
 * folder); an empty list means the output may be swapped into place.
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
  return errors;
}
