/**
 * A component that declares it calls the Kubernetes API (`kubernetesApi` in the topology) mounts
 * its service-account token: the generator renders it, the admission policies admit it and the
 * validator accepts it; every other pod still mounts none.
 */
import * as yaml from 'js-yaml';
import { renderEnvironment } from '../../charts/app';
import { parseManifests } from '../../src/manifests';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import type { Topology } from '../../src/topology/model';
import { validateObjects } from '../../src/validator';
import { Manifest, Model, ofKind } from '../support/k8s';
import { shippedEnv } from '../support/render';
import { admit, boundPolicies } from './harness';

const env = shippedEnv('production');
const topology: Topology = { ...CTIS_TOPOLOGY, components: CTIS_TOPOLOGY.components.map((c) => (c.id === 'api' ? { ...c, kubernetesApi: 'reads leader-election Leases' } : c)) };
const files = renderEnvironment(topology, env);
const manifests: Manifest[] = [...files.values()].flatMap((text) => yaml.loadAll(text).filter((d): d is Manifest => d !== null && d !== undefined));
/** The workload of a component: a Deployment, or a Rollout where it is released blue-green. */
const workloadOf = (name: string): Model<'Deployment'> | Model<'Rollout'> => [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Rollout')].find((d) => d.metadata.name === name)!;

describe('a component that calls the Kubernetes API', () => {
  it('is rendered with its token mounted, and only it', () => {
    expect(workloadOf('api').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(workloadOf('frontend').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('is admitted; another component with a token is still denied', () => {
    const policies = boundPolicies(manifests);
    expect(admit(policies, { operation: 'CREATE', object: workloadOf('api') }).refused).toBe(false);
    const frontend = workloadOf('frontend');
    const mounted = { ...frontend, spec: { ...frontend.spec, template: { ...frontend.spec.template, spec: { ...frontend.spec.template.spec, automountServiceAccountToken: true } } } };
    expect(admit(policies, { operation: 'CREATE', object: mounted }).denials.map((d) => d.message)).toEqual([expect.stringMatching(/^frontend: the pod mounts the service-account token/)]);
  });

  it('passes the validator under that topology, not under one that does not declare it', () => {
    const objects = [...files].flatMap(([file, text]) => parseManifests(text, file));
    const judge = (t: Topology) => validateObjects(objects, { env, topology: t, rules: ['service-account-token'] }).findings.map((f) => f.resource);
    expect(judge(topology)).toEqual([]);
    expect(judge(CTIS_TOPOLOGY)).toEqual([`${workloadOf('api').kind}/ctis-production/api`]);
  });
});
