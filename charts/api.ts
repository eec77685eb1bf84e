import { Construct } from 'constructs';
import { dotnetApp, corsSettings, StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';
import { internalTokenSecretEnv, internalTokenSettings } from './internal-tokens';

const CLIENT_CERT_PATH = '/etc/ctis/app-server-client';

/** api: resource server and gateway; the only caller of app-server. */
export class ApiChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'api', ctx);
    const mtls = ctx.env.features.appServerMtls.enabled;
    dotnetApp(this, 'api', {
      settings: {
        Authentication__Authority: ctx.issuer,
        Authentication__MetadataAddress: `${ctx.internalUrl('auth-server')}/.well-known/openid-configuration`,
        AppServer__BaseUrl: ctx.internalUrl('app-server'),
        RateLimiting__Enabled: 'true',
        ...corsSettings(ctx),
        ...internalTokenSettings(ctx),
        ...(mtls
          ? {
              AppServer__ClientCertificate__Path: `${CLIENT_CERT_PATH}/tls.crt`,
              AppServer__ClientCertificate__KeyPath: `${CLIENT_CERT_PATH}/tls.key`,
              AppServer__CaCertificatePath: `${CLIENT_CERT_PATH}/ca.crt`,
            }
          : {}),
      },
      secretEnv: [secretEnv('ConnectionStrings__Redis', SecretNames.REDIS, 'connection-string'), internalTokenSecretEnv()],
      volumes: mtls ? [{ name: 'app-server-client-cert', secret: { secretName: SecretNames.API_CLIENT_TLS, defaultMode: 0o440 } }] : undefined,
      volumeMounts: mtls ? [{ name: 'app-server-client-cert', mountPath: CLIENT_CERT_PATH, readOnly: true }] : undefined,
    });
  }
}
