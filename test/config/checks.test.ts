import { parseEnvironment } from '../../src/config/load';
import { EnvironmentConfig } from '../../src/config/schema';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { shippedEnv } from '../support/render';

/** Parses an edited copy of the shipped production configuration. */
function parse(edit: (env: any) => void): EnvironmentConfig {
  const env = JSON.parse(JSON.stringify(shippedEnv('production')));
  edit(env);
  return parseEnvironment(env, 'config/production.yaml', 'production', CTIS_TOPOLOGY);
}

describe('configuration the API server, the kubelet or the runbook would refuse', () => {
  test('the shipped configuration passes', () => {
    expect(() => parse(() => undefined)).not.toThrow();
  });

  test.each([
    ['a cpu request above its limit', (e: any) => (e.workloads['auth-server'].resources.requests.cpu = '2'), /field workloads\.auth-server\.resources\.requests\.cpu: must not exceed limits\.cpu/],
    ['a memory request above its limit', (e: any) => (e.workloads.api.resources.requests.memory = '2Gi'), /field workloads\.api\.resources\.requests\.memory: must not exceed limits\.memory/],
    ['a tag inside the repository', (e: any) => (e.workloads.api.image.repository = 'registry.betts.example/ctis/api:1.0'), /field workloads\.api\.image\.repository: must be an image repository without tag/],
    ['a managed store on a public range', (e: any) => (e.dataStores.postgresql.cidr = '0.0.0.0/0'), /field dataStores\.postgresql\.cidr: must lie inside a private range/],
    ['a CIDR with host bits', (e: any) => (e.dataStores.redis.cidr = '10.20.9.5/24'), /field dataStores\.redis\.cidr: has host bits set/],
    ['an external service open to everything', (e: any) => (e.externalServices[0].cidr = '0.0.0.0/0'), /field externalServices\.0\.cidr: must not be the whole address space/],
    ['an external service declared twice', (e: any) => e.externalServices.push({ ...e.externalServices[0] }), /field externalServices\.2\.name: "blob-storage" is declared twice/],
    ['an unknown field', (e: any) => (e.featurez = {}), /field featurez: is not a known field/],
    ['an image without digest where digests are required', (e: any) => delete e.workloads.frontend.image.digest, /field workloads\.frontend\.image\.digest: is required: images\.requireDigest is true in this environment/],
    ['Deny combined with Warn', (e: any) => (e.admission.validationActions = ['Deny', 'Warn']), /field admission\.validationActions: must not combine Deny with Warn/],
    ['no validation action', (e: any) => (e.admission.validationActions = []), /field admission\.validationActions: must name at least one of Deny, Warn, Audit/],
    ['an unknown validation action', (e: any) => (e.admission.validationActions = ['Block']), /field admission\.validationActions\.0: /],
    ['a misspelt HPA bound', (e: any) => (e.workloads.api.scaling = { minReplica: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 }), /field workloads\.api\.scaling\.(minReplica|minReplicas): /],
  ])('%s is refused with the field named', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test('requireDigest covers every image of the configuration, data stores included', () => {
    const staging = JSON.parse(JSON.stringify(shippedEnv('staging')));
    staging.images.requireDigest = true;
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).toThrow(/field workloads\.auth-server\.image\.digest: is required/);
    for (const w of Object.values<any>(staging.workloads)) w.image.digest = `sha256:${'a'.repeat(64)}`;
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).toThrow(/field dataStores\.postgresql\.image\.digest: is required/);
  });

  test('tags alone are enough where digests are not required', () => {
    expect(() => parse((e) => {
      e.images.requireDigest = false;
      for (const w of Object.values<any>(e.workloads)) delete w.image.digest;
    })).not.toThrow();
  });

  test('a registry with a port is a valid repository', () => {
    expect(() => parse((e) => (e.workloads.api.image.repository = 'registry.betts.example:5000/ctis/api'))).not.toThrow();
  });
});
