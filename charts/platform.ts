import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecIssuerRef,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} from '../imports/certmanager-cert-manager.io';
import { NEVER_PRUNE, SyncWave, syncWave } from '../src/constructs/argocd-annotations';
import { k8s } from '../src/constructs/k8s';
import { SecretBinding } from '../src/constructs/secret-binding';
import { StackChart } from './component-chart';
import { SecretNames, StackContext } from './context';

/** Pod Security Admission: `restricted` enforced, audited and warned (SPEC §2 rule 14). */
export const POD_SECURITY_LABELS: Record<string, string> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

/** cert-manager renews the AppServer mTLS certificates this long before they expire (alerts fire when it has not). */
export const CERTIFICATE_RENEW_BEFORE_HOURS = 360;

/** The Certificates cert-manager issues for AppServer mTLS in this environment (none when they come from the secret store). */
export function certificateNames(ctx: StackContext): string[] {
  const mtls = ctx.env.features.appServerMtls;
  return mtls.enabled && mtls.certificates.source === 'cert-manager' ? [SecretNames.APP_SERVER_TLS, SecretNames.API_CLIENT_TLS] : [];
}

/**
 * The namespace (Pod Security labels; never pruned or deleted by Argo CD) and everything
 * shared: every Secret binding (ExternalSecrets, and cert-manager Certificates for AppServer
 * mTLS when configured).
 */
export class PlatformChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'platform', ctx);
    this.podSecurityNamespace();
    this.secretBindings();
    const mtls = ctx.env.features.appServerMtls;
    if (!mtls.enabled) return;
    const { certificates } = mtls;
    if (certificates.source === 'external-secret') this.mtlsSecretBindings();
    else this.mtlsCertificates({ name: certificates.issuerName, kind: certificates.issuerKind, group: 'cert-manager.io' });
  }

  /** The namespace: Pod Security labels, synced first and never pruned. */
  private podSecurityNamespace(): void {
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.ctx.namespace,
        labels: { ...this.ctx.platformLabels(), ...POD_SECURITY_LABELS },
        // Deleting the namespace would delete every claim in it: no sync or Application
        // deletion may do it.
        annotations: { ...syncWave(SyncWave.NAMESPACE), ...NEVER_PRUNE },
      },
    });
  }

  /** A Secret bound from the secret store: Secret key to store key. */
  private bind(name: string, keys: Record<string, string>, type?: string): void {
    new SecretBinding(this, name, this.ctx.env, { name, labels: this.ctx.platformLabels(), keys, type });
  }

  /** The Secrets every environment binds, and those of the in-cluster stores, backups and object storage it has. */
  private secretBindings(): void {
    const env = this.ctx.env;
    this.bind(SecretNames.DATABASE, { 'connection-string': 'database/connection-string' });
    this.bind(SecretNames.REDIS, { 'connection-string': 'redis/connection-string' });
    this.bind(SecretNames.INTERNAL_TOKENS, { 'api-key': 'internal-tokens/api-key' });
    this.bind(SecretNames.FRONTEND_OIDC, { 'client-secret': 'frontend/oidc-client-secret' });
    if (env.dataStores.postgresql.mode === 'in-cluster') {
      this.bind(SecretNames.POSTGRESQL_CREDENTIALS, { username: 'postgresql/username', password: 'postgresql/password' });
    }
    if (env.dataStores.redis.mode === 'in-cluster') {
      this.bind(SecretNames.REDIS_CREDENTIALS, { password: 'redis/password' });
    }
    if (this.ctx.effective.tasks.some((t) => t.spec.kind === 'backup' && t.spec.of === 'postgresql')) {
      // A role with pg_read_all_data (PostgreSQL 14+), not the server's superuser.
      this.bind(SecretNames.POSTGRESQL_BACKUP_CREDENTIALS, { username: 'postgresql/backup-username', password: 'postgresql/backup-password' });
    }
    if (env.objectStorage?.credentials.source === 'external-secret') {
      this.bind(SecretNames.OBJECT_STORAGE, { 'connection-string': 'object-storage/connection-string' });
    }
  }

  /** AppServer mTLS from the secret store: the server's and the api client's TLS Secrets. */
  private mtlsSecretBindings(): void {
    const tlsKeys = (prefix: string) => ({ 'tls.crt': `${prefix}/tls.crt`, 'tls.key': `${prefix}/tls.key`, 'ca.crt': `${prefix}/ca.crt` });
    this.bind(SecretNames.APP_SERVER_TLS, tlsKeys('app-server/tls'), 'kubernetes.io/tls');
    this.bind(SecretNames.API_CLIENT_TLS, tlsKeys('api/client-tls'), 'kubernetes.io/tls');
  }

  /** AppServer mTLS from cert-manager: the server's certificate (its Service names) and the api client's. */
  private mtlsCertificates(issuerRef: CertificateSpecIssuerRef): void {
    const ctx = this.ctx;
    const privateKey = { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS };
    const svc = `app-server.${ctx.namespace}.svc`;
    new Certificate(this, 'AppServerTls', {
      metadata: { name: SecretNames.APP_SERVER_TLS, labels: ctx.labels('app-server'), annotations: syncWave(SyncWave.BINDINGS) },
      spec: {
        secretName: SecretNames.APP_SERVER_TLS,
        commonName: svc,
        dnsNames: ['app-server', svc, `${svc}.cluster.local`],
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
        duration: '2160h0m0s',
        renewBefore: `${CERTIFICATE_RENEW_BEFORE_HOURS}h0m0s`,
        privateKey,
        issuerRef,
      },
    });
    new Certificate(this, 'ApiClientTls', {
      metadata: { name: SecretNames.API_CLIENT_TLS, labels: ctx.labels('api'), annotations: syncWave(SyncWave.BINDINGS) },
      spec: {
        secretName: SecretNames.API_CLIENT_TLS,
        commonName: `api.${ctx.namespace}.svc`,
        usages: [CertificateSpecUsages.CLIENT_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
        duration: '2160h0m0s',
        renewBefore: `${CERTIFICATE_RENEW_BEFORE_HOURS}h0m0s`,
        privateKey,
        issuerRef,
      },
    });
  }
}
