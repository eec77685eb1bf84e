import type { Rule } from '../rule';
import { admissionBoundToNamespace, admissionEnforced, admissionPoliciesPresent, serviceAccountToken } from './admission';
import { adminPathsNotPublic, edgeHsts, edgeHttpsRedirect, edgeProfile, edgeTls, publicHostsRouted } from './edge';
import { edgeSecurityHeaders, edgeTlsMinimum } from './edge-hardening';
import {
  appServerMtls,
  corsExplicitOrigins,
  dataProtectionKeys,
  hangfireDurableStorage,
  internalTokensContract,
  issuerPublicHttps,
  rateLimiting,
  securityHardening,
  settingKeyUnambiguous,
} from './app-contract';
import { internalNotExposed, serviceType } from './exposure';
import { dedicatedServiceAccount, rbacLeastPrivilege } from './access';
import { containerResources } from './resources';
import { jobsBounded, podsSpread, workloadTemplateValid } from './workloads';
import { componentWorkloads, standardLabels } from './labels';
import { manifestsMatchEnvironment, namespaceMatchesEnvironment, namespacePodSecurity, namespacePresent } from './namespace';
import { networkDefaultDeny, networkExtraConnection, networkMissingEdge, networkPolicyProblems } from './network';
import { imagePinned, podSecurityRestricted, readOnlyRootFilesystem, writableTmp } from './pod-security';
import { hpaTargetExists, pdbSelectsPods, policySelectsPods, referencedObjectExists, routeBackendExists, serviceSelectsPods } from './references';
import { healthProbes, hpaManagedReplicas, pdbRequired, rollingUpdateSafe } from './rollout';
import { apiVersionServed, duplicateObject, kubernetesObject, schemaValid, unknownKind } from './schema';
import { secretLiteral, secretSource } from './secrets';
import { suppressionNeedsReason, suppressionUnknownRule } from './suppression';
import { ruleFailed } from './internal';
import { hpaTargetReplaced, noRolloutHashSelector, previewNotPublic, releaseStrategy, rolloutServices, rolloutStrategySafe } from './blue-green';
import { rolloutAnalysis } from './rollout-analysis';
import { claimDeletionProtected, claimSyncWave, namespaceDeletionProtected } from './delivery';
import { argocdImmutableRevision, argocdParameterFile, argocdSyncWindow } from './argocd';
import { postgresqlBackups } from './backups';
import { alertExpressions, alertsCoverStack, metricsScraped, monitorTargets } from './monitoring';
import { objectStorageSettings, telemetrySettings } from './telemetry';

/** Every rule, in the order the documentation lists them (grouped by runbook item). */
const RULES: readonly Rule[] = [
  // SPEC §2 rule 1
  internalNotExposed,
  serviceType,
  // SPEC §2 rule 2
  networkDefaultDeny,
  networkMissingEdge,
  networkExtraConnection,
  networkPolicyProblems,
  // SPEC §2 rules 3, 4, 12 and §4
  edgeTls,
  edgeTlsMinimum,
  edgeHttpsRedirect,
  edgeHsts,
  edgeSecurityHeaders,
  adminPathsNotPublic,
  edgeProfile,
  publicHostsRouted,
  issuerPublicHttps,
  // SPEC §2 rule 5
  secretLiteral,
  secretSource,
  // SPEC §2 rules 6 to 11
  settingKeyUnambiguous,
  corsExplicitOrigins,
  securityHardening,
  rateLimiting,
  internalTokensContract,
  appServerMtls,
  dataProtectionKeys,
  hangfireDurableStorage,
  // SPEC §2 rule 13
  healthProbes,
  rollingUpdateSafe,
  hpaManagedReplicas,
  pdbRequired,
  // Blue-green releases (Argo Rollouts)
  rolloutStrategySafe,
  releaseStrategy,
  rolloutServices,
  rolloutAnalysis,
  previewNotPublic,
  noRolloutHashSelector,
  hpaTargetReplaced,
  // SPEC §2 rules 14 and 15
  podSecurityRestricted,
  readOnlyRootFilesystem,
  writableTmp,
  namespacePodSecurity,
  namespacePresent,
  serviceAccountToken,
  dedicatedServiceAccount,
  imagePinned,
  // enforced at admission
  admissionPoliciesPresent,
  admissionBoundToNamespace,
  admissionEnforced,
  // Operations: telemetry, metrics and alerts, backups, object storage (setup guide)
  telemetrySettings,
  monitorTargets,
  metricsScraped,
  alertExpressions,
  alertsCoverStack,
  postgresqlBackups,
  objectStorageSettings,
  // delivery: data survives Argo CD; production by promotion, inside its windows
  namespaceDeletionProtected,
  claimDeletionProtected,
  claimSyncWave,
  argocdImmutableRevision,
  argocdSyncWindow,
  argocdParameterFile,
  // generic checks platform teams expect (docs/rules.md compares them with kube-score, kube-linter and Polaris)
  containerResources,
  workloadTemplateValid,
  podsSpread,
  jobsBounded,
  rbacLeastPrivilege,
  // SPEC §5 and references
  standardLabels,
  componentWorkloads,
  manifestsMatchEnvironment,
  namespaceMatchesEnvironment,
  serviceSelectsPods,
  routeBackendExists,
  hpaTargetExists,
  pdbSelectsPods,
  policySelectsPods,
  referencedObjectExists,
  // schema
  kubernetesObject,
  schemaValid,
  apiVersionServed,
  unknownKind,
  duplicateObject,
  // suppressions
  suppressionNeedsReason,
  suppressionUnknownRule,
  ruleFailed,
];

/**
 * Builds the registry: one map from id to rule. A duplicate id or a rule without its metadata is
 * a programming error and fails at start-up.
 */
export function buildRegistry(rules: readonly Rule[]): ReadonlyMap<string, Rule> {
  const map = new Map<string, Rule>();
  for (const r of rules) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(r.id)) throw new Error(`validator rule id "${r.id}" is not kebab-case`);
    if (map.has(r.id)) throw new Error(`validator rule id "${r.id}" is registered twice`);
    for (const field of ['description', 'remediation', 'runbookItem', 'docsAnchor'] as const) {
      if (!r[field] || r[field].trim() === '') throw new Error(`validator rule "${r.id}" has no ${field}`);
    }
    map.set(r.id, r);
  }
  return map;
}

/** The registry of every validator rule, by id. */
export const RULE_REGISTRY: ReadonlyMap<string, Rule> = buildRegistry(RULES);

/** Rules in documentation order. */
export function allRules(): readonly Rule[] {
  return [...RULE_REGISTRY.values()];
}
