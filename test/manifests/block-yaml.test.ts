/**
 * The block reader must give exactly what js-yaml gives, or leave the document to js-yaml: on
 * every manifest of the project, on tricky documents written by hand, and on generated documents,
 * valid and broken.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as yaml from 'js-yaml';
import { readBlockYaml } from '../../src/manifests/block-yaml';
import { parseYamlDocuments, YAML_SCHEMA } from '../../src/manifests';

const ROOT = path.resolve(__dirname, '../..');

type JsYamlReading = { ok: true; value: unknown } | { ok: false };

function jsYaml(text: string): JsYamlReading {
  try {
    return { ok: true, value: yaml.load(text, { schema: YAML_SCHEMA }) };
  } catch {
    return { ok: false };
  }
}

/** The block reader's reading, checked against js-yaml's: the same value, or none at all. */
function agreed(text: string): unknown {
  const fast = readBlockYaml(text, YAML_SCHEMA);
  if (fast === undefined) return undefined;
  const ref = jsYaml(text);
  if (!ref.ok) throw new Error(`read a document js-yaml refuses:\n${text}`);
  if (!isDeepStrictEqual(fast, ref.value)) {
    throw new Error(`reads differently from js-yaml:\n${text}\nblock: ${JSON.stringify(fast)}\njs-yaml: ${JSON.stringify(ref.value)}`);
  }
  return fast;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Each document's text as the loader hands it to the reader. */
function documentsOf(file: string): string[] {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'), file).map((d) => d.text);
}

describe('the project\'s manifests', () => {
  test('every rendered document is read by the block reader, exactly as js-yaml reads it', () => {
    const files = yamlFiles(path.join(ROOT, 'dist'));
    expect(files.length).toBeGreaterThan(30);
    let documents = 0;
    for (const f of files) {
      for (const text of documentsOf(f)) {
        documents++;
        expect([path.relative(ROOT, f), agreed(text) !== undefined]).toEqual([path.relative(ROOT, f), true]);
      }
    }
    expect(documents).toBeGreaterThan(200);
  });

  test('every environment file is read by the block reader, exactly as js-yaml reads it with the core schema', () => {
    const files = fs.readdirSync(path.join(ROOT, 'config')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(3);
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, 'config', f), 'utf8');
      const fast = readBlockYaml(text, yaml.CORE_SCHEMA);
      expect([f, fast === undefined]).toEqual([f, false]);
      expect(fast).toStrictEqual(yaml.load(text, { schema: yaml.CORE_SCHEMA }));
    }
  });

  test('every YAML document of the tests, the configuration and the docs reads as js-yaml reads it, or is left to it', () => {
    let read = 0;
    for (const dir of ['test', 'config', 'docs', 'bench']) {
      const abs = path.join(ROOT, dir);
      if (!fs.existsSync(abs)) continue;
      for (const f of yamlFiles(abs)) {
        for (const text of fs.readFileSync(f, 'utf8').split(/^---$/m)) if (agreed(text) !== undefined) read++;
      }
    }
    expect(read).toBeGreaterThan(0);
  });
});

describe('documents written by hand', () => {
  test.each([
    ['nested mappings and sequences', 'a:\n  b:\n    - x\n    - y\n  c: 1\nd: [] \ne: {}\n'],
    ['sequences at their key\'s indentation', 'spec:\n  containers:\n  - name: a\n    args:\n    - --x\n    - "--y"\n  - name: b\nz: 1\n'],
    ['an entry that is a mapping on the following lines', 'items:\n-\n  a: 1\n  b: 2\n- c\n'],
    ['wide dash indentation', 'x:\n  -   a: 1\n      b: 2\n  -   c\n'],
    ['empty values', 'a:\nb:\n  c:\nd: 1\n'],
    ['quoted keys and values', '"a b": "x: y # z"\n\'c\': \'it\'\'s\'\n"e\\tf": "g\\u00e9\\"h\\\\"\nk: ""\n'],
    ['scalars js-yaml types', 'a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 1e3\nf: .inf\ng: -.Inf\nh: .NaN\ni: ~\nj: null\nk: True\nl: FALSE\nm: 0755\nn: 2024-01-01\no: +1\np: 1_000\nq: "1"\nr: =\ns: <<x\n'],
    ['words that stay strings in the core schema', 'a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: nullish\ng: Truth\nh: -x\ni: a#b\nj: http://x:80/y\nk: a:b\nl: x[0]{1},2\n'],
    ['comments everywhere they may stand', '# head\n---\na: 1 # one\n# between\nb:   # nothing\n  # inside\n  - x # ex\n  - "y" # why\nc: {} # empty\nd: | # text\n  t\n'],
    ['literal block scalars', 'a: |\n  line 1\n\n    indented\n  line 3\n\n\nb: |-\n  kept\n  together\nc:\n- |\n  in a list\n- x\n'],
    ['a literal block scalar starting with blank lines', 'a: |\n\n  text\nb: 1\n'],
    ['a literal block scalar at the end of the text', 'a: |-\n  last'],
    ['a sequence at the top', '- a\n- b: 1\n  c: 2\n-\n- - no\n'],
    ['document markers', '---\na: 1\n'],
    ['non-ASCII text', 'a: héllo wörld ✓\nb: "日本"\n'],
    ['long keys', `${'k'.repeat(1024)}: 1\n`],
    ['flow collections', 'a: {b: 1, c: [x]}\nd: [ "e", f ,g]\nh: {i: j: k}\nl: [m, {n: 1}]\no: {"p": q, \'r\': 0x1}\ns: [-1, +2, ~, null, .5]\nt: { u: "v" } # w\n'],
    ['prototype names as keys', 'constructor: 1\ntoString: 2\n'],
  ])('%s: read as js-yaml reads it, or left to js-yaml', (_name, text) => {
    agreed(text);
  });

  test.each([
    ['nested mappings and sequences', 'a:\n  b:\n    - x\n    - y\n  c: 1\nd: []\ne: {}\n'],
    ['sequences at their key\'s indentation', 'spec:\n  containers:\n  - name: a\n    args:\n    - --x\n  - name: b\nz: 1\n'],
    ['scalars js-yaml types', 'a: 1\nb: 0x1F\nc: ~\nd: True\ne: 0755\nf: 2024-01-01\ng: .inf\n'],
    ['quoted keys and values with escapes', '"a b": "x: y # z"\n\'c\': \'it\'\'s\'\nd: "\\u00e9\\"\\\\"\n'],
    ['comments', '# head\na: 1 # one\nb:   # nothing\n  - "y" # why\nc: {} # empty\n'],
    ['literal block scalars', 'a: |\n  line 1\n\n    indented\n\nb: |-\n  kept\nc: x\n'],
    ['flow collections of scalars', 'a: { b: 1, "c d": "e, f", g: x:y }\nh: [10.0.0.0/8, \'i\', https://j:3000]\nk:\n- { l: 2 } # m\n'],
  ])('%s: the block reader reads it', (_name, text) => {
    expect(agreed(text)).not.toBeUndefined();
  });

  test.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a merge key', 'a: &x {b: 1}\nc:\n  <<: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a nested flow collection', 'a: {b: [1]}\n'],
    ['a flow collection over two lines', 'a: [x,\n  y]\n'],
    ['a trailing comma', 'a: [x, ]\n'],
    ['a flow key without a space after its colon', 'a: {b:1}\n'],
    ['a flow entry without a value', 'a: {b: }\n'],
    ['a flow pair in a sequence', 'a: [b: 1]\n'],
    ['a flow collection at the top', '{a: 1}\n'],
    ['a comment inside a flow collection', 'a: [x #c\n  ]\n'],
    ['a folded block scalar', 'a: >\n  x\n  y\n'],
    ['a kept block scalar', 'a: |+\n  x\n\n'],
    ['an explicit block indentation', 'a: |2\n   x\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a multi-line quoted scalar', 'a: "x\n  y"\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['a carriage return', 'a: 1\r\nb: 2\r\n'],
    ['a complex key', '? a\n: 1\n'],
    ['a key js-yaml types', 'true: 1\n'],
    ['a numeric key', '1: a\n'],
    ['a __proto__ key', '__proto__: 1\n'],
    ['a value with a mapping indicator', 'a: b: c\n'],
    ['a value ending in a colon', 'a: b:\n'],
    ['a misindented key', 'a: 1\n b: 2\n'],
    ['a less indented sibling', 'a:\n    b: 1\n  c: 2\n'],
    ['an item after a key at the same indentation', 'a: 1\n- b\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a marker with content', '--- a: 1\n'],
    ['a scalar document', 'just text\n'],
    ['a value on the line after its key', 'a:\n  text\n'],
    ['an over-long key', `${'k'.repeat(1025)}: 1\n`],
    ['a byte order mark inside', 'a: \uFEFFb\n'],
    ['a non-printable character', 'a: b\u0007\n'],
    ['a comment without a space before it', 'a: "b"#c\n'],
    ['an empty document', '# nothing\n'],
  ])('%s: left to js-yaml', (_name, text) => {
    expect(readBlockYaml(text, YAML_SCHEMA)).toBeUndefined();
  });
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['name', 'app.kubernetes.io/name', 'a b', 'x:y', '-dash', 'true', 'null', '1', '0x1', 'é', '#hash', 'key #c', '"q"', "'s'", '', ' lead', 'trail ', '[a]', '__proto__', 'constructor', '<<', '?x', 'long'.repeat(300)];
const SCALARS: unknown[] = [
  'plain', 'two words', '', ' ', 'a: b', 'a #b', 'a#b', 'ends:', '-', '- x', '---', '...', '~', 'null', 'Null', 'true', 'yes', 'on', '1', '-1', '+1', '0x1F', '0o17', '0755',
  '1e3', '.5', '.inf', '.NaN', '2024-01-01', '=', '<<', '@at', '`tick', '%pct', '!bang', '&amp', '*star', '|pipe', '>gt', "it's", 'say "hi"', 'back\\slash', 'tab\there',
  'line\nbreak', 'trailing\n', '\nleading', 'é✓', 'nel\u0085', 'ls\u2028ps\u2029', 'nb\u00a0sp', '😀', 'x'.repeat(120), 0, 1, -1, 1.5, 1e21, -0, Infinity, NaN, true, false, null,
];

function value(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 3 || r < 0.45) return SCALARS[Math.floor(rnd() * SCALARS.length)];
  const n = Math.floor(rnd() * 4);
  if (r < 0.7) return Array.from({ length: n }, () => value(rnd, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = rnd() < 0.7 ? KEYS[Math.floor(rnd() * 3)] + String(i) : KEYS[Math.floor(rnd() * KEYS.length)];
    Object.defineProperty(out, k, { value: value(rnd, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One random change to a line of `text`: what a hand edit or a bad merge does. */
function broken(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const l = lines[i];
  const edits = [
    () => ` ${l}`,
    () => l.replace(/^ /, ''),
    () => `${l} # note`,
    () => `${l}:`,
    () => l.slice(0, Math.floor(rnd() * l.length)),
    () => `${l}\n${l}`,
    () => l.replace(': ', ':'),
    () => l.replace('- ', '-'),
    () => `  ${l}`,
    () => `${l}\n#`,
    () => l.replace(/"/, ''),
  ];
  lines[i] = edits[Math.floor(rnd() * edits.length)]();
  return lines.join('\n');
}

describe('generated documents', () => {
  test('what js-yaml writes, with any options, reads back as js-yaml reads it', () => {
    // BLOCK_YAML_CASES and BLOCK_YAML_SEED run more or other cases by hand.
    const rnd = random(Number(process.env.BLOCK_YAML_SEED ?? 20261129));
    let read = 0;
    const total = Number(process.env.BLOCK_YAML_CASES ?? 3000);
    for (let n = 0; n < total; n++) {
      const doc = { root: value(rnd, 0), [KEYS[n % 3]]: value(rnd, 1) };
      const text = yaml.dump(doc, {
        indent: 2 + Math.floor(rnd() * 3),
        noArrayIndent: rnd() < 0.5,
        lineWidth: rnd() < 0.7 ? -1 : 20,
        quotingType: rnd() < 0.5 ? '"' : "'",
        forceQuotes: rnd() < 0.15,
        flowLevel: rnd() < 0.3 ? Math.floor(rnd() * 4) : -1,
        noRefs: true,
      });
      if (agreed(text) !== undefined) read++;
      agreed(broken(text, rnd));
      agreed(broken(broken(text, rnd), rnd));
    }
    // The block reader must take most of them, or this test would prove little.
    expect(read).toBeGreaterThan(total / 3);
  });
});
