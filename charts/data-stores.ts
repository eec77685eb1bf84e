import { Construct } from 'constructs';
import type { InClusterStoreConfig } from '../src/config/schema';
import { InClusterDataStore, InClusterDataStoreProps } from '../src/constructs/data-store';
import { k8s } from '../src/constructs/k8s';
import { RunAsUser } from '../src/constructs/pod';
import { StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';

/** The database the in-cluster PostgreSQL creates and the applications and backups use. */
export const POSTGRES_DATABASE = 'ctis';

function exec(...command: string[]): k8s.Probe['exec'] {
  return { command };
}

/** What differs between the in-cluster stores. */
type StoreSpecifics = Pick<InClusterDataStoreProps, 'runAsUser' | 'dataPath' | 'container' | 'volumes'>;

/** The store `id` of a chart: named, labelled and served on its port (named like the store) as the topology says, on a ReadWriteOnce claim. */
function inClusterStore(chart: StackChart, id: string, config: InClusterStoreConfig, specifics: StoreSpecifics): InClusterDataStore {
  const ctx = chart.ctx;
  return new InClusterDataStore(chart, 'Store', {
    ...ctx.identity(id),
    config,
    storageClass: ctx.env.storage.readWriteOnceClass,
    port: { name: id, containerPort: ctx.component(id).servingPort },
    ...specifics,
  });
}

/** PostgreSQL in the cluster (development, and staging by choice). */
export class PostgresChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext, config: InClusterStoreConfig) {
    super(scope, 'postgresql', ctx);
    const id = 'postgresql';
    const port = ctx.component(id).servingPort;
    const ready = exec('sh', '-c', `pg_isready -h 127.0.0.1 -p ${port} -U "$POSTGRES_USER"`);
    inClusterStore(this, id, config, {
      runAsUser: RunAsUser.POSTGRES_ALPINE,
      dataPath: '/var/lib/postgresql/data',
      volumes: [{ name: 'run', emptyDir: {} }],
      container: {
        env: [
          secretEnv('POSTGRES_USER', SecretNames.POSTGRESQL_CREDENTIALS, 'username'),
          secretEnv('POSTGRES_PASSWORD', SecretNames.POSTGRESQL_CREDENTIALS, 'password'),
          { name: 'POSTGRES_DB', value: POSTGRES_DATABASE },
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        ],
        volumeMounts: [{ name: 'run', mountPath: '/var/run/postgresql' }],
        startupProbe: { exec: ready, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
        readinessProbe: { exec: ready, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('postgresql') }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 5 },
      },
    });
  }
}

/** Redis in the cluster, password-protected, append-only persistence on its claim. */
export class RedisChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext, config: InClusterStoreConfig) {
    super(scope, 'redis', ctx);
    const id = 'redis';
    const port = ctx.component(id).servingPort;
    const ping = exec('redis-cli', '-p', String(port), 'ping');
    inClusterStore(this, id, config, {
      runAsUser: RunAsUser.REDIS_ALPINE,
      dataPath: '/data',
      container: {
        // The password goes into a pod-local config file, never onto the command line where
        // every process in the pod could read it.
        command: ['sh', '-c'],
        args: [
          `umask 077 && printf 'requirepass "%s"\\n' "$REDIS_PASSWORD" > /tmp/redis.conf && ` +
            `exec redis-server /tmp/redis.conf --port ${port} --appendonly yes --dir /data --protected-mode yes`,
        ],
        env: [
          secretEnv('REDIS_PASSWORD', SecretNames.REDIS_CREDENTIALS, 'password'),
          secretEnv('REDISCLI_AUTH', SecretNames.REDIS_CREDENTIALS, 'password'),
        ],
        startupProbe: { exec: ping, periodSeconds: 5, failureThreshold: 30, timeoutSeconds: 3 },
        readinessProbe: { exec: ping, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 3 },
      },
    });
  }
}
