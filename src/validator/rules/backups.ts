import { at, str, text } from '../../manifests';
import type { PodTemplate, ValidationContext } from '../context';
import { defineEnvironmentRule, RuleFinding } from '../rule';

/** Claims a pod template mounts, with whether the mount is read-only. */
function claimsOf(t: PodTemplate): Array<{ claim: string; readOnly: boolean }> {
  return (t.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [{ claim: v.persistentVolumeClaim.claimName, readOnly: v.persistentVolumeClaim.readOnly === true }] : []));
}

/** Once a day: `M H * * *` or a daily macro. */
function isDaily(schedule: string | undefined): boolean {
  if (!schedule) return false;
  return /^(@daily|@midnight)$/.test(schedule.trim()) || /^\d{1,2} \d{1,2} \* \* \*$/.test(schedule.trim());
}

function taskTemplates(ctx: ValidationContext, kind: 'backup' | 'restore-check', of: string): PodTemplate[] {
  return ctx.pods.all().filter((t) => t.namespace === ctx.namespace && t.kind === 'CronJob' && ctx.components.task(t.component)?.kind === kind && ctx.components.task(t.component)?.of === of);
}

/** Findings about one backup CronJob: its claim, credentials, schedule, retention and restore check. */
function checkBackup(ctx: ValidationContext, t: PodTemplate, checks: PodTemplate[]): RuleFinding[] {
  const out: RuleFinding[] = [];
  const on = t.owner;
  const store = ctx.env.dataStores.postgresql;
  const backup = store.mode === 'in-cluster' ? store.backup : undefined;
  if (!isDaily(str(at(on.object, ['spec', 'schedule'])))) out.push({ on, message: `${t.name} runs on "${text(at(on.object, ['spec', 'schedule']))}", not nightly`, path: ['spec', 'schedule'] });
  const claims = claimsOf(t).filter((c) => !c.readOnly);
  if (claims.length === 0) {
    out.push({ on, message: `${t.name} writes its dumps to no claim: they vanish with the pod (mount a retained PersistentVolumeClaim)`, path: [...t.path, 'spec', 'volumes'] });
  }
  for (const c of claims) {
    if (!ctx.objects.get('PersistentVolumeClaim', t.namespace, c.claim)) {
      out.push({ on, message: `${t.name} writes to claim ${c.claim}, which is not in the manifests`, path: [...t.path, 'spec', 'volumes'] });
      continue;
    }
    if (!checks.some((x) => claimsOf(x).some((y) => y.claim === c.claim))) {
      out.push({ on, message: `no restore check reads claim ${c.claim}: nobody proves the dumps restore` });
    }
  }
  const main = ctx.pods.mainContainer(t);
  const env = main?.container.env ?? [];
  const password = env.find((e) => e.name === 'PGPASSWORD');
  if (!password?.valueFrom?.secretKeyRef) {
    out.push({ on, message: `${t.name} does not read PGPASSWORD from a Secret (an ExternalSecret-backed credential)`, path: main ? [...t.path, 'spec', 'containers', main.index] : [...t.path] });
  }
  const retention = env.find((e) => e.name === 'BACKUP_RETENTION');
  if (!retention) out.push({ on, message: `${t.name} sets no BACKUP_RETENTION: dumps pile up until the claim is full` });
  else if (backup && String(retention.value) !== String(backup.retentionDays)) {
    out.push({ on, message: `${t.name} keeps ${String(retention.value)} dumps; dataStores.postgresql.backup.retentionDays is ${backup.retentionDays}` });
  }
  return out;
}

/** Setup guide "Backups and DR": nightly PostgreSQL backups to retained storage, restored and checked. */
export const postgresqlBackups = defineEnvironmentRule({
  id: 'postgresql-backups',
  severity: 'error',
  runbookItem: 'Setup guide "Backups and DR" (nightly DB backups), checklist "DB TLS and backups verified"; issue 17 backups',
  description:
    'Where PostgreSQL runs in the cluster, a nightly backup CronJob (task `postgresql-backup`) reads its password from a Secret and writes to a claim in the manifests ' +
    '(kept from prunes and deletions and in the wave of its first consumer: `claim-deletion-protected`, `claim-sync-wave`), keeps the configured number of dumps (`BACKUP_RETENTION`), ' +
    'and a restore-check CronJob reads the same claim.',
  remediation: 'Render the backup and restore-check CronJobs from dataStores.postgresql.backup (see README "Backups and disaster recovery").',
  check(ctx) {
    const pg = ctx.effective.components.find((c) => c.spec.dataStore === 'postgresql');
    if (!pg || !pg.inCluster) return [];
    const backups = taskTemplates(ctx, 'backup', pg.id);
    const checks = taskTemplates(ctx, 'restore-check', pg.id);
    if (backups.length === 0) {
      const anchor = ctx.pods.ofComponent(pg.id).find((t) => t.namespace === ctx.namespace)?.owner;
      return [{ ...(anchor ? { on: anchor } : {}), message: `${pg.id} runs in the cluster but no backup CronJob (app.kubernetes.io/name: postgresql-backup) dumps it` }];
    }
    return backups.flatMap((t) => checkBackup(ctx, t, checks));
  },
});
