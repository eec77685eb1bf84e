import * as fs from 'node:fs';
import * as path from 'node:path';
import { DR_PLAN_END, DR_PLAN_START, drPlanTable } from '../../src/config/dr-plan';
import { ENVIRONMENTS, shippedEnv } from '../support/render';

const README = path.resolve(__dirname, '..', '..', 'README.md');

describe('the DR plan table in the README', () => {
  const table = drPlanTable(ENVIRONMENTS.map(shippedEnv));

  it('equals the table generated from the environment configuration', () => {
    const text = fs.readFileSync(README, 'utf8');
    const start = text.indexOf(DR_PLAN_START);
    const end = text.indexOf(DR_PLAN_END);
    expect([start >= 0, end > start]).toEqual([true, true]);
    const expected = `${text.slice(0, start + DR_PLAN_START.length)}\n${table}\n${text.slice(end)}`;
    if (process.env.UPDATE_README) fs.writeFileSync(README, expected);
    expect(text).toBe(expected);
  });

  it('states each store\'s retention, PITR and targets as configured', () => {
    const prod = shippedEnv('production');
    const pg = prod.dataStores.postgresql;
    if (pg.mode !== 'managed') throw new Error('production PostgreSQL is managed');
    expect(table).toContain(`| production | postgresql (managed, ${pg.host}) | the provider's automated backups | ${pg.backup.retentionDays} d | yes | 5 min | 1 h | retention ≥ 7 d, PITR, RPO ≤ 15 min, RTO ≤ 4 h |`);
    expect(table).toMatch(/\| staging \| postgresql \(in cluster\) \| nightly `pg_dump` \(`15 2 \* \* \*` UTC\) .* \| 14 dumps \| no \| 1 d \| 2 h \|/);
    expect(table).toMatch(/\| development \| redis \(in cluster\) \| none: cache and distributed state/);
    expect(table.split('\n')).toHaveLength(2 + ENVIRONMENTS.length * 2);
  });
});
