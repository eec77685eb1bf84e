import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesDoc } from '../../src/validator/docs';
import { allRules } from '../../src/validator/rules';

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
});
