import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEnvironment, parseEnvironment } from '../../src/config/load';
import { EnvironmentConfig } from '../../src/config/schema';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { copyOf, Doc, get, push, remove, set, valuesAt } from '../support/edit';
import { shippedEnv } from '../support/render';

const SMTP = { name: 'smtp', cidr: '10.20.12.0/24', port: 587, from: ['auth-server'] };

/** Parses an edited copy of the shipped production configuration. */
function parse(edit: (env: Doc) => void): EnvironmentConfig {
  const env = copyOf(shippedEnv('production'));
  edit(env);
  return parseEnvironment(env, 'config/production.yaml', 'production', CTIS_TOPOLOGY);
}

describe('configuration the API server, the kubelet or the runbook would refuse', () => {
  test('the shipped configuration passes', () => {
    expect(() => parse(() => undefined)).not.toThrow();
  });

  test.each([
    ['a cpu request above its limit', (e: Doc) => set(e, 'workloads.auth-server.resources.requests.cpu', '2'), /field workloads\.auth-server\.resources\.requests\.cpu: must not exceed limits\.cpu/],
    ['a memory request above its limit', (e: Doc) => set(e, 'workloads.api.resources.requests.memory', '2Gi'), /field workloads\.api\.resources\.requests\.memory: must not exceed limits\.memory/],
    ['a tag inside the repository', (e: Doc) => set(e, 'workloads.api.image.repository', 'registry.betts.example/ctis/api:1.0'), /field workloads\.api\.image\.repository: must be an image repository without tag/],
    ['a managed store on a public range', (e: Doc) => set(e, 'dataStores.postgresql.cidr', '0.0.0.0/0'), /field dataStores\.postgresql\.cidr: must lie inside a private range/],
    ['a CIDR with host bits', (e: Doc) => set(e, 'dataStores.redis.cidr', '10.20.9.5/24'), /field dataStores\.redis\.cidr: has host bits set/],
    ['an external service open to everything', (e: Doc) => push(e, 'externalServices', { ...SMTP, cidr: '0.0.0.0/0' }), /field externalServices\.0\.cidr: must not be the whole address space/],
    ['an external service declared twice', (e: Doc) => push(e, 'externalServices', SMTP, SMTP), /field externalServices\.1\.name: "smtp" is declared twice/],
    ['an external service under a name the operations sections derive', (e: Doc) => push(e, 'externalServices', { ...SMTP, name: 'object-storage' }), /field externalServices\.0\.name: "object-storage" is reserved: declare it under objectStorage/],
    ['telemetry off in production', (e: Doc) => set(e, 'telemetry', { enabled: false }), /field telemetry\.enabled: must be true in production/],
    ['monitoring off in production', (e: Doc) => set(e, 'monitoring', { enabled: false }), /field monitoring\.enabled: must be true in production/],
    ['an external collector open to everything', (e: Doc) => set(e, 'telemetry.collector.cidr', '0.0.0.0/0'), /field telemetry\.collector\.cidr: must not be the whole address space/],
    ['a collector that is neither in the cluster nor external', (e: Doc) => set(e, 'telemetry.collector', { mode: 'sidecar' }), /field telemetry\.collector\.mode: /],
    ['an alert threshold out of range', (e: Doc) => set(e, 'monitoring.alerts.volumeFreePercent', 80), /field monitoring\.alerts\.volumeFreePercent: /],
    ['a metrics path that is no path', (e: Doc) => set(e, 'monitoring.metrics', { dotnet: { port: 9464, path: 'metrics' }, nextjs: { port: 9464, path: '/metrics' } }), /field monitoring\.metrics\.dotnet\.path: must be an absolute URL path/],
    ['managed PostgreSQL without the provider\'s backups recorded', (e: Doc) => remove(e, 'dataStores.postgresql.backup'), /field dataStores\.postgresql\.backup: /],
    ['managed PostgreSQL keeping backups for 3 days', (e: Doc) => set(e, 'dataStores.postgresql.backup.retentionDays', 3), /field dataStores\.postgresql\.backup\.retentionDays: must be at least 7 in production, got 3/],
    ['managed PostgreSQL without point-in-time restore', (e: Doc) => set(e, 'dataStores.postgresql.backup.pointInTimeRestore', false), /field dataStores\.postgresql\.backup\.pointInTimeRestore: must be true in production/],
    ['managed PostgreSQL losing an hour of writes', (e: Doc) => set(e, 'dataStores.postgresql.backup.rpoMinutes', 60), /field dataStores\.postgresql\.backup\.rpoMinutes: must be at most 15 in production, got 60/],
    ['managed Redis restored in a day', (e: Doc) => set(e, 'dataStores.redis.backup.rtoMinutes', 1440), /field dataStores\.redis\.backup\.rtoMinutes: must be at most 240 in production, got 1440/],
    ['object storage on a public endpoint in production', (e: Doc) => set(e, 'objectStorage.cidr', '52.239.0.0/16'), /field objectStorage\.cidr: must lie inside a private range in production \(a private endpoint\): a public endpoint is refused/],
    ['object storage used by the frontend', (e: Doc) => push(e, 'objectStorage.from', 'frontend'), /field objectStorage\.from\.2: frontend is not an ASP\.NET application component/],
    ['object storage used by an unknown component', (e: Doc) => set(e, 'objectStorage.from', ['files']), /field objectStorage\.from\.0: names unknown component "files"/],
    ['workload identity without annotations', (e: Doc) => set(e, 'objectStorage.credentials.serviceAccountAnnotations', {}), /field objectStorage\.credentials\.serviceAccountAnnotations: must name at least one label/],
    ['an unknown field', (e: Doc) => set(e, 'featurez', {}), /field featurez: is not a known field/],
    ['an image without digest where digests are required', (e: Doc) => remove(e, 'workloads.frontend.image.digest'), /field workloads\.frontend\.image\.digest: is required: images\.requireDigest is true in this environment/],
    ['Deny combined with Warn', (e: Doc) => set(e, 'admission.validationActions', ['Deny', 'Warn']), /field admission\.validationActions: must not combine Deny with Warn/],
    ['no validation action', (e: Doc) => set(e, 'admission.validationActions', []), /field admission\.validationActions: must name at least one of Deny, Warn, Audit/],
    ['an unknown validation action', (e: Doc) => set(e, 'admission.validationActions', ['Block']), /field admission\.validationActions\.0: /],
    ['a required field left out', (e: Doc) => remove(e, 'argocd.repoURL'), /field argocd\.repoURL: is required \(expected string\)$/],
    ['a field written without a value', (e: Doc) => set(e, 'edge.hsts.preload', null), /field edge\.hsts\.preload: has no value \(expected boolean\)$/],
    ['an edge profile left out', (e: Doc) => remove(e, 'edge.profile'), /field edge\.profile: is required \(one of "nginx", "traefik", "gateway-api"\)$/],
    ['the edge TLS settings left out', (e: Doc) => remove(e, 'edge.tls'), /field edge\.tls: is required \(expected object\)$/],
    ['a misspelt HPA bound', (e: Doc) => set(e, 'workloads.api.scaling', { minReplica: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 }), /field workloads\.api\.scaling\.(minReplica|minReplicas): /],
  ])('%s is refused with the field named', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test('an empty file is refused as such, not as a field', () => {
    for (const data of [undefined, null]) {
      expect(() => parseEnvironment(data, 'config/production.yaml', 'production', CTIS_TOPOLOGY)).toThrow(/^config\/production\.yaml: environment "production": the file holds no configuration \(expected a mapping of fields\)$/);
    }
  });

  test('edge.adminAllowList may be left out (Traefik only): no admin path is routed', () => {
    expect(parse((e) => remove(e, 'edge.adminAllowList')).edge.adminAllowList).toEqual([]);
  });

  test('requireDigest covers every image of the configuration, data stores included', () => {
    const staging = copyOf(shippedEnv('staging'));
    set(staging, 'images.requireDigest', true);
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).toThrow(/field workloads\.auth-server\.image\.digest: is required/);
    for (const w of valuesAt(staging, 'workloads')) set(w, 'image.digest', `sha256:${'a'.repeat(64)}`);
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).toThrow(/field dataStores\.postgresql\.image\.digest: is required/);
  });

  test('tags alone are enough where digests are not required', () => {
    expect(() => parse((e) => {
      set(e, 'images.requireDigest', false);
      for (const w of valuesAt(e, 'workloads')) remove(w, 'image.digest');
    })).not.toThrow();
  });

  test('a public object storage endpoint is accepted outside production', () => {
    const staging = copyOf(shippedEnv('staging'));
    set(staging, 'objectStorage.cidr', '52.239.0.0/16');
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).not.toThrow();
  });

  test.each([
    ['an in-cluster PostgreSQL without backups', (e: Doc) => remove(e, 'dataStores.postgresql.backup'), /field dataStores\.postgresql\.backup: is required for an in-cluster PostgreSQL/],
    ['backups of the in-cluster Redis', (e: Doc) => set(e, 'dataStores.redis.backup', get(e, 'dataStores.postgresql.backup')), /field dataStores\.redis\.backup: is not supported for Redis/],
    ['a backup that is not nightly', (e: Doc) => set(e, 'dataStores.postgresql.backup.schedule', '0 */6 * * *'), /field dataStores\.postgresql\.backup\.schedule: must run once a day/],
    ['a restore check at the time of the backup', (e: Doc) => set(e, 'dataStores.postgresql.backup.restoreCheckSchedule', get(e, 'dataStores.postgresql.backup.schedule')), /field dataStores\.postgresql\.backup\.restoreCheckSchedule: must differ from the backup schedule/],
    ['telemetry off in staging', (e: Doc) => set(e, 'telemetry', { enabled: false }), /field telemetry\.enabled: must be true in staging/],
  ])('staging: %s is refused with the field named', (_name, edit, message) => {
    const staging = copyOf(shippedEnv('staging'));
    edit(staging);
    expect(() => parseEnvironment(staging, 'config/staging.yaml', 'staging', CTIS_TOPOLOGY)).toThrow(message);
  });

  test('development may run without telemetry and monitoring', () => {
    const dev = copyOf(shippedEnv('development'));
    set(dev, 'telemetry', { enabled: false });
    expect(() => parseEnvironment(dev, 'config/development.yaml', 'development', CTIS_TOPOLOGY)).not.toThrow();
  });

  test('a registry with a port is a valid repository', () => {
    expect(() => parse((e) => set(e, 'workloads.api.image.repository', 'registry.betts.example:5000/ctis/api'))).not.toThrow();
  });
});

describe('the file named in a refusal', () => {
  test('a folder outside the working folder is named by its absolute path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctis-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'staging.yaml'), 'name: staging\n');
      const outside = path.relative(process.cwd(), dir).startsWith('..');
      expect(outside).toBe(true);
      const message = (name: 'staging' | 'production') => {
        try {
          loadEnvironment(name, CTIS_TOPOLOGY, dir);
        } catch (e) {
          return (e as Error).message;
        }
        return 'loaded';
      };
      expect(message('staging')).toBe(`${path.join(dir, 'staging.yaml')}: environment "staging": field namespace: is required (expected string)`);
      expect(message('production')).toBe(`${path.join(dir, 'production.yaml')}: environment "production": cannot read the file (ENOENT)`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file inside the working folder is named relative to it', () => {
    expect(() => loadEnvironment('staging', CTIS_TOPOLOGY, path.join(process.cwd(), 'no-such-config'))).toThrow(/^no-such-config\/staging\.yaml: environment "staging": cannot read the file \(ENOENT\)$/);
  });
});
