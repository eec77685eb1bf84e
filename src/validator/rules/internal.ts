import { defineRule } from '../rule';

/**
 * Reported by the engine when a rule fails on input it did not expect. It never runs by itself;
 * it is registered so that its id is documented and can appear in SARIF metadata.
 */
export const ruleFailed = defineRule({
  id: 'rule-failed',
  severity: 'error',
  runbookItem: 'Validator policy: never a stack trace',
  description: 'A rule could not check an object (unexpected structure); the object is reported instead of the validator crashing.',
  remediation: 'Check the object for malformed fields (schema-valid findings usually name them); if it is valid, report the message to the validator maintainers.',
  scope: { kinds: [] },
  check: () => [],
});
