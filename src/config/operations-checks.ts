import { Topology } from '../topology/model';
import { PRODUCTION_DR_MINIMUMS } from './operations';
import { isPrivateCidr } from './primitives';
import type { ConfigIssue } from './runbook-checks';
import type { EnvironmentConfig } from './schema';

/** Names the effective topology gives the egress it derives from these sections; external services may not take them. */
export const RESERVED_EGRESS_NAMES = ['otel-collector', 'object-storage'] as const;

/**
 * Runbook checks of the operations sections (setup guide: observability, backups and DR, storage):
 * telemetry and alerts outside development, backups of an in-cluster PostgreSQL, the providers'
 * backups of managed stores no weaker than production's minimums, object storage private in
 * production and used by application components only.
 */
export function operationsIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const isDev = env.name === 'development';
  const isProd = env.name === 'production';

  const t = env.telemetry;
  if (!t.enabled && !isDev) add('telemetry.enabled', `must be true in ${env.name} (setup guide: traces, metrics and logs for every component)`);
  if (t.enabled && t.collector.mode === 'external' && t.collector.cidr.endsWith('/0')) {
    add('telemetry.collector.cidr', "must not be the whole address space: name the collector's range");
  }
  if (!env.monitoring.enabled && isProd) add('monitoring.enabled', 'must be true in production (runbook checklist: monitoring dashboards and alerts configured)');

  for (const [kind, store] of Object.entries(env.dataStores)) {
    const at = `dataStores.${kind}.backup`;
    if (store.mode === 'in-cluster') {
      if (kind === 'postgresql' && !store.backup) add(at, 'is required for an in-cluster PostgreSQL (setup guide: nightly DB backups, verified)');
      if (kind === 'redis' && store.backup) add(at, 'is not supported for Redis: it holds cache and distributed state the applications rebuild');
      if (store.backup && store.backup.restoreCheckSchedule === store.backup.schedule) {
        add(`${at}.restoreCheckSchedule`, 'must differ from the backup schedule: the check restores the dump the backup has finished');
      }
      continue;
    }
    if (!isProd) continue;
    const min = PRODUCTION_DR_MINIMUMS[kind as keyof typeof PRODUCTION_DR_MINIMUMS];
    const b = store.backup;
    if (b.retentionDays < min.retentionDays) add(`${at}.retentionDays`, `must be at least ${min.retentionDays} in production, got ${b.retentionDays}`);
    if (min.pointInTimeRestore && !b.pointInTimeRestore) add(`${at}.pointInTimeRestore`, 'must be true in production (setup guide: PITR)');
    if (b.rpoMinutes > min.rpoMinutes) add(`${at}.rpoMinutes`, `must be at most ${min.rpoMinutes} in production, got ${b.rpoMinutes}`);
    if (b.rtoMinutes > min.rtoMinutes) add(`${at}.rtoMinutes`, `must be at most ${min.rtoMinutes} in production, got ${b.rtoMinutes}`);
  }

  const storage = env.objectStorage;
  if (storage) {
    if (storage.cidr.endsWith('/0')) add('objectStorage.cidr', "must not be the whole address space: name the endpoint's range");
    else if (isProd && !isPrivateCidr(storage.cidr)) {
      add('objectStorage.cidr', 'must lie inside a private range in production (a private endpoint): a public endpoint is refused');
    }
    storage.from.forEach((id, i) => {
      const c = topology.components.find((x) => x.id === id);
      if (!c) add(`objectStorage.from.${i}`, `names unknown component "${id}"`);
      else if (c.runtime !== 'dotnet' || c.dataStore) add(`objectStorage.from.${i}`, `${id} is not an ASP.NET application component (the frontend reaches files through api)`);
    });
    if (new Set(storage.from).size !== storage.from.length) add('objectStorage.from', 'names a component twice');
  }
  env.externalServices.forEach((svc, i) => {
    if ((RESERVED_EGRESS_NAMES as readonly string[]).includes(svc.name)) {
      add(`externalServices.${i}.name`, `"${svc.name}" is reserved: declare it under ${svc.name === 'object-storage' ? 'objectStorage' : 'telemetry.collector'}`);
    }
  });
  return issues;
}
