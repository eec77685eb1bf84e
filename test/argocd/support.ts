import * as yaml from 'js-yaml';
import { loadAllEnvironments } from '../../src/config/load';
import type { EnvironmentConfig } from '../../src/config/schema';
import { renderAll } from '../../charts/app';
import type { RenderedFiles } from '../../src/synth';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { asKind, Manifest, Model } from '../support/k8s';

/** The shipped environments, as `npm run synth` loads them. */
export function shippedEnvironments(): EnvironmentConfig[] {
  return loadAllEnvironments(CTIS_TOPOLOGY);
}

/** A rendered output with its Argo CD documents parsed. */
export interface ArgoOutput {
  readonly files: RenderedFiles;
  readonly project: Model<'AppProject'>;
  readonly applications: Model<'Application'>[];
  readonly applicationSet: Model<'ApplicationSet'>;
  /** The output as a repository: `dist/<path>` -> text. */
  readonly repository: Map<string, string>;
}

export function docs(files: RenderedFiles, rel: string): Manifest[] {
  const text = files.get(rel);
  if (text === undefined) throw new Error(`nothing rendered at ${rel}`);
  return (yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }) as Manifest[]).filter(Boolean);
}

export function renderArgo(envs: EnvironmentConfig[] = shippedEnvironments()): ArgoOutput {
  const files = renderAll(CTIS_TOPOLOGY, envs);
  return {
    files,
    project: asKind(docs(files, 'argocd/project.yaml')[0], 'AppProject'),
    applications: docs(files, 'argocd/applications.yaml').map((d) => asKind(d, 'Application')),
    applicationSet: asKind(docs(files, 'argocd/applicationset.yaml')[0], 'ApplicationSet'),
    repository: new Map([...files].map(([rel, text]) => [`dist/${rel}`, text])),
  };
}

/** An environment with fields of its `argocd` block changed (e.g. `{ delivery: 'promoted', ref: 'v1.8.0' }`). */
export function withArgo(env: EnvironmentConfig, argocd: Record<string, unknown>): EnvironmentConfig {
  return { ...env, argocd: { ...env.argocd, ...argocd } };
}
