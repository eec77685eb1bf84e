import type { V1KeyToPath } from '@kubernetes/client-node';
import { at, entries, isRecord, KubeObject, list, type LoadedObject, record, str, stringMap, WORKLOAD_KIND_NAMES } from '../../manifests';
import type { PodTemplate, ValidationContext } from '../context';
import { defineRule, RuleFinding } from '../rule';

/** Annotation on a workload naming Secrets that exist before the deployment (comma-separated). */
export const PRE_PROVISIONED_ANNOTATION = 'ctis.io/pre-provisioned-secrets';

const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'token', 'credential', 'credentials', 'passphrase']);
const KEY_QUALIFIERS = new Set(['api', 'private', 'access', 'signing', 'encryption', 'client', 'secret', 'master', 'account', 'shared']);

/** Splits `InternalTokens__ApiKey` / `CLIENT_SECRET` / `apiKey` into lower-case words of the last segment. */
function lastSegmentWords(name: string): string[] {
  const segs = name.split(/__|:|\./).filter(Boolean);
  const last = segs[segs.length - 1] ?? name;
  return last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Whether a setting or data key names a secret (password, token, API key, connection string...). */
export function isSecretName(name: string): boolean {
  if (/^ConnectionStrings(__|:)/i.test(name) || /connection_?string/i.test(name)) return true;
  const words = lastSegmentWords(name);
  if (words.length === 0) return false;
  const lastWord = words[words.length - 1];
  if (SECRET_WORDS.has(lastWord)) return true;
  if (lastWord === 'apikey' || lastWord === 'privatekey') return true;
  if (lastWord === 'key' && words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 2])) return true;
  return false;
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Why a value looks like a secret, or undefined. */
export function secretValueReason(value: string): string | undefined {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return 'a PEM private key';
  // ADO.NET/Npgsql separate with `;`, StackExchange.Redis with `,` (`host:6380,password=...,ssl=True`).
  if (/(^|[;,])\s*(password|pwd)\s*=\s*[^;,\s]+/i.test(value)) return 'a connection string with a password';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i.test(value.trim())) return 'a URL with a password';
  if (/\bAKIA[0-9A-Z]{16}\b/.test(value)) return 'an AWS access key';
  if (/\bgh[pousr]_[A-Za-z0-9]{36,}\b/.test(value)) return 'a GitHub token';
  if (/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./.test(value)) return 'a JSON web token';
  if (/\b(sk_live|rk_live|xox[abprs])[-_][A-Za-z0-9-]{10,}/.test(value)) return 'an API token';
  if (/(^|\s)--requirepass\s+(?!\$\()\S+/.test(value)) return 'a password on the command line';
  return highEntropy(value) ? 'a long random-looking string' : undefined;
}

/**
 * Long random-looking tokens: 32+ characters without spaces or path/URL structure, at least three
 * character classes and high entropy. Hex strings (checksums, digests) and base64 of low entropy
 * do not qualify.
 */
function highEntropy(value: string): boolean {
  const v = value.trim();
  if (v.length < 32 || v.length > 4096 || /\s/.test(v)) return false;
  if (/^[0-9a-f]+$/i.test(v) || /^(sha256|sha512|md5):/i.test(v)) return false;
  if (/[/:@]/.test(v) && !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  return classes >= 3 && entropy(v) >= 4.2;
}

/** Annotations whose values are data, not configuration (checksums, client state). */
function exemptAnnotation(key: string): boolean {
  return /checksum|hash|digest/i.test(key) || key === 'kubectl.kubernetes.io/last-applied-configuration' || key.startsWith('ctis.io/suppress.');
}

/**
 * Annotation prefixes whose keys are configuration of known tools (ours, Argo CD, cert-manager,
 * External Secrets, Kubernetes itself): their names say nothing about a secret value.
 */
const TOOL_ANNOTATION_PREFIXES = ['ctis.io/', 'argocd.argoproj.io/', 'cert-manager.io/', 'acme.cert-manager.io/', 'external-secrets.io/', 'kubernetes.io/', 'kubectl.kubernetes.io/'];

/** A Secret named by reference (`name` or `namespace/name`), as ingress controllers' `*-secret` annotations take. */
const SECRET_REFERENCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Why an annotation's name says its value is a secret, or undefined. */
function secretAnnotationKeyReason(key: string, value: string): string | undefined {
  if (TOOL_ANNOTATION_PREFIXES.some((p) => key.startsWith(p))) return undefined;
  if (/^(true|false|yes|no|on|off|enabled|disabled|\d+)$/i.test(value.trim())) return undefined;
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (!isSecretName(name)) return undefined;
  // `auth-secret: basic-auth` names a Secret object; `db-password: hunter2` is the value itself.
  if (/secrets?$/i.test(name) && SECRET_REFERENCE.test(value.trim())) return undefined;
  return 'a secret-like name with a literal value';
}

/**
 * The name and value tests of one validation, each answered once per distinct name or value
 * (the same keys, annotations and settings recur on every component).
 */
class SecretTests {
  /** {@link isSecretName} of each name tested. */
  private readonly names = new Map<string, boolean>();
  /** {@link secretValueReason} of each value tested. */
  private readonly values = new Map<string, string | undefined>();
  /** Whether each annotation key tested is exempt ({@link exemptAnnotation}). */
  private readonly exempt = new Map<string, boolean>();

  isSecretName(name: string): boolean {
    let r = this.names.get(name);
    if (r === undefined) this.names.set(name, (r = isSecretName(name)));
    return r;
  }

  valueReason(value: string): string | undefined {
    if (this.values.has(value)) return this.values.get(value);
    const r = secretValueReason(value);
    this.values.set(value, r);
    return r;
  }

  isExemptAnnotation(key: string): boolean {
    let r = this.exempt.get(key);
    if (r === undefined) this.exempt.set(key, (r = exemptAnnotation(key)));
    return r;
  }
}

function secretTests(ctx: ValidationContext): SecretTests {
  return ctx.memo('secrets:tests', () => new SecretTests());
}

function annotationFindings(tests: SecretTests, annotations: unknown, path: (string | number)[]): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const [k, v] of entries(annotations)) {
    if (typeof v !== 'string' || v === '' || tests.isExemptAnnotation(k)) continue;
    const reason = tests.valueReason(v) ?? secretAnnotationKeyReason(k, v);
    if (reason) out.push({ message: `annotation ${k} holds ${reason}`, path: [...path, k] });
  }
  return out;
}

function containerFindings(tests: SecretTests, t: PodTemplate): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    (t.spec[field] ?? []).forEach((c, ci) => {
      const base = [...t.path, 'spec', field, ci];
      (c.env ?? []).forEach((e, ei) => {
        if (e.valueFrom !== undefined) return;
        const value = e.value ?? '';
        if (value === '' || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value)) return;
        const reason = tests.isSecretName(e.name) ? 'a secret-like name with a literal value' : tests.valueReason(value);
        if (reason) out.push({ message: `container ${c.name}: ${e.name} holds ${reason}; read it from a Secret (secretKeyRef)`, path: [...base, 'env', ei, 'value'] });
      });
      for (const field2 of ['command', 'args'] as const) {
        const words = c[field2] ?? [];
        words.forEach((a, ai) => {
          const prev = ai > 0 ? words[ai - 1] : undefined;
          const joined = prev !== undefined ? `${prev} ${a}` : a;
          const reason = tests.valueReason(joined) && !/^\$\(/.test(a) ? tests.valueReason(joined) : undefined;
          if (reason) out.push({ message: `container ${c.name}: ${field2}[${ai}] holds ${reason}`, path: [...base, field2, ai] });
        });
      }
    });
  }
  return out;
}

/** SPEC §2 rule 5: no literal secret values. */
export const secretLiteral = defineRule({
  id: 'secret-literal',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 5; runbook checklist "No real secrets in appsettings*.json", "ConnectionStrings injected via secret source"',
  description:
    'No secret value is written in the manifests: no literal env value for a secret-like name (password, secret, token, API key, connection string) or with a secret-like value ' +
    '(connection string with Password= after `;` or `,`, URL with credentials, PEM private key, long random token), none in ConfigMaps, none in annotations (by value, or by a secret-like annotation name ' +
    'outside the annotations of our tools), and no Secret objects with data.',
  remediation: 'Store the value in the secret manager, sync it with an ExternalSecret and reference it with valueFrom.secretKeyRef.',
  scope: { kinds: ['*'] },
  check(o, ctx) {
    const tests = secretTests(ctx);
    const out = annotationFindings(tests, o.object.metadata?.annotations, ['metadata', 'annotations']);
    const kind = o.object.kind;
    if (kind === 'Secret') {
      const keys = [...Object.keys(stringMap(at(o.object, ['data']))), ...Object.keys(stringMap(o.object.stringData))];
      if (keys.length > 0) out.push({ message: `Secret with literal data (${keys.join(', ')}) in the manifests; produce it with an ExternalSecret`, path: [at(o.object, ['data']) ? 'data' : 'stringData'] });
    } else if (kind === 'ConfigMap') {
      for (const [k, v] of Object.entries(stringMap(at(o.object, ['data'])))) {
        if (v === '') continue;
        const reason = tests.isSecretName(k) ? 'a secret-like key with a value' : tests.valueReason(v);
        if (reason) out.push({ message: `ConfigMap key ${k} holds ${reason}`, path: ['data', k] });
      }
    }
    const t = ctx.pods.of(o);
    if (t) {
      if (t.path.length > 0) out.push(...annotationFindings(tests, t.annotations, [...t.path, 'metadata', 'annotations']));
      out.push(...containerFindings(tests, t));
    }
    return out;
  },
});

/** A reference to a Secret (and, for secretKeyRef and volume items, one of its keys). */
interface SecretReference {
  readonly name: string;
  readonly path: (string | number)[];
  readonly what: string;
  /** The key read, when the reference names one (and is not optional). */
  readonly key?: string;
  readonly keyPath?: (string | number)[];
}

/** Secret names a pod references, with where. */
function referencedSecrets(t: PodTemplate): SecretReference[] {
  const out: SecretReference[] = [];
  const items = (source: { optional?: boolean; items?: V1KeyToPath[] } | undefined, name: string, path: (string | number)[], what: string) => {
    if (!source || source.optional === true) return;
    (source.items ?? []).forEach((item, ii) => out.push({ name, path, what, key: item.key, keyPath: [...path, 'items', ii, 'key'] }));
  };
  const spec = [...t.path, 'spec'];
  for (const field of ['initContainers', 'containers'] as const) {
    (t.spec[field] ?? []).forEach((c, ci) => {
      (c.env ?? []).forEach((e, ei) => {
        const ref = e.valueFrom?.secretKeyRef;
        const name = ref?.name;
        if (!ref || !name) return;
        const path = [...spec, field, ci, 'env', ei];
        const key = ref.optional === true ? undefined : ref.key;
        out.push({ name, path, what: `env ${e.name}`, ...(key !== undefined ? { key, keyPath: [...path, 'valueFrom', 'secretKeyRef', 'key'] } : {}) });
      });
      (c.envFrom ?? []).forEach((e, ei) => {
        const name = e.secretRef?.name;
        if (name) out.push({ name, path: [...spec, field, ci, 'envFrom', ei], what: 'envFrom' });
      });
    });
  }
  (t.spec.volumes ?? []).forEach((v, vi) => {
    const direct = v.secret?.secretName;
    const what = `volume ${v.name}`;
    if (direct) {
      out.push({ name: direct, path: [...spec, 'volumes', vi], what });
      items(v.secret, direct, [...spec, 'volumes', vi, 'secret'], what);
    }
    (v.projected?.sources ?? []).forEach((s, si) => {
      const name = s.secret?.name;
      if (!name) return;
      out.push({ name, path: [...spec, 'volumes', vi], what });
      items(s.secret, name, [...spec, 'volumes', vi, 'projected', 'sources', si, 'secret'], what);
    });
  });
  (t.spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (s.name) out.push({ name: s.name, path: [...spec, 'imagePullSecrets', i], what: 'imagePullSecrets' });
  });
  return out;
}

/** Keys cert-manager writes into a Certificate's Secret (plus its additional output formats and keystores). */
function certificateKeys(cert: KubeObject): string[] {
  const keys = ['tls.crt', 'tls.key', 'ca.crt'];
  for (const f of list(at(cert, ['spec', 'additionalOutputFormats']))) {
    if (isRecord(f) && f.type === 'CombinedPEM') keys.push('tls-combined.pem');
    if (isRecord(f) && f.type === 'DER') keys.push('key.der');
  }
  if (at(cert, ['spec', 'keystores', 'jks', 'create']) === true) keys.push('keystore.jks', 'truststore.jks');
  if (at(cert, ['spec', 'keystores', 'pkcs12', 'create']) === true) keys.push('keystore.p12', 'truststore.p12');
  return keys;
}

/**
 * Keys the producer writes into its Secret, or `undefined` when they cannot be known from the
 * manifests (an ExternalSecret with `dataFrom` or a template read from elsewhere).
 */
function producedKeys(producer: KubeObject): string[] | undefined {
  if (producer.kind === 'Certificate') return certificateKeys(producer);
  const spec = record(producer.spec);
  if (list(spec.dataFrom).length > 0) return undefined;
  const dataKeys = list(spec.data).flatMap((d) => (isRecord(d) && typeof d.secretKey === 'string' ? [d.secretKey] : []));
  const template = at(spec, ['target', 'template']);
  if (!isRecord(template)) return dataKeys;
  if (list(template.templateFrom).length > 0) return undefined;
  if (!isRecord(template.data) || Object.keys(template.data).length === 0) return dataKeys;
  const templated = Object.keys(template.data);
  return template.mergePolicy === 'Merge' ? [...templated, ...dataKeys] : templated;
}

function preProvisioned(ctx: ValidationContext, o: LoadedObject): Set<string> {
  const s = new Set<string>();
  const declared = stringMap(o.object.metadata?.annotations)[PRE_PROVISIONED_ANNOTATION];
  for (const n of (declared ?? '').split(',').map((x) => x.trim()).filter(Boolean)) s.add(n);
  if ('secretName' in ctx.env.edge.tls) s.add(ctx.env.edge.tls.secretName);
  return s;
}

/** SPEC §2 rule 5: every referenced Secret comes from an ExternalSecret (or cert-manager). */
export const secretSource = defineRule({
  id: 'secret-source',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 5; setup guide §7 "Store all secrets in Key Vault"',
  description:
    'Every Secret a pod references (env, envFrom, volumes, imagePullSecrets) is produced in the same namespace by an ExternalSecret (external-secrets.io/v1) ' +
    `or a cert-manager Certificate, or is declared pre-provisioned (annotation \`${PRE_PROVISIONED_ANNOTATION}\` on the workload, or the configured edge TLS secret); ` +
    'every key read through `secretKeyRef` or volume `items` is one the producer writes (`data[].secretKey` or template keys of an ExternalSecret, ' +
    'any key with `dataFrom`; `tls.crt`, `tls.key`, `ca.crt` of a Certificate); ' +
    "ExternalSecrets read from the environment's secret store.",
  remediation:
    `Add an ExternalSecret whose target is the Secret, or list the Secret in the workload's \`${PRE_PROVISIONED_ANNOTATION}\` annotation when it is provisioned outside GitOps; ` +
    "read only keys the producer writes (add the key to the ExternalSecret's spec.data, or fix the key name).",
  scope: { kinds: [...WORKLOAD_KIND_NAMES, 'ExternalSecret'] },
  check(o, ctx) {
    if (o.object.kind === 'ExternalSecret') {
      const out: RuleFinding[] = [];
      const ref = record(at(o.object, ['spec', 'secretStoreRef']));
      const store = ctx.env.secretStore;
      const kind = str(ref.kind) ?? 'SecretStore';
      if (str(ref.name) !== store.name || kind !== store.kind) {
        out.push({ message: `ExternalSecret reads from ${kind} ${str(ref.name) ?? '(none)'}, not the configured ${store.kind} ${store.name}`, path: ['spec', 'secretStoreRef'] });
      }
      list(at(o.object, ['spec', 'data'])).forEach((d, i) => {
        const key = str(at(d, ['remoteRef', 'key']));
        if (key !== undefined && !key.startsWith(`${store.keyPrefix}/`)) {
          out.push({ message: `remote key ${key} is outside the environment's prefix ${store.keyPrefix}/`, path: ['spec', 'data', i, 'remoteRef', 'key'], severity: 'warning' });
        }
      });
      return out;
    }
    const t = ctx.pods.of(o);
    if (!t) return [];
    const declared = preProvisioned(ctx, o);
    const out: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const r of referencedSecrets(t)) {
      if (declared.has(r.name)) continue;
      const producers = ctx.secrets.of(t.namespace, r.name);
      if (producers.length > 0) {
        if (r.key === undefined) continue;
        const written = producers.map((p) => producedKeys(p.object));
        if (written.some((k) => k === undefined || k.includes(r.key!))) continue;
        const by = producers.map((p) => `${p.object.kind} ${ctx.objects.nameOf(p)}`).join(' and ');
        const known = [...new Set(written.flatMap((k) => k ?? []))];
        out.push({
          message: `${r.what} reads key ${r.key} of Secret ${r.name}, which ${by} does not write (keys: ${known.join(', ') || 'none'})`,
          path: r.keyPath ?? r.path,
        });
        continue;
      }
      const key = `${r.name}|${r.what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const literal = ctx.objects.get('Secret', t.namespace, r.name) ? ' (a literal Secret object is not a secret source)' : '';
      out.push({ message: `${r.what} references Secret ${r.name}, which no ExternalSecret or Certificate in ${t.namespace} produces${literal}`, path: r.path });
    }
    return out;
  },
});
