import { PRODUCTION_DR_MINIMUMS } from './operations';
import type { EnvironmentConfig } from './schema';

/** Markers of the generated DR plan table in the README. */
export const DR_PLAN_START = '<!-- dr-plan:start (generated from config/*.yaml by src/config/dr-plan.ts; UPDATE_README=1 npx jest test/config/dr-plan) -->';
export const DR_PLAN_END = '<!-- dr-plan:end -->';

function minutes(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} d`;
  if (m % 60 === 0) return `${m / 60} h`;
  return `${m} min`;
}

/**
 * The disaster recovery plan as a Markdown table: per environment and data store, who backs it up
 * and how, the retention, point-in-time restore, and the RPO/RTO targets, with the production
 * minimum the configuration is checked against.
 */
export function drPlanTable(envs: readonly EnvironmentConfig[]): string {
  const rows = [
    '| environment | data store | backups | retention | point-in-time restore | RPO | RTO | production minimum |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const env of envs) {
    for (const kind of ['postgresql', 'redis'] as const) {
      const store = env.dataStores[kind];
      const min = PRODUCTION_DR_MINIMUMS[kind];
      const minimum = `retention ≥ ${min.retentionDays} d${min.pointInTimeRestore ? ', PITR' : ''}, RPO ≤ ${minutes(min.rpoMinutes)}, RTO ≤ ${minutes(min.rtoMinutes)}`;
      if (store.mode === 'managed') {
        const b = store.backup;
        rows.push(`| ${env.name} | ${kind} (managed, ${store.host}) | the provider's automated backups | ${b.retentionDays} d | ${b.pointInTimeRestore ? 'yes' : 'no'} | ${minutes(b.rpoMinutes)} | ${minutes(b.rtoMinutes)} | ${minimum} |`);
      } else if (store.backup) {
        const b = store.backup;
        rows.push(
          `| ${env.name} | ${kind} (in cluster) | nightly \`pg_dump\` (\`${b.schedule}\` UTC) to claim \`postgresql-backups\`, restore-checked (\`${b.restoreCheckSchedule}\`) | ${b.retentionDays} dumps | no | 1 d | ${minutes(b.rtoMinutes)} | applies to production only |`,
        );
      } else {
        rows.push(`| ${env.name} | ${kind} (in cluster) | none: cache and distributed state the applications rebuild | - | no | all data | restart | applies to production only |`);
      }
    }
  }
  return rows.join('\n');
}
