/**
 * The YAML writer of the rendered output writes exactly what js-yaml's `dump` writes with the
 * same options: on every object the generator renders, and on generated data full of the
 * scalars YAML is picky about. Where it says a document reads back as the value written, the
 * validator's reader gives exactly that value.
 */
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { loadAllEnvironments } from '../../src/config/load';
import { renderAll, renderEnvironmentObjects } from '../../charts/app';
import { parseYamlDocuments } from '../../src/manifests';
import { DUMP_OPTIONS, dumpDocument, toYaml, writeYaml } from '../../src/synth/yaml-out';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';

const dump = (value: unknown) => yaml.dump(value, DUMP_OPTIONS);

/** Characters with a meaning somewhere in YAML, plus ordinary ones and non-ASCII. */
const TRICKY = [...'abcZ09 _-.:/#@&*!|>\'"%`,?[]{}=~<+\\\t\n\r', '\u0085', '\u00a0', '\ufeff', '\u2028', 'é', '✓', '😀', '\u0007'];
const WORDS = ['', 'true', 'False', 'yes', 'NO', 'on', 'null', '~', '<<', '-', '---', '...', '0x1F', '0o17', '017', '1_000', '1e3', '.5', '-.inf', '.NaN', '12:30:45', '2024-01-01', '2024-01-01T10:00:00Z', ' lead', 'trail ', 'a: b', 'a #b', '#c', '- x', 'key:', '"q"', "'q'", 'line\nline', 'line\n', '\n', 'x'.repeat(1100)];

const trickyString = fc.oneof(
  fc.constantFrom(...WORDS),
  // Words written plain without asking js-yaml, and the ones among them it quotes.
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_./-]{0,6}$/),
  fc.constantFrom('y', 'Y', 'N', 'n', 'Off', 'ON', 'NULL', 'TRUE', 'Yes', 'inf', 'NaN', 'e5', 'x:y', 'a#b', 'a b'),
  fc.array(fc.constantFrom(...TRICKY), { maxLength: 12 }).map((cs) => cs.join('')),
  // Lines whose style the writer decides from their first character and a few pairs.
  fc
    .tuple(fc.constantFrom(...'aZ/-?:,[]{}#&*!|=>\'"%@` .~<+0_($^;§é\u2028', 'yes', 'null', '<<'), fc.array(fc.constantFrom(...'aZ09 :#/"\\\'-,[{.§\t\u0085'), { maxLength: 8 }))
    .map(([first, rest]) => first + rest.join('')),
  fc.string({ maxLength: 12 }),
);

const scalarValue = fc.oneof(
  trickyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 0.1, NaN, Infinity, -Infinity),
  fc.boolean(),
  fc.constant(null),
);

const { value, array, object } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarValue, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
}));

describe('the YAML writer', () => {
  const envs = loadAllEnvironments(CTIS_TOPOLOGY);

  it('writes every rendered object exactly as js-yaml does', () => {
    let objects = 0;
    for (const env of envs) {
      for (const [file, docs] of renderEnvironmentObjects(CTIS_TOPOLOGY, env)) {
        expect([file, toYaml(docs)]).toEqual([file, docs.map((d) => `---\n${dump(d)}`).join('')]);
        objects += docs.length;
      }
    }
    expect(objects).toBeGreaterThan(100);
    // The Argo CD files too, through the whole render.
    for (const [file, text] of renderAll(CTIS_TOPOLOGY, envs)) {
      const docs = yaml.loadAll(text);
      expect([file, text]).toEqual([file, docs.map((d) => `---\n${dump(d)}`).join('')]);
    }
  });

  it('writes generated data exactly as js-yaml does', () => {
    fc.assert(
      fc.property(value, value, (v, w) => {
        // A file at once (its new scalars are styled in one call), then one document.
        expect(toYaml([v, w])).toBe(`---\n${dump(v)}---\n${dump(w)}`);
        expect(dumpDocument(v)).toBe(dump(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes documents with multi-line strings, long keys, zeros of either sign and non-JSON values as js-yaml does', () => {
    class Point {
      constructor(readonly x = 1) {}
    }
    for (const v of [
      { data: { 'nginx.conf': 'server {\n  listen 80;\n}\n' }, spec: [{ script: '  indented\nsecond' }] },
      { ['k'.repeat(1100)]: 1 },
      { a: [0, -0, 0], b: -0 },
      [[[]], [{}], [[1, [2]]]],
      { when: new Date(Date.UTC(2024, 0, 1)), point: new Point(), bytes: Buffer.from('hi'), bare: Object.create(null) as object },
    ]) {
      expect(dumpDocument(v)).toBe(dump(v));
    }
  });

  it('says which documents read back exactly as written: plain data the writer wrote itself', () => {
    const read = (text: string) => parseYamlDocuments(text, 'file.yaml').map((d) => d.value);
    fc.assert(
      fc.property(fc.array(fc.oneof(object, array), { minLength: 1, maxLength: 3 }), (docs) => {
        const written = writeYaml(docs);
        expect(written.text).toBe(toYaml(docs));
        expect(written.values).toHaveLength(docs.length);
        const back = read(written.text);
        written.values.forEach((v, i) => {
          if (v !== undefined) {
            expect(v).toBe(docs[i]);
            expect(back[i]).toStrictEqual(v);
          }
        });
      }),
      { numRuns: 2000 },
    );
    const multiLineKey = { data: { 'a\nb': 'c' } };
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const plain = { a: [1, -0, 0.5, NaN, 'x y', 'true', null, { b: '' }], script: { run: 'a\n  b\n\nc\n' } };
    expect(writeYaml([multiLineKey, bare, plain, { when: new Date(0) }]).values).toEqual([undefined, undefined, plain, undefined]);
    expect(read(writeYaml([plain]).text)).toStrictEqual([plain]);
  });

  it('fails like js-yaml on what YAML cannot hold', () => {
    expect(() => dumpDocument({ f: () => 1 })).toThrow(/unacceptable kind of an object to dump/);
  });
});
