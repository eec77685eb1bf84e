import { expect } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { RULE_REGISTRY, validateDirectory, validateObjects } from '../../src/validator';
import { FORMATTERS } from '../../src/validator/format';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { parseJsonReport, parseSarif } from '../support/reports';
import { CONFIG_DIR, distObjects, env, find, load, withExtra, workload } from './fixtures';

function report(graph = false) {
  const objects = withExtra(distObjects('production'), [
    ...workload('api', { name: 'debug', image: 'busybox', annotations: { 'ctis.io/suppress.image-pinned': 'debug shell, removed after the incident' } }),
    ...workload('frontend', { name: 'old-frontend', image: 'frontend:latest' }),
  ]);
  return validateObjects(objects, { env: env('production'), topology: CTIS_TOPOLOGY, graph });
}

function format(name: string, r = report(name === 'mermaid')) {
  return FORMATTERS.get(name)!.format(r, { rules: RULE_REGISTRY, target: 'dist/production' });
}

/** The official SARIF 2.1.0 schema (draft-04), adapted for Ajv's default draft. */
function sarifValidator() {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('output formats', () => {
  it('JSON has exactly findings and summary, with the documented finding fields', () => {
    const out = parseJsonReport(format('json'));
    expect(Object.keys(out).sort()).toEqual(['findings', 'summary']);
    expect(out.summary).toEqual(expect.objectContaining({ environment: 'production', suppressed: 1 }));
    expect(out.summary.errors).toBe(out.findings.filter((f: { severity: string }) => f.severity === 'error').length);
    expect(out.findings).toContainEqual(
      expect.objectContaining({ rule: 'image-pinned', severity: 'error', file: 'extra.yaml', resource: 'Deployment/ctis-production/old-frontend', message: 'image frontend:latest uses the latest tag' }),
    );
    for (const f of out.findings) {
      for (const k of ['rule', 'severity', 'message', 'file', 'line', 'resource']) expect(f).toHaveProperty(k);
      expect(typeof f.line).toBe('number');
    }
  });

  it('SARIF is valid against the official 2.1.0 schema and carries rule metadata and locations', () => {
    const text = format('sarif');
    const log = parseSarif(text);
    const validate = sarifValidator();
    const ok = validate(log);
    if (!ok) throw new Error(JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([...RULE_REGISTRY.keys()]);
    const rule = run.tool.driver.rules.find((r) => r.id === 'image-pinned');
    expect(rule).toEqual(
      expect.objectContaining({
        shortDescription: { text: expect.any(String) },
        fullDescription: { text: expect.any(String) },
        help: expect.objectContaining({ text: expect.stringContaining('docs/rules.md#image-pinned') }),
        defaultConfiguration: { level: 'error' },
      }),
    );
    const result = run.results.find((r) => r.message.text === 'image frontend:latest uses the latest tag');
    expect(result).toEqual(
      expect.objectContaining({ ruleId: 'image-pinned', level: 'error', locations: [expect.objectContaining({ physicalLocation: { artifactLocation: { uri: 'extra.yaml' }, region: { startLine: expect.any(Number) } } })] }),
    );
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions?.[0]).toEqual({ kind: 'inSource', justification: 'debug shell, removed after the incident' });
  });

  it('SARIF of a validated directory has locations relative to SRCROOT, the directory as a file URI', () => {
    const dir = path.join(__dirname, 'scenarios', 'production');
    const log = parseSarif(FORMATTERS.get('sarif')!.format(validateDirectory(dir, { env: 'production', configDir: CONFIG_DIR }), { rules: RULE_REGISTRY }));
    const validate = sarifValidator();
    if (!validate(log)) throw new Error(JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    expect(log.runs[0].originalUriBaseIds.SRCROOT.uri).toBe(`${pathToFileURL(dir).href}/`);
    for (const r of log.runs[0].results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      expect(loc.uriBaseId).toBe('SRCROOT');
      expect(fs.existsSync(new URL(loc.uri, log.runs[0].originalUriBaseIds.SRCROOT.uri))).toBe(true);
    }
  });

  it('SARIF stays valid with no findings', () => {
    const r = validateObjects(distObjects('staging'), { env: env('staging'), topology: CTIS_TOPOLOGY });
    expect(sarifValidator()(parseSarif(FORMATTERS.get('sarif')!.format(r, { rules: RULE_REGISTRY })))).toBe(true);
  });

  it('text groups findings by rule and lists suppressed findings with their reason', () => {
    const text = format('text');
    expect(text).toMatch(/^image-pinned \(1\) - SPEC §2 rule 15; environment configuration `images.requireDigest`\n {2}error {3}extra\.yaml:\d+ {2}Deployment\/ctis-production\/old-frontend {2}image frontend:latest uses the latest tag$/m);
    expect(text).toMatch(/^suppressed \(1\)\n {2}image-pinned extra\.yaml:\d+ {2}Deployment\/ctis-production\/debug .*\[reason: debug shell, removed after the incident\]$/m);
    expect(text).toMatch(/\d+ errors?, \d+ warnings?, 1 suppressed in \d+ objects from 11 files \(dist\/production, environment production\)\n$/);
  });

  it('text prints the fix of each case when a rule gives case-specific remediations', () => {
    const objects = distObjects('production').filter((x) => !(x.object.kind === 'HorizontalPodAutoscaler' && x.object.metadata?.name === 'frontend'));
    find(objects, 'Rollout', 'api').spec.replicas = 3;
    const r = validateObjects(objects, { env: env('production'), topology: CTIS_TOPOLOGY, rules: ['hpa-managed-replicas'] });
    const text = FORMATTERS.get('text')!.format(r, { rules: RULE_REGISTRY });
    const fixes = text.split('\n').filter((l) => l.startsWith('  fix: '));
    expect(fixes).toEqual([expect.stringMatching(/^ {2}fix: Delete spec\.replicas from the Rollout/), expect.stringMatching(/^ {2}fix: Add an autoscaling\/v2 HorizontalPodAutoscaler/)]);
    const log = parseSarif(FORMATTERS.get('sarif')!.format(r, { rules: RULE_REGISTRY }));
    expect(log.runs[0].results.map((x) => x.properties?.remediation as string | undefined)).toEqual([expect.stringMatching(/^Delete/), expect.stringMatching(/^Add/)]);
  });

  it('mermaid draws components, the ingress controller, DNS and external ranges, marking extra connections', () => {
    const text = format('mermaid');
    expect(text.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
    expect(text).toMatch(/\["api"\]/);
    expect(text).toMatch(/\{\{"ingress controller \(nginx-ingress\)"\}\}/);
    expect(text).toMatch(/\{\{"kube-dns \(kube-system\)"\}\}/);
    expect(text).toMatch(/\[\("managed-postgresql 10\.20\.8\.0-10\.20\.8\.255"\)\]/);
    // The extra Deployments carry the api/frontend labels, so those policies apply to them: what they may do is extra.
    expect(text).toMatch(/\["debug\[Deployment\]"\]/);
    expect(text).toMatch(/==>\|"EXTRA TCP 8443"\|/);
    expect(text).toMatch(/linkStyle \d+ stroke:#d33/);
  });

  it('mermaid of the committed dist has only declared edges', () => {
    const r = validateObjects(distObjects('development'), { env: env('development'), topology: CTIS_TOPOLOGY, graph: true });
    const text = FORMATTERS.get('mermaid')!.format(r, { rules: RULE_REGISTRY });
    expect(text).not.toMatch(/EXTRA|MISSING/);
    expect(r.graph!.edges.filter((e) => e.status !== 'ok')).toEqual([]);
    // 10 declared component edges (auth-server -> redis is off in development: 9), the backup to postgresql, 4 components to the
    // in-cluster collector, DNS for 8 workloads (6 components, 2 scheduled tasks), 3 from the edge.
    expect(r.graph!.edges).toHaveLength(9 + 1 + 4 + 8 + 3);
    expect(text).toMatch(/\{\{"otel-collector \(observability\)"\}\}/);
  });

  it.each(['text', 'json', 'sarif', 'mermaid'])('%s output of the production scenario matches its golden file', (name) => {
    const dir = path.join(__dirname, 'scenarios', 'production');
    const r = validateDirectory(dir, { env: 'production', configDir: CONFIG_DIR, graph: name === 'mermaid' });
    // Paths as named (text, summary.target) and the SARIF base URI depend on where the checkout is.
    const text = FORMATTERS.get(name)!
      .format(r, { rules: RULE_REGISTRY, target: dir })
      .split(pathToFileURL(dir).href)
      .join('file:///checkout/test/validator/scenarios/production')
      .split(dir)
      .join('scenarios/production');
    const golden = path.join(__dirname, 'golden', `production.${name === 'mermaid' ? 'mmd' : name === 'text' ? 'txt' : name}`);
    if (process.env.UPDATE_GOLDEN) {
      fs.mkdirSync(path.dirname(golden), { recursive: true });
      fs.writeFileSync(golden, text);
    }
    const expected = fs.existsSync(golden) ? fs.readFileSync(golden, 'utf8') : '';
    if (expected !== text) {
      fs.writeFileSync(`${golden}.actual`, text);
      throw new Error(`${golden} differs (actual output written beside it); update with UPDATE_GOLDEN=1 npx jest test/validator/format`);
    }
  });

  it('load keeps using real file names', () => {
    expect(load([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], 'cm.yaml')[0].location).toEqual({ file: 'cm.yaml', line: 2 });
  });

  it('writes a failure (exit 2) as a JSON document and as a valid SARIF log of a failed invocation', () => {
    const failure = { kind: 'input' as const, message: 'invalid YAML: bad indentation', file: 'dist/production/api.yaml', line: 7 };
    const json = JSON.parse(FORMATTERS.get('json')!.failure!(failure, { rules: RULE_REGISTRY })) as unknown;
    expect(json).toEqual({ error: failure, findings: [], summary: null });
    const log = parseSarif(FORMATTERS.get('sarif')!.failure!(failure, { rules: RULE_REGISTRY }));
    const validate = sarifValidator();
    if (!validate(log)) throw new Error(JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].invocations[0]).toEqual(
      expect.objectContaining({
        executionSuccessful: false,
        exitCode: 2,
        toolExecutionNotifications: [
          expect.objectContaining({ level: 'error', message: { text: failure.message }, locations: [{ physicalLocation: { artifactLocation: { uri: expect.stringMatching(/^file:\/\/.*\/dist\/production\/api\.yaml$/) as unknown as string }, region: { startLine: 7 } } }] }),
        ],
      }),
    );
    // Text and mermaid leave failures to stderr.
    expect('failure' in FORMATTERS.get('text')!).toBe(false);
    expect('failure' in FORMATTERS.get('mermaid')!).toBe(false);
  });
});
