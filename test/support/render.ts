import * as yaml from 'js-yaml';
import { loadEnvironment } from '../../src/config/load';
import { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { renderEnvironment } from '../../charts/app';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { Manifest } from './k8s';

export type { Manifest } from './k8s';

/** The shipped configuration of an environment. */
export function shippedEnv(name: EnvironmentName): EnvironmentConfig {
  return loadEnvironment(name, CTIS_TOPOLOGY);
}

/** Renders one environment and parses every document, tagged with its file. */
export function renderManifests(env: EnvironmentConfig): Array<Manifest & { __file: string }> {
  const out: Array<Manifest & { __file: string }> = [];
  for (const [file, text] of renderEnvironment(CTIS_TOPOLOGY, env)) {
    for (const doc of yaml.loadAll(text)) if (doc) out.push({ ...(doc as Manifest), __file: file });
  }
  return out;
}

/** The same environment with another edge profile (and that profile's usual controller). */
export function withProfile(env: EnvironmentConfig, profile: EnvironmentConfig['edge']['profile']): EnvironmentConfig {
  const controllers = {
    nginx: { className: 'nginx', namespace: 'nginx-ingress', labels: { 'app.kubernetes.io/name': 'nginx-ingress' } },
    traefik: { className: 'traefik', namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } },
    'gateway-api': { className: 'nginx-gateway', namespace: 'nginx-gateway', labels: { 'app.kubernetes.io/name': 'nginx-gateway-fabric' } },
  }[profile];
  return {
    ...env,
    edge: {
      ...env.edge,
      profile,
      className: controllers.className,
      controller: { namespace: controllers.namespace, podLabels: controllers.labels },
      hsts: { ...env.edge.hsts, preload: profile === 'nginx' ? false : env.edge.hsts.preload },
      adminAllowList: profile === 'traefik' ? env.edge.adminAllowList : [],
    },
  };
}

export const ENVIRONMENTS: EnvironmentName[] = ['development', 'staging', 'production'];
export const PROFILES: Array<EnvironmentConfig['edge']['profile']> = ['nginx', 'traefik', 'gateway-api'];
