import type { V1Container } from '@kubernetes/client-node';
import { at, isRecord, list, type LoadedObject, str, text } from '../../manifests';
import { isKnownKind, kindStatus } from '../schema/check';
import { parameterFileOf } from '../k8s/applicationset';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';
import { ValidationContext } from '../context';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `prefix "${prefix}" is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `name "${name}" must be 1-63 alphanumerics, "-", "_" or "." starting and ending alphanumeric`;
  return undefined;
}

/** What is wrong with each label or annotation key and label value met so far in one validation (keys and values recur on every object). */
interface LabelChecks {
  /** {@link checkLabelKey} of each key. */
  readonly keys: Map<string, string | undefined>;
  /** Whether each label value is valid. */
  readonly values: Map<string, boolean>;
}

function labelChecks(ctx: ValidationContext): LabelChecks {
  return ctx.memo('schema:labels', () => ({ keys: new Map(), values: new Map() }));
}

function keyProblem(checks: LabelChecks, key: string): string | undefined {
  if (checks.keys.has(key)) return checks.keys.get(key);
  const bad = checkLabelKey(key);
  checks.keys.set(key, bad);
  return bad;
}

function validLabelValue(checks: LabelChecks, value: string): boolean {
  let ok = checks.values.get(value);
  if (ok === undefined) checks.values.set(value, (ok = value.length <= 63 && LABEL_VALUE.test(value)));
  return ok;
}

/** Duplicate `name`s (or another key) in a list, as the API server rejects them. */
function duplicates(items: unknown[], key: string): { value: string; index: number }[] {
  const seen = new Set<string>();
  const out: { value: string; index: number }[] = [];
  items.forEach((it, index) => {
    const v = isRecord(it) ? it[key] : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return;
    const s = String(v);
    if (seen.has(s)) out.push({ value: s, index });
    seen.add(s);
  });
  return out;
}

function podSpecDuplicates(ctx: ValidationContext, o: LoadedObject): RuleFinding[] {
  const t = ctx.pods.of(o);
  if (!t) return [];
  const out: RuleFinding[] = [];
  const specPath = [...t.path, 'spec'];
  const containerNames = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    (t.spec[field] ?? []).forEach((c: V1Container, i: number) => {
      if (typeof c.name !== 'string') return;
      if (containerNames.has(c.name)) out.push({ message: `container name "${c.name}" is used twice in the pod`, path: [...specPath, field, i, 'name'] });
      containerNames.add(c.name);
      for (const d of duplicates(list(c.volumeMounts), 'mountPath')) {
        out.push({ message: `container "${c.name}" mounts two volumes at ${d.value}`, path: [...specPath, field, i, 'volumeMounts', d.index] });
      }
      for (const d of duplicates(list(c.env), 'name')) {
        out.push({
          message: `container "${c.name}" defines environment variable ${d.value} twice (the last one wins)`,
          path: [...specPath, field, i, 'env', d.index],
          severity: 'warning',
        });
      }
    });
  }
  for (const d of duplicates(list(t.spec.volumes), 'name')) {
    out.push({ message: `volume name "${d.value}" is used twice in the pod`, path: [...specPath, 'volumes', d.index] });
  }
  return out;
}

/** SPEC §5 (manifests the cluster accepts): objects are valid for their apiVersion and kind. */
export const schemaValid = defineRule({
  id: 'schema-valid',
  severity: 'error',
  runbookItem: 'SPEC §5: manifests the cluster accepts',
  description:
    'Every object of a known kind matches the schema of its apiVersion: no unknown fields, the right types, required fields present, ' +
    'a valid name and labels, unique container, volume and mount names.',
  remediation: 'Fix the field named in the message (see `kubectl explain <kind>.<field>` or the CRD reference).',
  scope: { kinds: ['*'] },
  check(o, ctx) {
    const out: RuleFinding[] = ctx.schema.issues(o).map((i) => ({ message: i.message, path: i.path }));
    if (!isKnownKind(o.object.kind ?? '') || !kindStatus(o.object.kind ?? '', o.object.apiVersion ?? '').known) return out;
    const meta = o.object.metadata;
    const name = isRecord(meta) ? meta.name : undefined;
    if ((name === undefined || name === null || name === '') && !(isRecord(meta) && typeof meta.generateName === 'string')) {
      out.push({ message: 'metadata.name is required', path: ['metadata'] });
    } else if (typeof name === 'string' && (name.length > 253 || !DNS_SUBDOMAIN.test(name))) {
      out.push({ message: `metadata.name "${name}" is not a valid name (lower-case letters, digits, "-" and ".")`, path: ['metadata', 'name'] });
    }
    const checks = labelChecks(ctx);
    if (isRecord(meta) && isRecord(meta.labels)) {
      for (const [k, v] of Object.entries(meta.labels)) {
        const bad = keyProblem(checks, k);
        if (bad) out.push({ message: `label key "${k}": ${bad}`, path: ['metadata', 'labels', k] });
        if (typeof v === 'string' && !validLabelValue(checks, v)) {
          out.push({ message: `label ${k}: value "${v}" is not a valid label value (at most 63 alphanumerics, "-", "_", ".")`, path: ['metadata', 'labels', k] });
        }
      }
    }
    if (isRecord(meta) && isRecord(meta.annotations)) {
      for (const k of Object.keys(meta.annotations)) {
        const bad = keyProblem(checks, k);
        if (bad) out.push({ message: `annotation key "${k}": ${bad}`, path: ['metadata', 'annotations', k] });
      }
    }
    out.push(...podSpecDuplicates(ctx, o));
    if (o.object.kind === 'Service' && ctx.schema.readable(o, ['spec', 'ports'])) {
      const ports = list(at(o.object, ['spec', 'ports']));
      if (ports.length > 1) {
        ports.forEach((p: unknown, i: number) => {
          if (isRecord(p) && !str(p.name)) out.push({ message: `port ${text(p.port)} needs a name: a Service with several ports must name each`, path: ['spec', 'ports', i] });
        });
      }
      for (const d of duplicates(ports, 'name')) out.push({ message: `Service port name "${d.value}" is used twice`, path: ['spec', 'ports', d.index, 'name'] });
    }
    return out;
  },
});

/** Objects whose apiVersion is not (or no longer) served. */
export const apiVersionServed = defineRule({
  id: 'api-version-served',
  severity: 'error',
  runbookItem: 'SPEC §5: manifests the cluster accepts; SPEC §2 rule 5 (external-secrets.io/v1)',
  description: 'Known kinds use an apiVersion the cluster and operators still serve (e.g. external-secrets.io/v1, policy/v1, autoscaling/v2).',
  remediation: 'Move the object to the served apiVersion named in the message and adapt fields that changed between versions.',
  scope: { kinds: ['*'] },
  check(o) {
    const status = kindStatus(o.object.kind ?? '', o.object.apiVersion ?? '');
    if (status.known || status.reason === 'unknown-kind') return [];
    if (status.reason === 'removed') {
      return [{ message: `${o.object.kind} ${o.object.apiVersion} is no longer served: use ${status.replacement}`, path: ['apiVersion'] }];
    }
    return [{ message: `${o.object.kind} is not served as ${o.object.apiVersion} (served: ${status.served.join(', ')})`, path: ['apiVersion'] }];
  },
});

/** Kinds the validator has no schema for. */
export const unknownKind = defineRule({
  id: 'unknown-kind',
  severity: 'warning',
  runbookItem: 'SPEC §5: manifests the cluster accepts',
  description: 'Every object is of a kind the validator knows (core kinds and the CRDs the stack uses); others are not checked.',
  remediation: 'Check the kind and apiVersion for typos; if the kind is intended, review it by hand or suppress the warning with a reason.',
  scope: { kinds: ['*'] },
  check(o) {
    if (isKnownKind(o.object.kind ?? '')) return [];
    return [{ message: `unknown kind ${o.object.kind} (${o.object.apiVersion}): not validated`, path: ['kind'] }];
  },
});

/** The same object twice. */
export const duplicateObject = defineRule({
  id: 'duplicate-object',
  severity: 'error',
  runbookItem: 'SPEC §5: deterministic output',
  description: 'No two documents define the same kind, namespace and name (the later one would silently replace the earlier).',
  remediation: 'Remove or rename one of the two documents.',
  scope: { kinds: ['*'] },
  check(o, ctx) {
    const first = ctx.objects.duplicateOf(o);
    if (!first) return [];
    return [{ message: `${ctx.objects.keyOf(o)} is already defined at ${first.location.file}:${first.location.line}`, path: ['metadata', 'name'] }];
  },
});

/** Documents that are not Kubernetes objects (and are no parameter file of an ApplicationSet). */
export const kubernetesObject = defineEnvironmentRule({
  id: 'kubernetes-object',
  severity: 'error',
  runbookItem: 'SPEC §5: manifests the cluster accepts (Argo CD syncs every file of the directory)',
  description:
    'Every YAML or JSON document of the validated files is a Kubernetes object (a mapping with `apiVersion` and `kind`): Argo CD syncs a directory of plain manifests and fails on ' +
    'anything else (a `kustomization.yaml`, a Helm values file, a JSON array). The parameter files an ApplicationSet of the manifests reads with a git `files` generator are the exception.',
  remediation:
    'Move the file out of the synced directory, or turn it into a Kubernetes object; a kustomization or Helm chart belongs in a source Argo CD renders with Kustomize or Helm, not in a plain directory.',
  check(ctx) {
    return ctx.documents
      .filter((d) => !parameterFileOf(ctx, d))
      .map((d) => ({ document: d, message: `${d.reason}: this document is not a Kubernetes object, and Argo CD cannot sync it` }));
  },
});
