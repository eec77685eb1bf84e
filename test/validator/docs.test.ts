import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesDoc } from '../../src/validator/docs';
import { allRules, RULE_REGISTRY } from '../../src/validator/rules';
import { PEER_TOOLS } from '../../src/validator/peer-checks';

const FILE = path.resolve(__dirname, '..', '..', 'docs', 'rules.md');

describe('docs/rules.md', () => {
  it('equals the documentation generated from the rule registry', () => {
    const expected = renderRulesDoc();
    if (process.env.UPDATE_DOCS) fs.writeFileSync(FILE, expected);
    const actual = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    if (actual !== expected) {
      fs.writeFileSync(`${FILE}.actual`, expected);
      throw new Error(`docs/rules.md is out of date (generated text written to docs/rules.md.actual). Regenerate: UPDATE_DOCS=1 npx jest test/validator/docs`);
    }
  });

  it('documents every rule with its anchor, severity and remediation', () => {
    const text = renderRulesDoc();
    for (const r of allRules()) {
      expect(text).toContain(`### ${r.id}\n`);
      expect(text).toContain(`](#${r.docsAnchor})`);
      expect(text).toContain(r.remediation);
    }
    expect(text).toContain('ctis.io/suppress.');
  });

  it('compares every check of kube-score, kube-linter and Polaris with rules that exist, and says why the others are left out', () => {
    expect(PEER_TOOLS.map((t) => t.name)).toEqual(['kube-score', 'kube-linter', 'Polaris']);
    for (const tool of PEER_TOOLS) {
      const ids = tool.checks.map((x) => x.id);
      expect({ tool: tool.name, duplicates: ids.filter((id, i) => ids.indexOf(id) !== i) }).toEqual({ tool: tool.name, duplicates: [] });
      for (const check of tool.checks) {
        for (const id of check.rules) expect({ check: `${tool.name} ${check.id}`, rule: id, registered: RULE_REGISTRY.has(id) }).toEqual({ check: `${tool.name} ${check.id}`, rule: id, registered: true });
        if (check.rules.length === 0) expect({ check: `${tool.name} ${check.id}`, why: (check.note ?? '').length > 20 }).toEqual({ check: `${tool.name} ${check.id}`, why: true });
      }
    }
    const text = renderRulesDoc();
    expect(text).toContain('## Compared with kube-score, kube-linter and Polaris');
    expect(text).toMatch(/^\| `container-image-pull-policy` \| not covered \| /m);
    expect(text).toMatch(/^\| `no-read-only-root-fs` \| \[`read-only-root-filesystem`\]\(#read-only-root-filesystem\) \| /m);
  });
});
