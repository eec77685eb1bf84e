/**
 * Valid/invalid cases of the application contract rules (secrets, CORS, settings, hardening,
 * internal tokens, mTLS, Data Protection, Hangfire) and of probes, rollouts, autoscaling and
 * disruption budgets.
 */
import { asKind, given, isKind } from '../support/k8s';
import { allDist, configMap, D, externalSecret, find, load, mutate, Obj, P, secretRef, workload } from './fixtures';
import type { RuleCases } from './rule-table';

const certificate = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name, namespace: P },
  spec: { secretName: name, dnsNames: [`${name}.${P}.svc`], issuerRef: { kind: 'ClusterIssuer', name: 'ctis-internal-ca' }, ...extra },
});

export const APPLICATION_CASES: Record<string, RuleCases> = {
  'secret-literal': {
    valid: [
      ...allDist(),
      {
        name: 'secretKeyRef, $(VAR) arguments and checksum annotations',
        objects: () =>
          load([
            ...workload('redis', {
              envVars: [secretRef('REDIS_PASSWORD', 'redis-credentials', 'password'), secretRef('REDISCLI_AUTH', 'redis-credentials', 'password')],
              container: { args: ['--requirepass', '$(REDIS_PASSWORD)'] },
              annotations: { 'ctis.io/settings-checksum': 'e76dfa09b8ded1b2b202076096413650637ab198b3ea474a4b2d8956a306f799' },
            }),
            configMap('plain', { InternalTokens__Issuer: 'https://auth.example', AppServer__ClientCertificate__KeyPath: '/etc/tls.key', LogLevel: 'Information' }),
          ]),
        expect: {},
      },
      {
        name: "annotations of our tools and Secret references by name are not secrets",
        objects: () =>
          load(
            workload('api', {
              annotations: {
                'ctis.io/pre-provisioned-secrets': 'registry-pull, api-tls',
                'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
                'cert-manager.io/cluster-issuer': 'letsencrypt-production',
                'nginx.ingress.kubernetes.io/auth-secret': 'ctis-production/basic-auth',
                'example.com/rotate-token': 'true',
                'redis.example/connection-string': 'redis:6380,ssl=True,abortConnect=false',
              },
            }),
          ),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'literal password, connection string in a ConfigMap, token in an annotation, Secret with data',
        objects: () =>
          load([
            ...workload('api', { envVars: [{ name: 'InternalTokens__ApiKey', value: 'abc' }, { name: 'CACHE_URL', value: 'redis://:s3cr3t@redis:6379' }] }),
            configMap('db', { ConnectionStrings__DefaultConnection: 'Host=db;Username=app;Password=hunter2' }),
            { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: P, annotations: { 'example.com/token': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }, stringData: { password: 'x' } },
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/InternalTokens__ApiKey holds a secret-like name with a literal value/, /CACHE_URL holds a URL with a password/],
          [`ConfigMap/${P}/db`]: [/ConfigMap key ConnectionStrings__DefaultConnection holds a secret-like key/],
          [`Secret/${P}/plain`]: [/annotation example\.com\/token holds a GitHub token/, /Secret with literal data \(password\)/],
        },
      },
      {
        name: 'StackExchange.Redis connection strings (`,` separators) with a password',
        objects: () =>
          load([
            ...workload('api', { envVars: [{ name: 'CACHE', value: 'redis.internal:6380,password=hunter2,ssl=True' }] }),
            configMap('cache', { Redis: 'redis.internal:6380,abortConnect=false,password=hunter2' }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/^container api: CACHE holds a connection string with a password; read it from a Secret \(secretKeyRef\)$/],
          [`ConfigMap/${P}/cache`]: [/^ConfigMap key Redis holds a connection string with a password$/],
        },
      },
      {
        name: 'secret-like annotation names with literal values, on an object and on a pod template',
        objects: () => {
          const objs = workload('api', { annotations: { 'db-password': 'hunter2' } });
          asKind(objs[0], 'Deployment').spec.template.metadata.annotations = { 'example.com/api-token': 'abc123' };
          return load([...objs, { ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'vendor.example/signing-key': 'opensesame' } } }]);
        },
        expect: {
          [`Deployment/${P}/api`]: [/^annotation db-password holds a secret-like name with a literal value$/, /^annotation example\.com\/api-token holds a secret-like name with a literal value$/],
          [`ConfigMap/${P}/x`]: [/^annotation vendor\.example\/signing-key holds a secret-like name with a literal value$/],
        },
      },
    ],
  },

  'secret-source': {
    valid: [
      ...allDist(),
      {
        name: 'ExternalSecret target and a declared pre-provisioned pull secret',
        objects: () =>
          load([
            ...workload('api', { envVars: [secretRef('X', 'api-secret')], podSpec: { imagePullSecrets: [{ name: 'registry-pull' }] }, annotations: { 'ctis.io/pre-provisioned-secrets': 'registry-pull' } }),
            externalSecret('api-secret'),
          ]),
        expect: {},
      },
      {
        name: 'keys written by the producers: Certificate keys, ExternalSecret dataFrom (any key) and template keys',
        objects: () =>
          load([
            ...workload('api', {
              envVars: [secretRef('A', 'from-vault', 'anything'), secretRef('B', 'templated', 'dsn'), secretRef('C', 'api-secret', 'nope-but-optional')],
              volumes: [
                { name: 'client', secret: { secretName: 'api-client-tls', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }] } },
                { name: 'bundle', projected: { sources: [{ secret: { name: 'api-client-tls', items: [{ key: 'tls-combined.pem', path: 'all.pem' }] } }] } },
              ],
            }),
            certificate('api-client-tls', { additionalOutputFormats: [{ type: 'CombinedPEM' }] }),
            externalSecret('from-vault', 'production', { data: undefined, dataFrom: [{ extract: { key: 'ctis-production/bundle' } }] }),
            externalSecret('templated', 'production', { target: { name: 'templated', template: { data: { dsn: 'Host=db;Password={{ .value }}' } } } }),
            externalSecret('api-secret'),
          ]).map((o) => {
            if (isKind(o.object, 'Deployment')) o.object.spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.optional = true;
            return o;
          }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'Secret from nowhere, ExternalSecret on another store',
        objects: () =>
          load([
            ...workload('api', { envVars: [secretRef('X', 'hand-made')], volumes: [{ name: 'certs', secret: { secretName: 'certs' } }] }),
            externalSecret('other', 'production', { secretStoreRef: { kind: 'SecretStore', name: 'local' } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/env X references Secret hand-made, which no ExternalSecret or Certificate/, /volume certs references Secret certs/],
          [`ExternalSecret/${P}/other`]: [/reads from SecretStore local, not the configured ClusterSecretStore ctis-key-vault/],
        },
      },
      {
        name: 'keys the producers do not write: an ExternalSecret key, a Certificate item, a key the template replaces',
        objects: () =>
          load([
            ...workload('api', {
              envVars: [secretRef('DB_PASSWORD', 'api-secret', 'password'), secretRef('RAW', 'templated', 'value')],
              volumes: [{ name: 'client', secret: { secretName: 'api-client-tls', items: [{ key: 'tls.pem', path: 'tls.pem' }] } }],
            }),
            certificate('api-client-tls'),
            externalSecret('api-secret'),
            externalSecret('templated', 'production', { target: { name: 'templated', template: { data: { dsn: 'Host=db;Password={{ .value }}' } } } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [
            /^env DB_PASSWORD reads key password of Secret api-secret, which ExternalSecret api-secret does not write \(keys: value\)$/,
            /^env RAW reads key value of Secret templated, which ExternalSecret templated does not write \(keys: dsn\)$/,
            /^volume client reads key tls\.pem of Secret api-client-tls, which Certificate api-client-tls does not write \(keys: tls\.crt, tls\.key, ca\.crt\)$/,
          ],
        },
      },
    ],
  },

  'cors-explicit-origins': {
    valid: allDist(),
    invalid: [
      {
        name: 'wildcard, http origin and no list at all',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Cors__AllowedOrigins__0: '*', Cors__AllowedOrigins__1: 'http://ctis.betts.example' } }),
            ...workload('api', { settings: { Other: 'x' } }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/Cors__AllowedOrigins__0=\* \(ConfigMap auth-server-settings\) is a wildcard origin/, /Cors__AllowedOrigins__1=http:\/\/ctis\.betts\.example .* is not an https origin/],
          [`Deployment/${P}/api`]: [/api has no Cors__AllowedOrigins__N setting/],
        },
      },
      {
        name: 'wildcards under other spellings of the key: upper case in the ConfigMap, `:` in env',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Cors__AllowedOrigins__0: 'https://ctis.betts.example', CORS__ALLOWEDORIGINS__1: '*' } }),
            ...workload('api', { settings: { Cors__AllowedOrigins__0: 'https://ctis.betts.example' }, envVars: [{ name: 'Cors:AllowedOrigins:1', value: '*' }] }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/^CORS__ALLOWEDORIGINS__1=\* \(ConfigMap auth-server-settings\) is a wildcard origin$/],
          [`Deployment/${P}/api`]: [/^Cors:AllowedOrigins:1=\* is a wildcard origin$/],
        },
      },
    ],
  },

  'setting-key-unambiguous': {
    valid: [
      ...allDist(),
      {
        name: 'two spellings of one key with the same value',
        objects: () => load(workload('api', { settings: { RateLimiting__Enabled: 'true' }, envVars: [{ name: 'ratelimiting:enabled', value: 'true' }] })),
        expect: {},
      },
      { name: 'case matters for non-.NET containers', objects: () => load(workload('redis', { envVars: [{ name: 'MODE', value: 'a' }, { name: 'mode', value: 'b' }] })), expect: {} },
    ],
    invalid: [
      {
        name: 'hardening on in the ConfigMap, off under a lower-case spelling in env',
        objects: () => load(workload('app-server', { settings: { SecurityHardening__Enabled: 'true' }, envVars: [{ name: 'securityhardening__enabled', value: 'false' }] })),
        expect: {
          [`Deployment/${P}/app-server`]: [
            /^2 variables bind configuration key securityhardening:enabled with different values \(SecurityHardening__Enabled=true \(ConfigMap app-server-settings\), securityhardening__enabled=false\); which one \.NET uses is undefined$/,
          ],
        },
      },
    ],
  },

  'security-hardening': {
    valid: allDist(),
    invalid: [
      {
        name: 'headers off in env (overrides the ConfigMap), hardening missing',
        objects: () => load([...workload('app-server', { settings: { SecurityHeaders__Enabled: 'true' }, envVars: [{ name: 'SecurityHeaders__Enabled', value: 'false' }] })]),
        expect: { [`Deployment/${P}/app-server`]: [/does not set SecurityHardening__Enabled=true/, /sets SecurityHeaders__Enabled=false; it must be true/] },
      },
      {
        name: 'hardening off under a lower-case spelling, headers on in upper case',
        objects: () => load(workload('api', { settings: { securityhardening__enabled: 'false', SECURITYHEADERS__ENABLED: 'true' } })),
        expect: { [`Deployment/${P}/api`]: [/^api sets securityhardening__enabled=false \(ConfigMap api-settings\); it must be true$/] },
      },
      {
        name: 'one spelling true, another false: every spelling must be true',
        objects: () => load(workload('api', { settings: { SecurityHardening__Enabled: 'true', SecurityHeaders__Enabled: 'true' }, envVars: [{ name: 'SecurityHardening:Enabled', value: 'false' }] })),
        expect: { [`Deployment/${P}/api`]: [/^api sets SecurityHardening:Enabled=false; it must be true$/] },
      },
    ],
  },

  'rate-limiting': {
    valid: allDist(),
    invalid: [
      {
        name: 'rate limiting disabled on api',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'api-settings').data.RateLimiting__Enabled = 'false';
        }),
        expect: { [`Rollout/${P}/api`]: [/sets RateLimiting__Enabled=false \(ConfigMap api-settings\); it must be true/] },
      },
    ],
  },

  'internal-tokens-contract': {
    valid: allDist(),
    invalid: [
      {
        name: 'audience differs, JWKS on a component app-server cannot reach, API key from another Secret',
        objects: mutate('production', (o) => {
          const a = find(o, 'ConfigMap', 'app-server-settings').data;
          a.InternalTokens__Audience = 'someone-else';
          a.InternalTokens__JwksUrl = `http://frontend.${P}.svc.cluster.local:3000/jwks`;
          const env0 = find(o, 'Deployment', 'app-server').spec.template.spec.containers[0].env;
          env0.find((e) => e.name === 'InternalTokens__ApiKey')!.valueFrom.secretKeyRef.name = 'ctis-database';
        }),
        expect: {
          [`Deployment/${P}/app-server`]: [
            /InternalTokens__ApiKey comes from ctis-database\/api-key here but from ctis-internal-tokens\/api-key on api/,
            /InternalTokens__Audience someone-else is not the configured ctis-app-server/,
            /points at frontend, which app-server has no declared edge to/,
            /InternalTokens__JwksUrl is http:\/\/frontend.* here but http:\/\/auth-server.* on api/,
          ],
        },
      },
    ],
  },

  'app-server-mtls': {
    valid: allDist(),
    invalid: [
      {
        name: 'Service exposes the plain port too, api calls over http',
        objects: mutate('production', (o) => {
          find(o, 'Service', 'app-server').spec.ports.push(given({ name: 'http', port: 8080, targetPort: 'health', protocol: 'TCP' }));
          find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl = `http://app-server.${P}.svc.cluster.local:8080`;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/AppServer__BaseUrl http:\/\/app-server.* is not https on the TLS port 8443/],
          [`Deployment/${P}/app-server`]: [/^Service app-server also exposes port 8080 -> health \(container port 8080\), bypassing mTLS$/],
        },
      },
      {
        name: 'api without AppServer__BaseUrl; app-server does not require client certificates',
        objects: mutate('production', (o) => {
          delete find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl;
          delete find(o, 'ConfigMap', 'app-server-settings').data.Kestrel__Endpoints__Https__ClientCertificateMode;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^api does not set AppServer__BaseUrl \(https:\/\/app-server\.ctis-production\.svc:8443\): it cannot reach app-server over mTLS$/],
          [`Deployment/${P}/app-server`]: [/^app-server does not set Kestrel__Endpoints__Https__ClientCertificateMode=RequireCertificate: callers without a client certificate would be served$/],
        },
      },
      {
        name: 'client certificates optional, api presents the server certificate, the Service port targets the plain port',
        objects: mutate('production', (o) => {
          find(o, 'ConfigMap', 'app-server-settings').data.Kestrel__Endpoints__Https__ClientCertificateMode = 'AllowCertificate';
          find(o, 'Rollout', 'api').spec.template.spec.volumes.find((v) => v.name === 'app-server-client-cert')!.secret.secretName = 'app-server-tls';
          find(o, 'Service', 'app-server').spec.ports[0].targetPort = 'health';
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^api presents Secret app-server-tls, app-server's server certificate, as its client certificate: the client needs a certificate of its own$/],
          [`Deployment/${P}/app-server`]: [
            /^app-server sets Kestrel__Endpoints__Https__ClientCertificateMode=AllowCertificate \(ConfigMap app-server-settings\); it must be RequireCertificate$/,
            /^Service app-server has no port that reaches the TLS container port 8443 \(port 8443 -> health \(container port 8080\)\)$/,
          ],
        },
      },
      {
        name: 'numeric targetPort of the plain port; api calls another Service',
        objects: mutate('production', (o) => {
          find(o, 'Service', 'app-server').spec.ports[0].targetPort = 8080;
          find(o, 'ConfigMap', 'api-settings').data.AppServer__BaseUrl = `https://auth-server.${P}.svc.cluster.local:8443`;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^AppServer__BaseUrl https:\/\/auth-server\.ctis-production\.svc\.cluster\.local:8443 \(ConfigMap api-settings\) does not name a Service of app-server \(<service>\.<namespace>\.svc\)$/],
          [`Deployment/${P}/app-server`]: [/^Service app-server has no port that reaches the TLS container port 8443 \(port 8443 -> container port 8080\)$/],
        },
      },
      {
        name: 'no mounted certificate',
        objects: mutate('production', (o) => {
          const spec = find(o, 'Deployment', 'app-server').spec.template.spec;
          spec.containers[0].volumeMounts = spec.containers[0].volumeMounts.filter((m) => m.mountPath === '/tmp');
        }),
        expect: { [`Deployment/${P}/app-server`]: [/app-server mounts no server certificate Secret produced by a Certificate/] },
      },
    ],
  },

  'data-protection-keys': {
    valid: allDist(),
    invalid: [
      {
        name: 'claim ReadWriteOnce while 12 pods can run (6 per colour); read-only mode on a read-write mount',
        objects: mutate('production', (o) => {
          const pvc = find(o, 'PersistentVolumeClaim', 'auth-server-data-protection');
          pvc.spec.accessModes = ['ReadWriteOnce'];
          find(o, 'ConfigMap', 'auth-server-settings').data.AuthServer__DataProtection__ReadOnly = 'true';
        }),
        expect: {
          [`PersistentVolumeClaim/${P}/auth-server-data-protection`]: [/^up to 12 auth-server pods \(both colours of a blue-green release\) share .* ReadWriteOnce, not ReadWriteMany$/],
          [`Rollout/${P}/auth-server`]: [/read-only mode is true but config features\.dataProtectionReadOnly is false/, /ReadOnly=true but the key volume is mounted read-write/],
        },
      },
      {
        name: 'key path not on a claim',
        objects: () => load([...workload('auth-server', { settings: { AuthServer__DataProtection__KeyPath: '/keys' } })]),
        expect: { [`Deployment/${P}/auth-server`]: [/KeyPath \/keys is not on a mounted PersistentVolumeClaim/] },
      },
    ],
  },

  'hangfire-durable-storage': {
    valid: allDist(),
    invalid: [
      {
        name: 'in-memory in production, unset on app-server',
        objects: () =>
          load([
            ...workload('auth-server', { settings: { Hangfire__Storage: 'InMemory' } }),
            ...workload('app-server', { settings: { Other: '1' } }),
          ]),
        expect: {
          [`Deployment/${P}/auth-server`]: [/Hangfire__Storage=InMemory \(ConfigMap auth-server-settings\) in production/],
          [`Deployment/${P}/app-server`]: [/Hangfire__Storage is unset \(in-memory\) in production/],
        },
      },
      {
        name: 'development with two app-server pods',
        env: 'development',
        objects: mutate('development', (o) => {
          find(o, 'Deployment', 'app-server').spec.replicas = 2;
        }),
        expect: {
          [`Deployment/${D}/app-server`]: [/but app-server can run more than one pod/],
          [`Deployment/${D}/auth-server`]: [/but app-server can run more than one pod/],
        },
      },
    ],
  },

  'health-probes': {
    valid: allDist(),
    invalid: [
      {
        name: 'readiness on the wrong path, no startup probe, port not declared',
        objects: () =>
          load([
            ...workload('api', {
              container: {
                readinessProbe: { httpGet: { path: '/', port: 'http' } },
                livenessProbe: { httpGet: { path: '/health/live', port: 'metrics' } },
                startupProbe: undefined,
              },
            }),
          ]),
        expect: { [`Deployment/${P}/api`]: [/api has no startupProbe/, /readinessProbe of api probes \/, not \/health\/ready/, /livenessProbe of api uses port metrics/] },
      },
    ],
  },

  'rolling-update-safe': {
    valid: allDist(),
    invalid: [
      {
        name: 'default strategy and Recreate',
        objects: () => load([...workload('api', { spec: { strategy: undefined } }), ...workload('frontend', { spec: { strategy: { type: 'Recreate' } } })]),
        expect: { [`Deployment/${P}/api`]: [/maxUnavailable is unset \(default 25%\), not 0/], [`Deployment/${P}/frontend`]: [/strategy Recreate/] },
      },
    ],
  },

  'hpa-managed-replicas': {
    valid: allDist(),
    invalid: [
      {
        name: 'replicas under an HPA; no HPA for frontend in production',
        objects: mutate('production', (o) => {
          find(o, 'Rollout', 'api').spec.replicas = 3;
          return o.filter((x) => !(x.object.kind === 'HorizontalPodAutoscaler' && x.object.metadata?.name === 'frontend'));
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^spec\.replicas is set although HorizontalPodAutoscaler api owns the replica count: remove spec\.replicas$/],
          [`Rollout/${P}/frontend`]: [/^frontend has no HorizontalPodAutoscaler in production$/],
        },
        remediations: [
          [/^spec\.replicas/, /^Delete spec\.replicas from the Rollout; HorizontalPodAutoscaler api's minReplicas sets the floor/],
          [/no HorizontalPodAutoscaler/, /^Add an autoscaling\/v2 HorizontalPodAutoscaler targeting the Rollout \(replica bounds from config\/production\.yaml\)/],
        ],
      },
    ],
  },

  'pdb-required': {
    valid: allDist(),
    invalid: [
      {
        name: 'two replicas without a PodDisruptionBudget',
        objects: () => load([...workload('api', { replicas: 2 })]),
        expect: { [`Deployment/${P}/api`]: [/up to 2 pods can run but no PodDisruptionBudget selects them/] },
      },
    ],
  },
};
