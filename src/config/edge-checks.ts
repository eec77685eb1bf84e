import { allowsUnsafeEval, cspWeakenings, parseCsp, wildcardSources } from '../headers/csp';
import { frameAncestorsFor, parsePermissionsPolicy } from '../headers/policies';
import { Topology } from '../topology/model';
import type { ConfigIssue } from './runbook-checks';
import type { EnvironmentConfig } from './schema';

/** Words a reason for accepting TLS 1.2 must have at least: a sentence, not a placeholder. */
const MIN_REASON_WORDS = 4;

/**
 * Checks of the edge hardening settings the schema cannot express: the TLS minimum and its
 * reason, the security headers per public component, and profile-specific fields.
 */
export function edgeIssues(env: EnvironmentConfig, topology: Topology): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const edge = env.edge;

  const reason = edge.tls.minVersionReason?.trim();
  if (edge.tls.minVersion === '1.2') {
    if (!reason || reason.split(/\s+/).length < MIN_REASON_WORDS) {
      add('edge.tls.minVersionReason', `must say why ${env.name} accepts TLS 1.2 (a sentence of at least ${MIN_REASON_WORDS} words); the CTIS setup guide requires TLS 1.3`);
    }
  } else if (edge.tls.minVersionReason !== undefined) {
    add('edge.tls.minVersionReason', 'is only for minVersion "1.2": remove it');
  }

  const publicIds = new Set(topology.components.filter((c) => c.exposure === 'public').map((c) => c.id));
  for (const [id, headers] of Object.entries(edge.securityHeaders)) {
    const at = `edge.securityHeaders.${id}`;
    if (!publicIds.has(id)) {
      add(at, `${id} is not a public component (only ${[...publicIds].join(', ')} are served by the edge)`);
      continue;
    }
    if (headers.contentSecurityPolicy !== undefined) {
      const csp = parseCsp(headers.contentSecurityPolicy);
      if (csp.size === 0) add(`${at}.contentSecurityPolicy`, 'has no directive');
      if (env.name === 'production' && allowsUnsafeEval(csp)) add(`${at}.contentSecurityPolicy`, "must not allow 'unsafe-eval' in production");
      const wild = wildcardSources(csp);
      if (env.name === 'production' && wild.length > 0) {
        add(`${at}.contentSecurityPolicy`, `must not allow a wildcard source in production (${wild.join(', ')}): name the origins`);
      }
      const frame = headers.frameOptions ?? 'DENY';
      if (csp.has('frame-ancestors') && cspWeakenings(csp, parseCsp(`frame-ancestors ${frameAncestorsFor(frame)}`)).length > 0) {
        add(`${at}.contentSecurityPolicy`, `frame-ancestors allows more than frameOptions ${frame} (use ${frameAncestorsFor(frame)}): browsers follow the CSP`);
      }
    }
    if (headers.permissionsPolicy !== undefined && parsePermissionsPolicy(headers.permissionsPolicy) === undefined) {
      add(`${at}.permissionsPolicy`, 'is not a Permissions-Policy (write feature=(allowlist) pairs separated by commas, e.g. camera=(), geolocation=(self))');
    }
  }

  if (edge.gatewayImplementation !== undefined && edge.profile !== 'gateway-api') {
    add('edge.gatewayImplementation', `is only for the gateway-api profile, not ${edge.profile}: remove it`);
  }
  if (edge.controller.configMap !== undefined && edge.profile !== 'nginx') {
    add('edge.controller.configMap', `is only for the nginx profile, not ${edge.profile}: remove it`);
  }
  return issues;
}
