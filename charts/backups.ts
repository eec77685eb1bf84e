import { Construct } from 'constructs';
import type { InClusterBackupConfig } from '../src/config/operations';
import type { InClusterStoreConfig } from '../src/config/schema';
import { NEVER_PRUNE, SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import { k8s } from '../src/constructs/k8s';
import { ContainerOptions, podTemplate, RunAsUser } from '../src/constructs/pod';
import { StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';
import { POSTGRES_DATABASE } from './data-stores';

/** The retained claim the nightly dumps are written to (and the restore check reads). */
export const BACKUP_CLAIM = 'postgresql-backups';
const BACKUP_DIR = '/backups';
const SCRATCH_DIR = '/var/lib/postgresql/scratch';

/**
 * Nightly `pg_dump --format=custom` into `ctis-<UTC timestamp>.dump` with a SHA-256 beside it,
 * written under a temporary name and renamed when complete; then only the newest
 * `BACKUP_RETENTION` dumps are kept.
 */
const BACKUP_SCRIPT = `set -eu
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="ctis-$stamp.dump"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --file="$partial"
sum=$(sha256sum "$partial" | cut -d' ' -f1)
mv "$partial" "$BACKUP_DIR/$name"
echo "$sum  $name" > "$BACKUP_DIR/$name.sha256"
ls -1 "$BACKUP_DIR" | grep -E '^ctis-[0-9]{8}T[0-9]{6}Z\\.dump$' | sort -r | tail -n +$((BACKUP_RETENTION + 1)) | while read -r old; do
  rm -f "$BACKUP_DIR/$old" "$BACKUP_DIR/$old.sha256"
done
echo "backup: $name written ($(du -h "$BACKUP_DIR/$name" | cut -f1)); $(ls -1 "$BACKUP_DIR" | grep -cE '^ctis-[0-9]{8}T[0-9]{6}Z\\.dump$') dumps kept"
`;

/**
 * Restores the newest dump into a scratch PostgreSQL started inside the pod (Unix socket only,
 * data on an emptyDir), after checking its age and checksum, and reads every restored table.
 * It never connects to the live server.
 */
const RESTORE_CHECK_SCRIPT = `set -eu
latest=$(ls -1 "$BACKUP_DIR" | grep -E '^ctis-[0-9]{8}T[0-9]{6}Z\\.dump$' | sort | tail -n 1 || true)
[ -n "$latest" ] || { echo "restore check: no dump in $BACKUP_DIR" >&2; exit 1; }
age=$(( $(date +%s) - $(stat -c %Y "$BACKUP_DIR/$latest") ))
[ "$age" -le $((MAX_AGE_HOURS * 3600)) ] || { echo "restore check: $latest is $((age / 3600))h old (limit \${MAX_AGE_HOURS}h)" >&2; exit 1; }
(cd "$BACKUP_DIR" && sha256sum -c "$latest.sha256")
export PGDATA="$SCRATCH_DIR/pgdata" PGHOST="$SCRATCH_DIR" PGUSER=restore_check
initdb --username=restore_check --auth=trust --no-sync >/dev/null
pg_ctl start -w -l "$SCRATCH_DIR/server.log" -o "-c listen_addresses='' -c unix_socket_directories=$SCRATCH_DIR -c fsync=off" >/dev/null
trap 'pg_ctl stop -m fast >/dev/null || true' EXIT
createdb --maintenance-db=postgres restore_check
pg_restore --no-owner --no-acl --exit-on-error --dbname=restore_check "$BACKUP_DIR/$latest"
tables=$(psql -d restore_check -Atc "select count(*) from pg_catalog.pg_tables where schemaname not in ('pg_catalog', 'information_schema')")
[ "$tables" -ge 1 ] || { echo "restore check: $latest restored no table" >&2; exit 1; }
psql -d restore_check -At -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
select format('select count(*) from %I.%I', schemaname, tablename) from pg_catalog.pg_tables where schemaname not in ('pg_catalog', 'information_schema') \\gexec
SQL
echo "restore check: $latest ($((age / 3600))h old) restored into a scratch database; $tables tables read"
`;

/**
 * Backups of the in-cluster PostgreSQL: a retained claim, the nightly backup CronJob and the
 * nightly restore check, each pod restricted and with its own ServiceAccount (no token). The
 * backup reads with its own credentials (ExternalSecret `postgresql-backup-credentials`); the
 * restore check needs no credentials and no connection.
 */
export class BackupsChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext, store: InClusterStoreConfig, backup: InClusterBackupConfig) {
    super(scope, 'backups', ctx);
    const backupId = 'postgresql-backup';
    const checkId = 'postgresql-restore-check';
    ctx.task(backupId);
    ctx.task(checkId);
    const wave = syncWave(SyncWave.TASKS);

    new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: { name: BACKUP_CLAIM, labels: ctx.labels(backupId), annotations: { ...wave, ...NEVER_PRUNE } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: ctx.env.storage.readWriteOnceClass,
        resources: { requests: { storage: k8s.Quantity.fromString(backup.storage) } },
      },
    });

    const postgres = ctx.component('postgresql');
    this.cronJob(ctx, backupId, store, backup.schedule, {
      command: ['sh', '-c', BACKUP_SCRIPT],
      env: [
        { name: 'PGHOST', value: `postgresql.${ctx.namespace}.svc.cluster.local` },
        { name: 'PGPORT', value: String(postgres.servingPort) },
        { name: 'PGDATABASE', value: POSTGRES_DATABASE },
        secretEnv('PGUSER', SecretNames.POSTGRESQL_BACKUP_CREDENTIALS, 'username'),
        secretEnv('PGPASSWORD', SecretNames.POSTGRESQL_BACKUP_CREDENTIALS, 'password'),
        { name: 'BACKUP_DIR', value: BACKUP_DIR },
        { name: 'BACKUP_RETENTION', value: String(backup.retentionDays) },
      ],
      volumeMounts: [{ name: 'backups', mountPath: BACKUP_DIR }],
    }, [{ name: 'backups', persistentVolumeClaim: { claimName: BACKUP_CLAIM } }]);

    this.cronJob(ctx, checkId, store, backup.restoreCheckSchedule, {
      command: ['sh', '-c', RESTORE_CHECK_SCRIPT],
      env: [
        { name: 'BACKUP_DIR', value: BACKUP_DIR },
        { name: 'SCRATCH_DIR', value: SCRATCH_DIR },
        { name: 'MAX_AGE_HOURS', value: String(backup.maxAgeHours) },
      ],
      volumeMounts: [
        { name: 'backups', mountPath: BACKUP_DIR, readOnly: true },
        { name: 'scratch', mountPath: SCRATCH_DIR },
      ],
    }, [
      { name: 'backups', persistentVolumeClaim: { claimName: BACKUP_CLAIM, readOnly: true } },
      // A restore is at most as large as the database's own volume.
      { name: 'scratch', emptyDir: { sizeLimit: k8s.Quantity.fromString(store.storage) } },
    ]);
  }

  private cronJob(
    ctx: StackContext,
    id: string,
    store: InClusterStoreConfig,
    schedule: string,
    container: Pick<ContainerOptions, 'command' | 'env' | 'volumeMounts'>,
    volumes: k8s.Volume[],
  ): void {
    const meta = { name: id, labels: ctx.labels(id), annotations: syncWave(SyncWave.TASKS) };
    new k8s.KubeServiceAccount(this, `${id}-account`, { metadata: meta, automountServiceAccountToken: false });
    new k8s.KubeCronJob(this, id, {
      metadata: meta,
      spec: {
        schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: ctx.labels(id) },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3 * 3600,
            template: podTemplate({
              labels: ctx.labels(id),
              serviceAccountName: id,
              runAsUser: RunAsUser.POSTGRES_ALPINE,
              restartPolicy: 'Never',
              volumes,
              container: { ...container, name: id, image: store.image, resources: store.resources, ports: [] },
            }),
          },
        },
      },
    });
  }
}
