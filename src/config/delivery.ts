import * as z from 'zod';
import { IMMUTABLE_HINT, immutableKind, isBranchName } from '../delivery/revision';
import type { ConfigIssue } from './runbook-checks';
import type { EnvironmentConfig } from './schema';

/**
 * The `argocd` block of an environment: where Argo CD reads the environment from, how the
 * environment receives changes, and when automated syncs may start.
 *
 * - `delivery: follow`: the environment syncs every commit of `branch` (development, staging).
 * - `delivery: promoted`: it syncs one immutable `ref` (a release tag or a 40-hex commit SHA),
 *   moved only by `npm run promote` (production).
 */

const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/**
 * Why a five-field cron schedule (as Argo CD's sync windows read it) is invalid, or undefined
 * when it is valid: `*`, numbers, ranges `a-b`, steps `/n`, lists `a,b`, month and weekday names.
 */
export function cronProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i];
    const value = (v: string): number | undefined => {
      const named = f.names?.indexOf(v.toUpperCase()) ?? -1;
      if (named >= 0) return named + f.min;
      return /^\d+$/.test(v) ? Number(v) : undefined;
    };
    for (const item of fields[i].split(',')) {
      const m = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${f.name} "${fields[i]}" is not a cron field`;
      if (m[2] !== undefined && Number(m[2]) === 0) return `${f.name} "${item}" has a zero step`;
      if (m[1] === '*' || m[1] === '?') continue;
      const bounds = m[1].split('-');
      const values: number[] = [];
      for (const text of bounds) {
        const v = value(text);
        if (v === undefined) return `${f.name} "${item}" is not a number or name`;
        if (v < f.min || v > f.max) return `${f.name} ${v} is outside ${f.min}-${f.max}`;
        values.push(v);
      }
      if (values.length === 2 && values[1] < values[0]) return `${f.name} range "${m[1]}" runs backwards`;
    }
  }
  return undefined;
}

function isTimeZone(name: string): boolean {
  // Every implementation supports UTC (ECMA-402); asking Intl first loads its time zone data.
  if (name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An `allow` window: automated syncs start only while one is open; manual syncs are always allowed. */
export const syncWindowSchema = z
  .object({
    /** Cron schedule of the window's opening, e.g. `0 8 * * 1-4` (08:00 Monday to Thursday). */
    schedule: z.string().superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** How long the window stays open, e.g. `8h` or `1h30m`. */
    duration: z.string().regex(/^(?=\d)(\d+h)?(\d+m)?$/, 'must be a duration in hours and minutes such as 8h or 1h30m').refine((d) => !/^(0+h)?(0+m)?$/.test(d), 'must be longer than zero'),
    /** IANA time zone of the schedule. @default UTC */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
  })
  .strict();
export type SyncWindowConfig = z.infer<typeof syncWindowSchema>;

const branch = z.string().refine(isBranchName, 'must be a git branch name such as main');
const immutableRef = z
  .string({ error: (issue) => (issue.input === undefined ? `is required with delivery: promoted: ${IMMUTABLE_HINT}` : undefined) })
  .refine((r) => immutableKind(r) !== undefined, `must be an immutable ref: ${IMMUTABLE_HINT}, never a branch`);

const common = {
  repoURL: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)/, 'must be an https://, ssh:// or git@ repository URL'),
  /** The branch changes are merged into; the ApplicationSet reads the environment folders and parameter files there. */
  branch,
  destinationServer: z.string().regex(/^https:\/\//, 'must be an https:// API server URL'),
  automatedSync: z.boolean(),
  selfHeal: z.boolean(),
  /** Allow windows for automated syncs. @default - none: automated syncs start at any time */
  syncWindows: z.array(syncWindowSchema).default([]),
};

export const argocdSchema = z.discriminatedUnion(
  'delivery',
  [
    z
      .object({
        ...common,
        delivery: z.literal('follow'),
        ref: z.undefined({ error: 'is read only with delivery: promoted (with delivery: follow the environment syncs its branch): remove it, or promote the environment' }).optional(),
      })
      .strict(),
    z.object({ ...common, delivery: z.literal('promoted'), ref: immutableRef }).strict(),
  ],
  { error: () => 'must be "follow" (every commit merged on the branch) or "promoted" (an immutable ref, moved by npm run promote)' },
);
export type ArgoCdConfig = z.infer<typeof argocdSchema>;

/** The revision Argo CD syncs the environment from: its branch, or its promoted ref. */
export function targetRevision(argocd: ArgoCdConfig): string {
  return argocd.delivery === 'promoted' ? argocd.ref : argocd.branch;
}

/** Runbook checks of the delivery settings (called from `runbookIssues`). */
export function deliveryIssues(env: EnvironmentConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const a = env.argocd;
  if (env.name === 'production' && a.delivery !== 'promoted') {
    issues.push({
      path: 'argocd.delivery',
      message: `must be "promoted" in production: production follows an immutable ref (${IMMUTABLE_HINT}), never the branch ${a.branch}; set ref and move it with npm run promote`,
    });
  }
  if (env.name === 'production' && a.automatedSync && a.syncWindows.length === 0) {
    issues.push({
      path: 'argocd.syncWindows',
      message: 'must declare at least one window in production with automatedSync: automated syncs would start at any hour',
    });
  }
  return issues;
}
