/**
 * Valid/invalid cases of the delivery rules: data that survives Argo CD, claims in the wave of
 * their first consumer, and the Argo CD objects of a promoted environment (dist/argocd).
 */
import type { LoadedObject } from '../../src/manifests';
import type { EnvironmentConfig } from '../../src/config/schema';
import { allDist, argoObjects, argoParameterFiles, env, find, load, mutate, mutateArgo, ns, Obj, withExtra, workload } from './fixtures';
import { given, unset } from '../support/k8s';
import type { RuleCases } from './rule-table';

const P = ns('production');
const S = ns('staging');
const OPTIONS = 'argocd.argoproj.io/sync-options';
const WAVE = 'argocd.argoproj.io/sync-wave';
const production = env('production').argocd as Extract<EnvironmentConfig['argocd'], { delivery: 'promoted' }>;
const PROMOTED = production.ref;

const argoDist = (env: 'development' | 'staging' | 'production') => ({ name: `committed dist/argocd judged for ${env}`, env, objects: argoObjects, expect: {} });

/** The production Application of the committed Argo CD output. */
function productionApp(o: LoadedObject[]) {
  return find(o, 'Application', 'ctis-production');
}

function claim(name: string, annotations: Record<string, string>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: P, annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

const mounting = (claimName: string, wave: string | undefined, name = 'api'): Obj[] =>
  workload('api', {
    name,
    annotations: wave === undefined ? undefined : { [WAVE]: wave },
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  });

export const DELIVERY_RULE_CASES: Record<string, RuleCases> = {
  'namespace-deletion-protected': {
    valid: allDist(),
    invalid: [
      {
        name: 'the production Namespace without sync options',
        objects: mutate('production', (o) => {
          delete find(o, 'Namespace', P).metadata.annotations[OPTIONS];
        }),
        expect: {
          [`Namespace//${P}`]: [/^Namespace ctis-production can be deleted by Argo CD with every claim in it: a sync that no longer finds it in Git prunes it \(no Prune=false\) and deleting its Application deletes it \(no Delete=false\)$/],
        },
      },
      {
        name: 'Delete=confirm still deletes, after one confirmation',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'Namespace', S).metadata.annotations[OPTIONS] = 'Prune=false, Delete=confirm';
        }),
        expect: { [`Namespace//${S}`]: [/: deleting its Application deletes it \(no Delete=false\)$/] },
      },
    ],
  },

  'claim-deletion-protected': {
    valid: [...allDist(), { name: 'options in any order, with spaces and others', objects: () => load([claim('keys', { [OPTIONS]: 'ServerSideApply=true, Delete=false ,Prune=false' })]), expect: {} }],
    invalid: [
      {
        name: 'the Data Protection claim can be pruned',
        objects: mutate('production', (o) => {
          find(o, 'PersistentVolumeClaim', 'auth-server-data-protection').metadata.annotations[OPTIONS] = 'Delete=false';
        }),
        expect: { [`PersistentVolumeClaim/${P}/auth-server-data-protection`]: [/^claim auth-server-data-protection can be deleted by Argo CD: a sync that no longer finds it in Git prunes it \(no Prune=false\)$/] },
      },
      {
        name: 'the backup claim with only a sync wave',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'PersistentVolumeClaim', 'postgresql-backups').metadata.annotations = { [WAVE]: '2' };
        }),
        expect: { [`PersistentVolumeClaim/${S}/postgresql-backups`]: [/^claim postgresql-backups can be deleted by Argo CD: .*\(no Prune=false\) and .*\(no Delete=false\)$/] },
      },
      {
        name: 'a StatefulSet whose claim template is unprotected and whose claims are deleted with it',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const set = find(o, 'StatefulSet', 'postgresql');
          unset(set.spec.volumeClaimTemplates[0].metadata, 'annotations');
          set.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
          find(o, 'StatefulSet', 'redis').spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Delete';
        }),
        expect: {
          [`StatefulSet/${S}/postgresql`]: [
            /^claim template data: claims made from it can be deleted by Argo CD under label tracking: .*\(no Prune=false\) and .*\(no Delete=false\)$/,
            /^persistentVolumeClaimRetentionPolicy\.whenDeleted is Delete: deleting the StatefulSet .* deletes its claims and their data$/,
          ],
          [`StatefulSet/${S}/redis`]: [/^persistentVolumeClaimRetentionPolicy\.whenScaled is Delete: scaling it down deletes its claims/],
        },
        remediations: [[/whenScaled is Delete/, /spec\.persistentVolumeClaimRetentionPolicy\.whenScaled to Retain/]],
      },
    ],
  },

  'claim-sync-wave': {
    valid: [
      ...allDist(),
      { name: 'a claim nothing mounts', objects: () => load([claim('spare', { [WAVE]: '-5' })]), expect: {} },
      {
        name: 'the wave of the first of two consumers',
        objects: () => load([claim('shared', { [WAVE]: '1' }), ...mounting('shared', '1'), ...mounting('shared', '2', 'api-canary')]),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'the Data Protection claim one wave before auth-server (the stall under WaitForFirstConsumer)',
        objects: mutate('production', (o) => {
          find(o, 'PersistentVolumeClaim', 'auth-server-data-protection').metadata.annotations[WAVE] = '-1';
        }),
        expect: {
          [`PersistentVolumeClaim/${P}/auth-server-data-protection`]: [
            /^claim auth-server-data-protection is in sync wave -1, before its first consumer Rollout auth-server \(wave 0\): under a WaitForFirstConsumer storage class it stays Pending/,
          ],
        },
        remediations: [[/wave -1/, /to "0", the wave of Rollout auth-server/]],
      },
      {
        name: 'the backup claim before the CronJobs that mount it',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'PersistentVolumeClaim', 'postgresql-backups').metadata.annotations[WAVE] = '-1';
        }),
        expect: { [`PersistentVolumeClaim/${S}/postgresql-backups`]: [/^claim postgresql-backups is in sync wave -1, before its first consumer CronJob postgresql-\S+ \(wave 2\)/] },
      },
      {
        name: 'a claim after its consumer, one without a wave before it, and a wave that is no integer',
        objects: () =>
          withExtra(load([claim('late', { [WAVE]: '2' }), ...mounting('late', '1'), claim('early', {}), ...mounting('early', '3', 'api-b')]), [claim('odd', { [WAVE]: 'first' })]),
        expect: {
          [`PersistentVolumeClaim/${P}/late`]: [/^claim late is in sync wave 2, after its first consumer Deployment api \(wave 1\): its pods wait for a claim/],
          [`PersistentVolumeClaim/${P}/early`]: [/^claim early is in sync wave 0, before its first consumer Deployment api-b \(wave 3\)/],
          [`PersistentVolumeClaim/${P}/odd`]: [/^claim odd has sync wave "first", which is not an integer$/],
        },
      },
    ],
  },

  'argocd-immutable-revision': {
    valid: [
      argoDist('production'),
      argoDist('staging'),
      argoDist('development'),
      // Environments that follow a branch may: only promoted ones are judged.
      { name: 'staging on a branch', env: 'staging', objects: mutateArgo((o) => void (find(o, 'Application', 'ctis-staging').spec.source.targetRevision = 'release-1.8')), expect: {} },
      {
        name: 'a release tag that is the configured ref',
        config: { argocd: { ...production, ref: 'v1.9.0' } },
        objects: mutateArgo((o) => void (productionApp(o).spec.source.targetRevision = 'v1.9.0')),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'the production Application on main, and one without a revision',
        objects: mutateArgo((o) => {
          productionApp(o).spec.source.targetRevision = 'main';
          const copy = structuredClone(productionApp(o));
          copy.metadata.name = 'ctis-production-copy';
          unset(copy.spec.source, 'targetRevision');
          return withExtra(o, [copy]);
        }),
        expect: {
          'Application/argocd/ctis-production': [/^Application ctis-production of production syncs main, a moving ref: every merge would reach production without a promotion$/],
          'Application/argocd/ctis-production-copy': [/syncs HEAD \(the repository's default branch\), a moving ref/],
        },
        remediations: [[/syncs main/, /npm run promote -- --env production --to <release tag or commit>/]],
      },
      {
        name: 'a release tag that is not the promoted ref of the configuration',
        objects: mutateArgo((o) => void (productionApp(o).spec.source.targetRevision = 'v1.8.0')),
        expect: { 'Application/argocd/ctis-production': [new RegExp(`^Application ctis-production of production syncs v1\\.8\\.0, not the promoted ref ${PROMOTED} of config/production\\.yaml$`)] },
      },
      {
        name: 'an ApplicationSet template with a literal branch',
        objects: mutateArgo((o) => void (find(o, 'ApplicationSet', 'ctis').spec.template.spec.source.targetRevision = 'main')),
        expect: { 'ApplicationSet/argocd/ctis': [/^every Application this ApplicationSet generates, production's included, syncs main, not production's promoted ref/] },
      },
    ],
  },

  'argocd-sync-window': {
    valid: [argoDist('production'), argoDist('staging'), { name: 'only the project (the Application named by convention)', objects: () => argoObjects().filter((x) => x.object.kind === 'AppProject'), expect: {} }],
    invalid: [
      {
        name: "production's window is missing",
        objects: mutateArgo((o) => unset(find(o, 'AppProject', 'ctis').spec, 'syncWindows')),
        expect: { 'AppProject/argocd/ctis': [/^the production sync window "0 8 \* \* 1-4" for 8h \(UTC\) is not an allow window of this project for Application ctis-production: automated syncs could start outside it$/] },
      },
      {
        name: 'manual syncs blocked, and a wider window for every application',
        objects: mutateArgo((o) => {
          const windows = find(o, 'AppProject', 'ctis').spec.syncWindows;
          windows[0].manualSync = false;
          windows.push(given({ kind: 'allow', schedule: '* * * * *', duration: '1h', applications: ['*'] }));
          windows.push(given({ kind: 'deny', schedule: '0 0 * * *', duration: '1h', applications: ['*'] }));
        }),
        expect: {
          'AppProject/argocd/ctis': [
            /^sync window "0 8 \* \* 1-4" for 8h \(UTC\) of Application ctis-production blocks manual syncs outside it/,
            /^allow window "\* \* \* \* \*" for 1h \(UTC\) selects Application ctis-production but is not declared in config\/production\.yaml/,
          ],
        },
      },
      {
        name: 'a window selecting staging by namespace that staging does not declare',
        env: 'staging',
        objects: mutateArgo((o) => void find(o, 'AppProject', 'ctis').spec.syncWindows.push(given({ kind: 'allow', schedule: '0 1 * * *', duration: '2h', namespaces: [`${S.slice(0, 6)}*`], timeZone: 'Europe/Berlin' }))),
        expect: { 'AppProject/argocd/ctis': [/^allow window "0 1 \* \* \*" for 2h \(Europe\/Berlin\) selects Application ctis-staging but is not declared in config\/staging\.yaml/] },
      },
    ],
  },

  'argocd-parameter-file': {
    valid: [
      { ...argoDist('production'), documents: () => argoParameterFiles() },
      { ...argoDist('development'), name: 'a parameter file with a key the template does not use', documents: () => argoParameterFiles({ 'staging.yaml': '{"extra": 1}\n' }, true) },
    ],
    invalid: [
      {
        name: "staging's parameter file lost automated and destination.namespace; development's is a list",
        objects: () => argoObjects(),
        documents: () =>
          argoParameterFiles({
            'staging.yaml': 'repoURL: https://git.example/x.git\ntargetRevision: main\ndestination:\n  server: https://kubernetes.default.svc\nfinalizers: []\nignoreDifferences: []\n',
            'development.yaml': '- a\n- b\n',
          }),
        expect: {
          'file argocd/environments/staging.yaml': [/^parameter file of ApplicationSet ctis lacks destination\.namespace, automated, which its template uses: with missingkey=error Argo CD generates no Application from it$/],
          'file argocd/environments/development.yaml': [/^parameter file of ApplicationSet ctis is a sequence: the generator reads a mapping of parameters$/],
        },
      },
    ],
  },
};
