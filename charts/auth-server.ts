import { Construct } from 'constructs';
import { NEVER_PRUNE, SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import { k8s } from '../src/constructs/k8s';
import { concurrentPods } from '../src/config/strategy';
import { dotnetApp, corsSettings, StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';

/** Where auth-server keeps its ASP.NET Data Protection keys. */
export const DATA_PROTECTION_PATH = '/var/lib/ctis/data-protection-keys';

/**
 * auth-server: OIDC provider and admin APIs. Owns the Data Protection key claim, which is
 * ReadWriteMany whenever more than one pod can run (counting both colours of a blue-green release)
 * and is never pruned or deleted by a sync.
 */
export class AuthServerChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'auth-server', ctx);
    const id = 'auth-server';
    const env = ctx.env;
    // Both colours of a blue-green release mount the keys at the same time.
    const shared = concurrentPods(ctx.workload(id)) > 1;
    const claim = `${id}-data-protection`;
    new k8s.KubePersistentVolumeClaim(this, 'DataProtectionKeys', {
      metadata: {
        name: claim,
        labels: ctx.labels(id),
        // The wave of its only consumer, the auth-server Deployment: in an earlier wave a
        // WaitForFirstConsumer claim would stay Pending and the sync would never get there.
        annotations: { ...syncWave(SyncWave.APPS), ...NEVER_PRUNE },
      },
      spec: {
        accessModes: [shared ? 'ReadWriteMany' : 'ReadWriteOnce'],
        storageClassName: shared ? env.storage.readWriteManyClass : env.storage.readWriteOnceClass,
        resources: { requests: { storage: k8s.Quantity.fromString(env.storage.dataProtectionSize) } },
      },
    });
    const readOnly = env.features.dataProtectionReadOnly;
    const secrets = [secretEnv('ConnectionStrings__DefaultConnection', SecretNames.DATABASE, 'connection-string')];
    if (env.features.authServerRedis) secrets.push(secretEnv('ConnectionStrings__Redis', SecretNames.REDIS, 'connection-string'));
    dotnetApp(this, id, {
      settings: {
        AuthServer__Issuer: ctx.issuer,
        AuthServer__DataProtection__KeyPath: DATA_PROTECTION_PATH,
        AuthServer__DataProtection__ReadOnly: String(readOnly),
        Hangfire__Storage: env.features.hangfireStorage,
        RateLimiting__Enabled: 'true',
        Redis__Enabled: String(env.features.authServerRedis),
        ...corsSettings(ctx),
      },
      secretEnv: secrets,
      volumes: [{ name: 'data-protection-keys', persistentVolumeClaim: { claimName: claim, readOnly } }],
      volumeMounts: [{ name: 'data-protection-keys', mountPath: DATA_PROTECTION_PATH, readOnly }],
    });
  }
}
