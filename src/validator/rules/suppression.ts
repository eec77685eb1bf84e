import { defineRule, RuleFinding } from '../rule';
import { suppressionsOf, SUPPRESS_PREFIX } from '../suppression';

/** A suppression must say why. */
export const suppressionNeedsReason = defineRule({
  id: 'suppression-needs-reason',
  severity: 'error',
  runbookItem: 'Validator policy: every exception is explained',
  description: `A suppression annotation (\`${SUPPRESS_PREFIX}<rule-id>\`) carries a non-empty reason; without one it suppresses nothing.`,
  remediation: `Write why the finding is acceptable as the annotation value, e.g. \`${SUPPRESS_PREFIX}image-pinned: "vendor image, digest pinned by admission policy"\`.`,
  scope: { kinds: ['*'] },
  check(o) {
    const out: RuleFinding[] = [];
    for (const s of suppressionsOf(o).values()) {
      if (s.reason === '') out.push({ message: `suppression of ${s.rule} has no reason`, path: ['metadata', 'annotations', s.annotation] });
    }
    return out;
  },
});

/** A suppression must name a rule that exists. */
export const suppressionUnknownRule = defineRule({
  id: 'suppression-unknown-rule',
  severity: 'warning',
  runbookItem: 'Validator policy: every exception is explained',
  description: 'A suppression annotation names an existing rule id (a typo would silently suppress nothing).',
  remediation: 'Correct the rule id after the prefix; `docs/rules.md` lists every id.',
  scope: { kinds: ['*'] },
  check(o, ctx) {
    const known = ctx.ruleIds;
    const out: RuleFinding[] = [];
    for (const s of suppressionsOf(o).values()) {
      if (!known.has(s.rule)) out.push({ message: `suppression names unknown rule "${s.rule}"`, path: ['metadata', 'annotations', s.annotation] });
    }
    return out;
  },
});
