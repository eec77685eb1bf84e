import { expect } from '@jest/globals';
import { cronProblem, targetRevision } from '../../src/config/delivery';
import { parseEnvironment } from '../../src/config/load';
import { EnvironmentConfig, EnvironmentName } from '../../src/config/schema';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { copyOf, Doc, get, remove, set } from '../support/edit';
import { shippedEnv } from '../support/render';

/** Parses an edited copy of a shipped configuration. */
function parse(edit: (env: Doc) => void, name: EnvironmentName = 'production'): EnvironmentConfig {
  const env = copyOf(shippedEnv(name));
  edit(env);
  return parseEnvironment(env, `config/${name}.yaml`, name, CTIS_TOPOLOGY);
}

describe('how an environment receives changes', () => {
  test('shipped: development and staging follow main; production follows an immutable ref', () => {
    expect(shippedEnv('development').argocd).toMatchObject({ delivery: 'follow', branch: 'main' });
    expect(shippedEnv('staging').argocd).toMatchObject({ delivery: 'follow', branch: 'main' });
    const production = shippedEnv('production').argocd;
    expect(production).toMatchObject({ delivery: 'promoted', branch: 'main', ref: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(targetRevision(production)).toBe(production.delivery === 'promoted' ? production.ref : undefined);
    expect(targetRevision(shippedEnv('staging').argocd)).toBe('main');
  });

  test.each([
    ['production following a branch', (e: Doc) => { set(e, 'argocd.delivery', 'follow'); remove(e, 'argocd.ref'); }, /field argocd\.delivery: must be "promoted" in production: production follows an immutable ref .* never the branch main/],
    ['a branch as the promoted ref', (e: Doc) => set(e, 'argocd.ref', 'main'), /field argocd\.ref: must be an immutable ref: a release tag \(v1\.2\.3\) or a full 40-hex commit SHA, never a branch/],
    ['an abbreviated SHA', (e: Doc) => set(e, 'argocd.ref', '27c0e94'), /field argocd\.ref: must be an immutable ref/],
    ['no ref', (e: Doc) => remove(e, 'argocd.ref'), /field argocd\.ref: is required with delivery: promoted/],
    ['an unknown delivery', (e: Doc) => set(e, 'argocd.delivery', 'manual'), /field argocd\.delivery: must be "follow" \(every commit merged on the branch\) or "promoted"/],
    ['a ref on an environment that follows a branch', (e: Doc) => set(e, 'argocd.delivery', 'follow'), /field argocd\.ref: is read only with delivery: promoted \(with delivery: follow the environment syncs its branch\)/],
    ['a branch name git refuses', (e: Doc) => set(e, 'argocd.branch', 'release..1'), /field argocd\.branch: must be a git branch name/],
    ['automated production sync without a window', (e: Doc) => set(e, 'argocd.syncWindows', []), /field argocd\.syncWindows: must declare at least one window in production with automatedSync/],
    ['a schedule with an hour out of range', (e: Doc) => set(e, 'argocd.syncWindows.0.schedule', '0 24 * * 1-4'), /field argocd\.syncWindows\.0\.schedule: hour 24 is outside 0-23/],
    ['a schedule with four fields', (e: Doc) => set(e, 'argocd.syncWindows.0.schedule', '0 8 * *'), /field argocd\.syncWindows\.0\.schedule: must have 5 fields/],
    ['a duration in words', (e: Doc) => set(e, 'argocd.syncWindows.0.duration', '8 hours'), /field argocd\.syncWindows\.0\.duration: must be a duration in hours and minutes/],
    ['an empty window', (e: Doc) => set(e, 'argocd.syncWindows.0.duration', '0h0m'), /field argocd\.syncWindows\.0\.duration: must be longer than zero/],
    ['an unknown time zone', (e: Doc) => set(e, 'argocd.syncWindows.0.timeZone', 'Mars/Olympus'), /field argocd\.syncWindows\.0\.timeZone: must be an IANA time zone/],
  ])('%s is refused with the field named', (_name, edit, message) => {
    expect(() => parse(edit)).toThrow(message);
  });

  test('production may sync by hand without windows; a release tag is an immutable ref', () => {
    expect(parse((e) => Object.assign(get(e, 'argocd') as object, { automatedSync: false, syncWindows: [], ref: 'v1.9.0-rc.1' })).argocd).toMatchObject({ ref: 'v1.9.0-rc.1', syncWindows: [] });
  });

  test('a window without a time zone is in UTC', () => {
    expect(parse((e) => remove(e, 'argocd.syncWindows.0.timeZone')).argocd.syncWindows[0].timeZone).toBe('UTC');
  });

  test('staging may declare windows and follow another branch', () => {
    const staging = parse((e) => Object.assign(get(e, 'argocd') as object, { branch: 'release/1.9', syncWindows: [{ schedule: '0 6 * * MON-FRI', duration: '12h', timeZone: 'Europe/Berlin' }] }), 'staging');
    expect(targetRevision(staging.argocd)).toBe('release/1.9');
  });
});

describe('cron schedules of sync windows', () => {
  test.each(['0 8 * * 1-4', '*/15 * * * *', '30 7 1,15 JAN-MAR mon-fri', '0 22 * * 0', '0 0 ? * *'])('%s is valid', (s) => {
    expect(cronProblem(s)).toBeUndefined();
  });

  test.each([
    ['0 8 * * 7', /day of week 7 is outside 0-6/],
    ['60 8 * * *', /minute 60 is outside 0-59/],
    ['0 8 0 * *', /day of month 0 is outside 1-31/],
    ['0 8 * 13 *', /month 13 is outside 1-12/],
    ['0 8 * * FOO', /day of week "FOO" is not a number or name/],
    ['0 8 * * 5-1', /range "5-1" runs backwards/],
    ['*/0 * * * *', /zero step/],
    ['@daily', /must have 5 fields/],
  ])('%s is refused: %s', (s, message) => {
    expect(cronProblem(s)).toMatch(message);
  });
});
