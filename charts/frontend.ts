import { Construct } from 'constructs';
import { AppWorkload } from '../src/constructs/app-workload';
import { httpProbes, RunAsUser } from '../src/constructs/pod';
import { StackChart } from './component-chart';
import { secretEnv, SecretNames, StackContext } from './context';
import { metricsPorts, metricsSettings, telemetrySettings } from './telemetry';

/** frontend: Next.js 15 standalone server; calls api and auth-server from the server side. */
export class FrontendChart extends StackChart {
  constructor(scope: Construct, ctx: StackContext) {
    super(scope, 'frontend', ctx);
    const id = 'frontend';
    const c = ctx.component(id);
    const health = c.spec.health!;
    const port = { name: 'http', containerPort: c.spec.port };
    new AppWorkload(this, 'Workload', {
      ...ctx.identity(id),
      workload: ctx.workload(id),
      runAsUser: RunAsUser.NEXTJS,
      settings: {
        NODE_ENV: 'production',
        PORT: String(c.spec.port),
        HOSTNAME: '0.0.0.0',
        NEXT_TELEMETRY_DISABLED: '1',
        CTIS_PUBLIC_URL: ctx.publicUrl(id),
        CTIS_API_URL: ctx.internalUrl('api'),
        CTIS_AUTH_ISSUER: ctx.issuer,
        CTIS_AUTH_INTERNAL_URL: ctx.internalUrl('auth-server'),
        CTIS_OIDC_CLIENT_ID: 'ctis-frontend',
        ...telemetrySettings(ctx, id),
        ...metricsSettings(ctx, id),
      },
      servicePorts: [{ name: 'http', port: c.servingPort, targetPort: 'http' }],
      volumes: [{ name: 'next-cache', emptyDir: {} }],
      callsKubernetesApi: c.spec.kubernetesApi !== undefined,
      readiness: { path: health.ready, port },
      container: {
        ports: [port, ...metricsPorts(ctx, id)],
        env: [secretEnv('CTIS_OIDC_CLIENT_SECRET', SecretNames.FRONTEND_OIDC, 'client-secret')],
        volumeMounts: [{ name: 'next-cache', mountPath: '/app/.next/cache' }],
        ...httpProbes('http', health.ready, health.live),
      },
    });
  }
}
