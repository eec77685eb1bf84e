import { Construct } from 'constructs';
import { dotnetApp, StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';
import { internalTokenSecretEnv, internalTokenSettings } from './internal-tokens';

const SERVER_CERT_PATH = '/etc/ctis/tls';

/**
 * app-server: internal east-west service. With mTLS on it serves HTTPS on the TLS port and
 * requires client certificates; plain HTTP stays on the health port for the kubelet only
 * (the Service and the NetworkPolicies expose the TLS port alone).
 */
export class AppServerChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'app-server', ctx);
    const id = 'app-server';
    const c = ctx.component(id);
    const mtls = ctx.env.features.appServerMtls;
    const tlsSettings: Record<string, string> = mtls.enabled
      ? {
          Kestrel__Endpoints__Health__Url: `http://0.0.0.0:${c.healthPort}`,
          Kestrel__Endpoints__Https__Url: `https://0.0.0.0:${c.servingPort}`,
          Kestrel__Endpoints__Https__Certificate__Path: `${SERVER_CERT_PATH}/tls.crt`,
          Kestrel__Endpoints__Https__Certificate__KeyPath: `${SERVER_CERT_PATH}/tls.key`,
          Kestrel__Endpoints__Https__ClientCertificateMode: 'RequireCertificate',
          AppServer__ClientCertificates__TrustedCaPath: `${SERVER_CERT_PATH}/ca.crt`,
          HealthChecks__RequireHost: `*:${c.healthPort}`,
          // Explicit endpoints replace ASPNETCORE_HTTP_PORTS: the metrics port needs its own.
          ...(c.metrics ? { Kestrel__Endpoints__Metrics__Url: `http://0.0.0.0:${c.metrics.port}` } : {}),
        }
      : {};
    dotnetApp(this, id, {
      settings: {
        Hangfire__Storage: ctx.env.features.hangfireStorage,
        ...internalTokenSettings(ctx),
        ...tlsSettings,
      },
      secretEnv: [
        secretEnv('ConnectionStrings__DefaultConnection', SecretNames.DATABASE, 'connection-string'),
        secretEnv('ConnectionStrings__Redis', SecretNames.REDIS, 'connection-string'),
        internalTokenSecretEnv(),
      ],
      ports: mtls.enabled
        ? [
            { name: 'health', containerPort: c.healthPort },
            { name: 'https', containerPort: c.servingPort },
          ]
        : undefined,
      servicePorts: mtls.enabled ? [{ name: 'https', port: c.servingPort, targetPort: 'https' }] : undefined,
      probePort: mtls.enabled ? 'health' : undefined,
      volumes: mtls.enabled ? [{ name: 'tls', secret: { secretName: SecretNames.APP_SERVER_TLS, defaultMode: 0o440 } }] : undefined,
      volumeMounts: mtls.enabled ? [{ name: 'tls', mountPath: SERVER_CERT_PATH, readOnly: true }] : undefined,
    });
  }
}
