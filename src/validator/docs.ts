import { WORKLOAD_KIND_NAMES } from '../manifests';
import { isEnvironmentRule, isPodTemplateRule, Rule } from './rule';
import { RULE_REGISTRY } from './rules';
import { SUPPRESS_PREFIX } from './suppression';
import { PEER_TOOLS } from './peer-checks';
import { PRE_PROVISIONED_ANNOTATION } from './rules/secrets';

function scopeText(r: Rule): string {
  if (isEnvironmentRule(r)) return 'the whole environment (reported on an anchor object)';
  if (isPodTemplateRule(r)) return WORKLOAD_KIND_NAMES.join(', ');
  if (r.scope.kinds.includes('*')) return 'every object';
  if (r.scope.kinds.length === 0) return 'reported by the engine';
  return r.scope.kinds.join(', ');
}

/** The section comparing the rules with kube-score, kube-linter and Polaris (see `peer-checks.ts`). */
function peerComparison(): string[] {
  const out = [
    '## Compared with kube-score, kube-linter and Polaris',
    '',
    'Every check of these scanners, and the rules that cover it; a check without rules is left out on purpose, for the reason given.',
    'Maintained in `src/validator/peer-checks.ts` (a test keeps the rule ids in the registry).',
    '',
  ];
  for (const tool of PEER_TOOLS) {
    const covered = tool.checks.filter((x) => x.rules.length > 0).length;
    out.push(
      `### ${tool.name}`,
      '',
      `${covered} of ${tool.checks.length} checks covered (list: ${tool.source}).`,
      '',
      '| check | covered by | note |',
      '| --- | --- | --- |',
      ...tool.checks.map((x) => {
        const rules = x.rules.length > 0 ? x.rules.map((id) => `[\`${id}\`](#${RULE_REGISTRY.get(id)?.docsAnchor ?? id})`).join(', ') : 'not covered';
        return `| \`${x.id}\` | ${rules} | ${(x.note ?? '').replace(/\|/g, '\\|')} |`;
      }),
      '',
    );
  }
  out.push('## Rule reference', '');
  return out;
}

/**
 * Renders `docs/rules.md` from the registry. The committed file must equal this text; regenerate
 * with `UPDATE_DOCS=1 npx jest test/validator/docs`.
 */
export function renderRulesDoc(rules: readonly Rule[] = [...RULE_REGISTRY.values()]): string {
  const out: string[] = [];
  out.push(
    '# Validator rules',
    '',
    '<!-- Generated from src/validator/rules by src/validator/docs.ts; do not edit. Regenerate: UPDATE_DOCS=1 npx jest test/validator/docs -->',
    '',
    '`npm run validate -- <dir> [--env <name>] [--format text|json|sarif|mermaid]` checks manifests against the topology declared in',
    '`src/topology/` and `config/<env>.yaml` (a directory of Argo CD objects, `dist/argocd`, against every environment). Exit 0: no',
    'error finding; 1: error findings; 2: bad usage or input that cannot be read (with json and sarif, an error document on stdout too).',
    '',
    '## Output',
    '',
    '- `text`: findings grouped by rule; each location is the directory as you named it joined with the file (`dist/production/platform.yaml:7`).',
    '- `json`: `{"findings":[{"rule","severity","message","file","line","resource","remediation"}],"summary":{...}}`; `file` is relative to',
    '  the validated directory, which `summary.target` names as given on the command line; `resource` is empty for a document that is not',
    '  a Kubernetes object. The README lists every field.',
    '- `sarif`: SARIF 2.1.0; `artifactLocation.uri` is relative with `uriBaseId: "SRCROOT"`, and `run.originalUriBaseIds.SRCROOT` is the',
    '  validated directory as a `file://` URI (trailing slash).',
    '- `mermaid`: the allowed connections between components, the ingress controller, DNS, the declared pods of other namespaces (collector, Prometheus) and external ranges.',
    '',
    '## Suppressing a finding',
    '',
    `Annotate the object the finding is reported on with \`${SUPPRESS_PREFIX}<rule-id>\` and the reason as the value:`,
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    `    ${SUPPRESS_PREFIX}service-type: "temporary NodePort for the load test, removed by 2026-12-01"`,
    '```',
    '',
    'Suppressed findings are counted in the summary (and listed in text and SARIF output). A suppression with an empty reason',
    'suppresses nothing and is itself an error (`suppression-needs-reason`); one naming an unknown rule is a warning.',
    `Secrets provisioned outside GitOps are declared on the workload with \`${PRE_PROVISIONED_ANNOTATION}: "name-a, name-b"\`.`,
    '',
    '## Rules',
    '',
    '| id | severity | enforces |',
    '| --- | --- | --- |',
    ...rules.map((r) => `| [\`${r.id}\`](#${r.docsAnchor}) | ${r.severity} | ${r.runbookItem.replace(/\|/g, '\\|')} |`),
    '',
  );
  out.push(...peerComparison());
  for (const r of rules) {
    out.push(
      `### ${r.id}`,
      '',
      `- Severity: ${r.severity}`,
      `- Enforces: ${r.runbookItem}`,
      `- Checks: ${scopeText(r)}`,
      '',
      r.description,
      '',
      `**Remediation:** ${r.remediation}`,
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
