import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { Finding, SuppressedFinding } from '../engine';
import type { FormatContext, Formatter } from './types';

const TOOL_VERSION = '0.1.0';

/** The base finding locations are relative to: the validated directory (`run.originalUriBaseIds`). */
const BASE_ID = 'SRCROOT';

/**
 * SARIF 2.1.0: rule metadata in `tool.driver.rules`, one result per finding (suppressed ones marked).
 * Locations are relative to `%SRCROOT%`, which `run.originalUriBaseIds` maps to the validated
 * directory (a `file://` URI with a trailing slash).
 */
/** The tool and its rules, the same in every log. */
function tool(ctx: FormatContext): Run['tool'] {
  const descriptors: ReportingDescriptor[] = [...ctx.rules.values()].map((r) => ({
    id: r.id,
    name: r.id
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: r.description.split(/(?<=\.)\s/)[0] },
    fullDescription: { text: r.description },
    help: { text: `${r.remediation} (enforces ${r.runbookItem}; see docs/rules.md#${r.docsAnchor})`, markdown: `${r.remediation}\n\nEnforces ${r.runbookItem}. See [docs/rules.md#${r.docsAnchor}](docs/rules.md#${r.docsAnchor}).` },
    defaultConfiguration: { level: r.severity },
    properties: { runbookItem: r.runbookItem, docs: `docs/rules.md#${r.docsAnchor}` },
  }));
  return { driver: { name: 'ctis-validate', version: TOOL_VERSION, semanticVersion: TOOL_VERSION, rules: descriptors } };
}

function log(run: Run): string {
  const doc: Log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const sarifFormatter: Formatter = {
  name: 'sarif',
  format(report, ctx) {
    const base = report.baseDir !== undefined ? pathToFileURL(path.resolve(report.baseDir)).href.replace(/\/?$/, '/') : undefined;
    const index = new Map([...ctx.rules.keys()].map((id, i) => [id, i]));
    const result = (f: Finding | SuppressedFinding): Result => {
      const r: Result = {
        ruleId: f.rule,
        level: f.severity,
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: f.file.split('\\').join('/'), ...(base !== undefined ? { uriBaseId: BASE_ID } : {}) },
              ...(f.line >= 1 ? { region: { startLine: f.line } } : {}),
            },
            ...(f.resource ? { logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }] } : {}),
          },
        ],
      };
      const i = index.get(f.rule);
      if (i !== undefined) r.ruleIndex = i;
      const rule = ctx.rules.get(f.rule);
      if (rule && f.remediation !== rule.remediation) r.properties = { remediation: f.remediation };
      if ('reason' in f) r.suppressions = [{ kind: 'inSource', justification: f.reason }];
      return r;
    };
    return log({
      tool: tool(ctx),
      ...(base !== undefined ? { originalUriBaseIds: { [BASE_ID]: { uri: base, description: { text: 'The validated directory.' } } } } : {}),
      results: [...report.findings.map(result), ...report.suppressed.map(result)],
      properties: { summary: report.summary },
    });
  },
  /** A run without results whose invocation failed, with the reason as a tool notification (exit 2). */
  failure(failure, ctx) {
    const location = failure.file !== undefined
      ? [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(path.resolve(failure.file)).href }, ...(failure.line !== undefined ? { region: { startLine: failure.line } } : {}) } }]
      : undefined;
    return log({
      tool: tool(ctx),
      invocations: [
        {
          executionSuccessful: false,
          exitCode: 2,
          toolExecutionNotifications: [{ level: 'error', message: { text: failure.message }, descriptor: { id: `${failure.kind}-error` }, ...(location ? { locations: location } : {}) }],
        },
      ],
      results: [],
    });
  },
};
