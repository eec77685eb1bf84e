/**
 * Every command reports bad usage the same way (exit 2): one line naming the problem, the
 * command's usage line, and the same pointer to its help; an unknown `--format` lists every
 * name the command accepts, aliases included. Topology and unforeseen errors read as one line
 * without internal prefixes.
 */
import { renderAllObjects } from '../../charts/app';
import { main as connectivity } from '../../src/cli/connectivity';
import { main as diff } from '../../src/cli/diff';
import { CliIo, unexpectedError } from '../../src/cli/kit';
import { main as promote } from '../../src/cli/promote';
import { main as synth } from '../../src/cli/synth';
import { main as validate } from '../../src/cli/validate';
import { FORMATTERS as CONNECTIVITY_FORMATS } from '../../src/connectivity';
import { FORMATTERS as REVIEW_FORMATS } from '../../src/review';
import type { StackRenderer } from '../../src/synth';
import { FORMATTERS as VALIDATOR_FORMATS } from '../../src/validator/format';
import { capture } from '../support/cli';

const COMMANDS: ReadonlyArray<readonly [string, (argv: readonly string[], io: CliIo) => number]> = [
  ['synth', (argv, io) => synth(argv, io, renderAllObjects)],
  ['validate', validate],
  ['connectivity', connectivity],
  ['diff', (argv, io) => diff(argv, io, renderAllObjects)],
  ['promote', (argv, io) => promote(argv, io, renderAllObjects)],
];

function run(command: (argv: readonly string[], io: CliIo) => number, ...argv: string[]) {
  const { io, out, err } = capture();
  const code = command(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n').split('\n') };
}

describe('bad usage reads the same in every command', () => {
  test.each(COMMANDS)('%s: an unknown option', (name, command) => {
    const r = run(command, '--bogus', 'dist/production');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toEqual([`${name}: unknown option '--bogus'`, expect.stringMatching(new RegExp(`^usage: npm run ${name} -- `)), `Try 'npm run ${name} -- --help' for every option.`]);
  });

  test.each([
    ['validate', validate, ['dist/production'], VALIDATOR_FORMATS.accepted(), 'text, txt, json, sarif or mermaid'],
    ['connectivity', connectivity, ['dist/production'], CONNECTIVITY_FORMATS.accepted(), 'txt, text, json, mermaid or dot'],
    ['diff', COMMANDS[3][1], [], REVIEW_FORMATS.accepted(), 'text, txt or markdown'],
    ['promote', COMMANDS[4][1], ['--env', 'production', '--to', 'v1.9.0'], REVIEW_FORMATS.accepted(), 'text, txt or markdown'],
  ] as const)('%s: an unknown --format lists every accepted name, aliases included', (name, command, argv, accepted, listed) => {
    expect(accepted).toEqual(expect.arrayContaining(['text', 'txt']));
    const r = run(command, ...argv, '--format', 'xml');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(`${name}: unknown --format "xml" (use ${listed})`);
    expect(r.err).toHaveLength(3);
  });
});

describe('errors of the sources read as one line naming what is wrong', () => {
  const broken: StackRenderer = (topology, envs) =>
    renderAllObjects({ ...topology, components: topology.components.map((c) => (c.id === 'api' ? { ...c, publicPaths: ['/api', 'hubs'] } : c)) }, envs);
  const TOPOLOGY = 'topology: component "api": public path "hubs" must start with "/"';

  test('diff: a topology the generator cannot render', () => {
    const r = run((argv, io) => diff(argv, io, broken), '--working-tree');
    expect(r).toEqual({ code: 2, out: '', err: [`diff: ${TOPOLOGY}`] });
  });

  test('diff: an unforeseen error is an internal error, its first line only', () => {
    const r = run(
      (argv, io) =>
        diff(argv, io, () => {
          throw new Error('renderer broke\n    at x (y.ts:1:1)');
        }),
      '--working-tree',
    );
    expect(r).toEqual({ code: 2, out: '', err: ['diff: internal error: renderer broke'] });
  });
});

describe('an unforeseen error, as every command words it', () => {
  test('a system error keeps Node\'s message with the path; anything else is an internal error, first line only', () => {
    const sys = Object.assign(new Error("EEXIST: file already exists, mkdir '/tmp/a'"), { code: 'EEXIST', syscall: 'mkdir', path: '/tmp/a' });
    expect(unexpectedError(sys)).toBe("EEXIST: file already exists, mkdir '/tmp/a'");
    expect(unexpectedError(new TypeError("Cannot read properties of undefined (reading 'spec')\n    at f (x.ts:1:1)"))).toBe("internal error: Cannot read properties of undefined (reading 'spec')");
    expect(unexpectedError('plain')).toBe('internal error: plain');
  });
});
