import { expect } from '@jest/globals';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { runRules } from '../../src/validator/engine';
import { defineRule } from '../../src/validator/rule';
import { allRules, buildRegistry, RULE_REGISTRY } from '../../src/validator/rules';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIST, env, run } from './fixtures';
import { RULE_CASES, RuleCase } from './rule-table';

function actualFindings(id: string, c: RuleCase) {
  if (id === 'rule-failed') {
    const boom = defineRule({
      id: 'boom',
      severity: 'error',
      runbookItem: 'test',
      description: 'throws',
      remediation: 'none',
      scope: { kinds: ['ConfigMap'] },
      check: () => {
        throw new Error('kaboom');
      },
    });
    const objects = c.objects();
    const rules = c.expect && Object.keys(c.expect).length > 0 ? [boom] : allRules();
    return runRules(objects, { env: env(c.env ?? 'production'), topology: CTIS_TOPOLOGY }, rules, new Set(RULE_REGISTRY.keys())).findings.filter((f) => f.rule === id);
  }
  return run(c.objects(), [id], c.env ?? 'production', c.config, c.documents?.(), c.topology?.()).findings.filter((f) => f.rule === id);
}

function check(id: string, c: RuleCase): void {
  const findings = actualFindings(id, c);
  const byResource = new Map<string, string[]>();
  for (const f of findings) {
    expect(f.file).not.toBe('');
    expect(f.line).toBeGreaterThanOrEqual(1);
    const key = f.resource || `file ${f.file}`;
    byResource.set(key, [...(byResource.get(key) ?? []), f.message]);
    for (const [m, r] of c.remediations ?? []) if (m.test(f.message)) expect({ message: f.message, remediation: f.remediation }).toEqual({ message: f.message, remediation: expect.stringMatching(r) });
    for (const [m, text] of c.lines ?? []) {
      if (!m.test(f.message)) continue;
      const line = fs.readFileSync(path.join(DIST, c.env ?? 'production', f.file), 'utf8').split('\n')[f.line - 1];
      expect({ message: f.message, line }).toEqual({ message: f.message, line: expect.stringMatching(text) });
    }
    if (c.warnings) expect({ message: f.message, severity: f.severity }).toEqual({ message: f.message, severity: c.warnings.some((p) => p.test(f.message)) ? 'warning' : 'error' });
  }
  const describe = () => JSON.stringify(Object.fromEntries(byResource), null, 2);
  expect({ resources: [...byResource.keys()].sort(), actual: describe() }).toEqual({ resources: Object.keys(c.expect).sort(), actual: describe() });
  for (const [resource, patterns] of Object.entries(c.expect)) {
    const messages = byResource.get(resource) ?? [];
    if (messages.length !== patterns.length) throw new Error(`${resource}: expected ${patterns.length} findings, got ${messages.length}:\n${messages.join('\n')}`);
    const unmatched = messages.filter((m) => !patterns.some((p) => p.test(m)));
    const unused = patterns.filter((p) => !messages.some((m) => p.test(m)));
    if (unmatched.length > 0 || unused.length > 0) {
      throw new Error(`${resource}: findings ${JSON.stringify(unmatched)} match no pattern; patterns ${unused.join(', ')} match no finding`);
    }
  }
}

describe('rule registry', () => {
  it('has unique kebab-case ids and complete metadata', () => {
    const ids = allRules().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of allRules()) {
      expect(r.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      for (const field of [r.description, r.remediation, r.runbookItem, r.docsAnchor]) expect(field.trim().length).toBeGreaterThan(3);
      expect(['error', 'warning']).toContain(r.severity);
    }
  });

  it('refuses a duplicate id at start-up', () => {
    const r = allRules()[0];
    expect(() => buildRegistry([r, r])).toThrow(/registered twice/);
  });

  it('refuses a rule without remediation', () => {
    expect(() => buildRegistry([{ ...allRules()[0], remediation: ' ' }])).toThrow(/has no remediation/);
  });

  it('has a failing and a passing case for every rule, and no case for an unknown rule', () => {
    for (const r of allRules()) {
      const cases = RULE_CASES[r.id];
      expect({ rule: r.id, hasCases: cases !== undefined }).toEqual({ rule: r.id, hasCases: true });
      expect(cases.valid.length).toBeGreaterThan(0);
      expect(cases.invalid.length).toBeGreaterThan(0);
      for (const c of cases.invalid) expect(Object.keys(c.expect).length).toBeGreaterThan(0);
    }
    for (const id of Object.keys(RULE_CASES)) expect(RULE_REGISTRY.has(id)).toBe(true);
  });
});

for (const [id, cases] of Object.entries(RULE_CASES)) {
  describe(id, () => {
    for (const c of cases.valid) it(`passes: ${c.name}`, () => check(id, c));
    for (const c of cases.invalid) it(`fails: ${c.name}`, () => check(id, c));
  });
}
