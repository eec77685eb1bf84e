import { HealthEndpoints, Topology } from './model';

const HEALTH: HealthEndpoints = { ready: '/health/ready', live: '/health/live' };

/**
 * The CTIS stack as the production runbook declares it (SPEC §1). This is the single
 * declaration read by the charts and by the validator.
 */
export const CTIS_TOPOLOGY: Topology = {
  partOf: 'ctis',
  components: [
    {
      id: 'auth-server',
      description: 'ASP.NET Core 9 OIDC provider (OpenIddict) and admin APIs',
      role: 'auth-server',
      runtime: 'dotnet',
      exposure: 'public',
      port: 8080,
      health: HEALTH,
      publicPaths: ['/.well-known', '/connect', '/account', '/static'],
      servesAdminPaths: true,
      telemetry: true,
    },
    {
      id: 'api',
      description: 'ASP.NET Core 9 resource server and gateway',
      role: 'api',
      runtime: 'dotnet',
      exposure: 'public',
      port: 8080,
      health: HEALTH,
      publicPaths: ['/api'],
      servesAdminPaths: true,
      telemetry: true,
    },
    {
      id: 'app-server',
      description: 'ASP.NET Core 9 internal service, east-west calls from api only',
      role: 'app-server',
      runtime: 'dotnet',
      exposure: 'internal',
      port: 8080,
      health: HEALTH,
      servesAdminPaths: true,
      telemetry: true,
    },
    {
      id: 'frontend',
      description: 'Next.js 15 standalone Node server',
      role: 'frontend',
      runtime: 'nextjs',
      exposure: 'public',
      port: 3000,
      health: HEALTH,
      publicPaths: ['/'],
      telemetry: true,
    },
    {
      id: 'postgresql',
      description: 'PostgreSQL: Identity/OpenIddict, admin/governance data, Hangfire storage',
      role: 'postgresql',
      runtime: 'postgresql',
      exposure: 'internal',
      port: 5432,
      dataStore: 'postgresql',
    },
    {
      id: 'redis',
      description: 'Redis: cache and distributed state',
      role: 'redis',
      runtime: 'redis',
      exposure: 'internal',
      port: 6379,
      dataStore: 'redis',
    },
  ],
  tasks: [
    {
      id: 'postgresql-backup',
      description: 'Nightly pg_dump of the in-cluster PostgreSQL to a retained claim, keeping the configured number of dumps',
      kind: 'backup',
      of: 'postgresql',
    },
    {
      id: 'postgresql-restore-check',
      description: 'Restores the latest dump into a scratch PostgreSQL inside its own pod and checks it (no connection to the live server)',
      kind: 'restore-check',
      of: 'postgresql',
    },
  ],
  edges: [
    { from: 'postgresql-backup', to: 'postgresql', purpose: 'nightly pg_dump' },
    { from: 'auth-server', to: 'postgresql', purpose: 'Identity/OpenIddict and admin data' },
    {
      from: 'auth-server',
      to: 'redis',
      purpose: 'distributed state (required outside development)',
      condition: 'outside-development-or-enabled',
    },
    { from: 'api', to: 'app-server', purpose: 'east-west calls with internal tokens' },
    { from: 'api', to: 'auth-server', purpose: 'OIDC discovery and JWKS' },
    { from: 'api', to: 'redis', purpose: 'cache' },
    { from: 'app-server', to: 'auth-server', purpose: 'internal-token JWKS' },
    { from: 'app-server', to: 'postgresql', purpose: 'application data and Hangfire storage' },
    { from: 'app-server', to: 'redis', purpose: 'cache' },
    { from: 'frontend', to: 'api', purpose: 'API calls' },
    { from: 'frontend', to: 'auth-server', purpose: 'server-side token exchange' },
  ],
};
