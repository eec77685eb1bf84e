import type { V1Service } from '@kubernetes/client-node';
import { blueGreenOf } from '../../config/strategy';
import { at, isRecord, list, LoadedObject, record, ROLLOUT_HASH_LABEL, ROLLOUT_MANAGED_BY_ANNOTATION, rolloutBlueGreen, str, stringMap, text, workloadKindOf, workloadRefOf } from '../../manifests';
import { edgeModel, forwards } from '../k8s/edge';
import { previewServices, rolloutTemplate, selectsTemplate } from '../k8s/rollouts';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';
import { allowListProblem } from './edge';
import { isZero } from './rollout';

/**
 * Blue-green releases with Argo Rollouts: the Rollout's strategy and Services, the preview never
 * routed publicly, the configured strategy, and selectors that cover both colours.
 */

/** SPEC §2 rule 13 for Rollouts: a release never drops capacity or cuts traffic off the old pods too early. */
export const rolloutStrategySafe = defineRule({
  id: 'rollout-strategy-safe',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 13 (rollout safety); setup guide §4 "Rolling/blue-green deployment strategy"',
  description:
    'Rollouts of components name a strategy; blue-green keeps the old colour at least 30 s after the switch (`scaleDownDelaySeconds`, so that no node still sends it traffic); ' +
    'canary uses `maxUnavailable: 0` like a Deployment.',
  remediation:
    'Set spec.strategy.blueGreen with scaleDownDelaySeconds of 30 or more (or leave it unset: the default is 30), or spec.strategy.canary with maxUnavailable: 0 and maxSurge of at least 1.',
  scope: { kinds: ['Rollout'] },
  check(o, ctx) {
    if (!ctx.components.get(rolloutTemplate(ctx, o)?.component)) return [];
    const strategy = at(o.object, ['spec', 'strategy']);
    const canary = at(strategy, ['canary']);
    const bg = rolloutBlueGreen(o.object);
    if (!bg && !isRecord(canary)) {
      return [{ message: 'the Rollout names no strategy (spec.strategy.blueGreen or spec.strategy.canary)', path: ['spec'] }];
    }
    const out: RuleFinding[] = [];
    if (bg) {
      if (bg.scaleDownDelaySeconds !== undefined && bg.scaleDownDelaySeconds < 30) {
        out.push({ message: `scaleDownDelaySeconds ${bg.scaleDownDelaySeconds} scales the old colour down before every node stops sending it traffic (30 s at least)`, path: [...bg.path, 'scaleDownDelaySeconds'] });
      }
      if (!bg.autoPromotionEnabled && at(o.object, [...bg.path, 'autoPromotionSeconds']) !== undefined) {
        out.push({ message: 'autoPromotionSeconds is ignored while autoPromotionEnabled is false', path: [...bg.path, 'autoPromotionSeconds'], severity: 'warning' });
      }
      return out;
    }
    const mu = at(canary, ['maxUnavailable']);
    if (!isZero(mu)) out.push({ message: `canary maxUnavailable is ${mu === undefined ? 'unset (default 25%)' : text(mu)}, not 0`, path: ['spec', 'strategy', 'canary'] });
    else if (isZero(at(canary, ['maxSurge']))) out.push({ message: 'canary maxSurge and maxUnavailable are both 0: the rollout cannot progress', path: ['spec', 'strategy', 'canary', 'maxSurge'] });
    return out;
  },
});

/** Blue-green: the active and preview Services exist, differ and select the Rollout's pods. */
export const rolloutServices = defineRule({
  id: 'rollout-services',
  severity: 'error',
  runbookItem: 'Blue-green releases: active and preview Services',
  description:
    "A blue-green Rollout names an active and a preview Service; both are in the manifests, differ, and select the Rollout's pods and no others; " +
    "for a component, the active Service is the one clients use (named after the component) and the preview Service is another.",
  remediation:
    'Set spec.strategy.blueGreen.activeService to the component\'s Service and previewService to `<component>-preview`, a ClusterIP Service with the same selector ' +
    '(app.kubernetes.io/name and instance) and ports.',
  scope: { kinds: ['Rollout'] },
  check(o, ctx) {
    const bg = rolloutBlueGreen(o.object);
    if (!bg) return [];
    const ns = ctx.objects.namespaceOf(o);
    const t = rolloutTemplate(ctx, o);
    const out: RuleFinding[] = [];
    const roles = [
      ['activeService', bg.activeService],
      ['previewService', bg.previewService],
    ] as const;
    for (const [field, name] of roles) {
      const path = [...bg.path, field];
      if (!name) {
        out.push({ message: `blueGreen.${field} is not set`, path: bg.path });
        continue;
      }
      const svc = ctx.objects.get('Service', ns, name);
      if (!svc) {
        out.push({ message: `${field} ${name} is not in the manifests`, path });
        continue;
      }
      if (!t || ctx.schema.isMalformed(svc)) continue;
      const selector = (svc.object as V1Service).spec?.selector;
      if (!selectsTemplate(selector, t)) {
        out.push({ message: `${field} ${name} does not select the Rollout's pods (selector ${JSON.stringify(stringMap(selector))})`, path });
        continue;
      }
      const others = ctx.pods.selectByLabels(ns, selector).filter((x) => x !== t && x.owner !== o);
      if (others.length > 0) out.push({ message: `${field} ${name} also selects the pods of ${others.map((x) => `${x.kind} ${x.name}`).join(', ')}`, path });
    }
    if (bg.activeService && bg.activeService === bg.previewService) {
      out.push({ message: `the active and preview Services are both ${bg.activeService}: the preview would take live traffic`, path: [...bg.path, 'previewService'] });
    }
    const component = t?.component;
    if (component && ctx.components.get(component)) {
      if (bg.activeService && bg.activeService !== component && ctx.objects.get('Service', ns, component)) {
        out.push({ message: `clients of ${component} use Service ${component}, but the active Service is ${bg.activeService}`, path: [...bg.path, 'activeService'] });
      }
      if (bg.previewService === component) {
        out.push({ message: `the preview Service is ${component}, the Service clients use: they would reach the unreleased colour`, path: [...bg.path, 'previewService'] });
      }
    }
    return out;
  },
});

/** Blue-green: the preview Service is never routed publicly, nor exposed outside the cluster. */
export const previewNotPublic = defineEnvironmentRule({
  id: 'preview-not-public',
  severity: 'error',
  runbookItem: 'Blue-green releases: the preview is not public (SPEC §2 rules 1 and 12)',
  description:
    "No Ingress or HTTPRoute routes a Rollout's preview Service unless the route is restricted to the configured edge.adminAllowList; " +
    'the preview Service is a ClusterIP Service without externalIPs.',
  remediation:
    'Remove the route to the preview Service, or (traefik profile) put it behind the admin-allow-list Middleware with a workloads.<id>.strategy.previewHost; ' +
    'make the preview Service `type: ClusterIP` without externalIPs.',
  check(ctx) {
    const previews = previewServices(ctx);
    if (previews.size === 0) return [];
    const out: RuleFinding[] = [];
    const seen = new Set<string>();
    for (const r of edgeModel(ctx).routes) {
      if (!forwards(r) || !r.service) continue;
      const ns = ctx.objects.namespaceOf(r.object);
      const rollout = previews.get(`${ns}/${r.service}`);
      if (!rollout) continue;
      const problem = allowListProblem(ctx, r.allowList);
      const key = `${r.object.location.file}:${r.object.location.line}|${r.path.join('.')}`;
      if (!problem || seen.has(key)) continue;
      seen.add(key);
      out.push({
        on: r.object,
        path: r.path,
        message: `${r.object.object.kind} routes ${r.scheme}://${r.host ?? '<any host>'}${r.urlPath} to ${r.service}, the preview Service of Rollout ${rollout.name} (${problem})`,
      });
    }
    for (const [key, rollout] of previews) {
      const [ns, name] = key.split('/');
      const svc = ctx.objects.get('Service', ns, name);
      if (!svc || ctx.schema.isMalformed(svc)) continue;
      const type = str(at(svc.object, ['spec', 'type'])) ?? 'ClusterIP';
      if (type === 'LoadBalancer' || type === 'NodePort') out.push({ on: svc, path: ['spec', 'type'], message: `the preview Service of Rollout ${rollout.name} has type ${type}: the unreleased colour is reachable from outside the cluster` });
      if (list(at(svc.object, ['spec', 'externalIPs'])).length > 0) out.push({ on: svc, path: ['spec', 'externalIPs'], message: `the preview Service of Rollout ${rollout.name} has externalIPs` });
    }
    return out;
  },
});

/** The strategy each component runs with is the configured one. */
export const releaseStrategy = defineEnvironmentRule({
  id: 'release-strategy',
  severity: 'error',
  runbookItem: 'Blue-green releases: strategy per component and environment (config/<env>.yaml workloads.<id>.strategy)',
  description:
    'Each application component runs as the configuration says: a Deployment where it is released rolling; a blue-green Rollout where it is released blue-green, ' +
    'with the configured promotion (manual: autoPromotionEnabled false) and a pre-promotion analysis exactly when one is configured ' +
    '(the analysis needs the Argo Rollouts controller admitted by the NetworkPolicies, which follow the configuration).',
  remediation: 'Render the environment again from config/<env>.yaml (npm run synth), or change workloads.<id>.strategy there.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const [id, w] of Object.entries(ctx.env.workloads)) {
      const c = ctx.components.effective(id);
      if (!c?.inCluster) continue;
      const templates = ctx.pods.ofComponent(id).filter((t) => t.namespace === ctx.namespace);
      const owners = new Set(templates.map((t) => t.owner));
      for (const r of ctx.objects.ofKind('Rollout')) if (ctx.objects.namespaceOf(r) === ctx.namespace && rolloutTemplate(ctx, r)?.component === id) owners.add(r);
      if (owners.size === 0) continue; // component-workloads reports the missing workload
      const bg = blueGreenOf(w);
      const rollouts = [...owners].filter((o) => workloadKindOf(o.object)?.kind === 'Rollout');
      const deployments = [...owners].filter((o) => workloadKindOf(o.object)?.kind === 'Deployment' && !rollouts.some((r) => workloadRefOf(r.object)?.name === ctx.objects.nameOf(o)));
      if (!bg) {
        for (const r of rollouts) out.push({ on: r, message: `${id} is released rolling in config/${ctx.env.name}.yaml, but a Rollout runs it`, path: ['kind'] });
        continue;
      }
      for (const d of deployments) out.push({ on: d, message: `${id} is released blue-green in config/${ctx.env.name}.yaml, but a Deployment runs it`, path: ['kind'] });
      for (const r of rollouts) {
        const read = rolloutBlueGreen(r.object);
        if (!read) {
          out.push({ on: r, message: `${id} is released blue-green in config/${ctx.env.name}.yaml, but its Rollout has no blueGreen strategy`, path: ['spec', 'strategy'] });
          continue;
        }
        const automatic = bg.promotion === 'automatic';
        if (read.autoPromotionEnabled !== automatic) {
          out.push({ on: r, message: `promotion is ${bg.promotion} in config/${ctx.env.name}.yaml, but autoPromotionEnabled is ${read.autoPromotionEnabled}`, path: [...read.path, 'autoPromotionEnabled'] });
        }
        const analysed = read.prePromotionAnalysis.length > 0;
        if (analysed && !bg.prePromotionAnalysis) {
          out.push({ on: r, message: `the Rollout runs a pre-promotion analysis that config/${ctx.env.name}.yaml does not declare (the NetworkPolicies do not admit its checks)`, path: [...read.path, 'prePromotionAnalysis'] });
        } else if (!analysed && bg.prePromotionAnalysis) {
          out.push({ on: r, message: `config/${ctx.env.name}.yaml declares a pre-promotion analysis, but the Rollout promotes without one`, path: read.path });
        }
      }
    }
    return out;
  },
});

/** Whether a label map holds `label` (with a string value, as labels are read). */
function hasLabel(map: unknown, label: string): boolean {
  return isRecord(map) && typeof map[label] === 'string' && Object.prototype.propertyIsEnumerable.call(map, label);
}

/** Whether a label selector names `label` in `matchLabels` or in a `matchExpressions` key. */
function selectorNames(sel: unknown, label: string): boolean {
  return isRecord(sel) && (hasLabel(sel.matchLabels, label) || list(sel.matchExpressions).some((e) => isRecord(e) && e.key === label));
}

/**
 * The paths of an object's label selectors (a Service's label map, a NetworkPolicy's pod and peer
 * selectors, any other object's `spec.selector`) that name `label`, in the order they stand.
 */
function selectorPathsNaming(o: LoadedObject, label: string): (string | number)[][] {
  const spec = record(o.object.spec);
  const kind = o.object.kind;
  if (kind === 'Service') return hasLabel(spec.selector, label) ? [['spec', 'selector']] : [];
  if (kind !== 'NetworkPolicy') return selectorNames(spec.selector, label) ? [['spec', 'selector']] : [];
  const out: (string | number)[][] = selectorNames(spec.podSelector, label) ? [['spec', 'podSelector']] : [];
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[dir]).forEach((rule, i) =>
      list(isRecord(rule) ? rule[peers] : undefined).forEach((p, j) => {
        if (isRecord(p) && selectorNames(p.podSelector, label)) out.push(['spec', dir, i, peers, j, 'podSelector']);
      }),
    );
  }
  return out;
}

/** Selectors cover both colours: none names the label the Rollouts controller changes with every release. */
export const noRolloutHashSelector = defineRule({
  id: 'no-rollout-hash-selector',
  severity: 'error',
  runbookItem: 'Blue-green releases: policies and budgets cover both colours',
  description:
    `No selector in the manifests (Services, PodDisruptionBudgets, NetworkPolicies, workloads, monitors) names \`${ROLLOUT_HASH_LABEL}\`: ` +
    'the Rollouts controller sets it per colour and changes it with every release, so such a selector loses the pods (policies stop applying, budgets stop counting). ' +
    'A live Service the controller manages (annotated argo-rollouts.argoproj.io/managed-by-rollouts) is exempt.',
  remediation: `Select by the component's app.kubernetes.io/name and app.kubernetes.io/instance labels only; the controller adds ${ROLLOUT_HASH_LABEL} to the Services it manages itself.`,
  scope: { kinds: ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'Deployment', 'Rollout', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'PodMonitor', 'ServiceMonitor'] },
  check(o) {
    if (o.object.kind === 'Service' && stringMap(o.object.metadata?.annotations)[ROLLOUT_MANAGED_BY_ANNOTATION] !== undefined) return [];
    if (o.object.kind === 'ReplicaSet' && list(o.object.metadata?.ownerReferences).length > 0) return [];
    return selectorPathsNaming(o, ROLLOUT_HASH_LABEL).map((path) => ({ message: `the selector at ${path.join('.')} names ${ROLLOUT_HASH_LABEL}, which changes with every release`, path }));
  },
});

/** An HPA does not scale a Deployment that a Rollout replaced (or runs through workloadRef). */
export const hpaTargetReplaced = defineRule({
  id: 'hpa-target-replaced',
  severity: 'error',
  runbookItem: 'Blue-green releases: the HPA scales the Rollout (SPEC §2 rule 13)',
  description:
    "A HorizontalPodAutoscaler does not target a Deployment that a Rollout replaced: one named like a Rollout of the namespace, one a Rollout runs through `workloadRef` " +
    '(the Rollout scales it to zero), or one whose pods are a component a Rollout runs.',
  remediation: 'Point scaleTargetRef at the Rollout: `{apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: <rollout>}`.',
  scope: { kinds: ['HorizontalPodAutoscaler'] },
  check(o, ctx) {
    const ref = record(at(o.object, ['spec', 'scaleTargetRef']));
    const name = str(ref.name);
    if (str(ref.kind) !== 'Deployment' || !name) return [];
    const ns = ctx.objects.namespaceOf(o);
    const deployment = ctx.objects.get('Deployment', ns, name);
    const component = deployment ? ctx.pods.of(deployment)?.component : undefined;
    for (const r of ctx.objects.ofKind('Rollout')) {
      if (ctx.objects.namespaceOf(r) !== ns) continue;
      const rName = ctx.objects.nameOf(r);
      const workloadRef = workloadRefOf(r.object);
      const viaRef = workloadRef?.kind === 'Deployment' && workloadRef.name === name;
      const replaced = (!deployment && rName === name) || (component !== undefined && rolloutTemplate(ctx, r)?.component === component && !viaRef);
      if (!viaRef && !replaced) continue;
      const why = viaRef ? `Rollout ${rName} runs Deployment ${name} through workloadRef and scales it to zero` : `Rollout ${rName} replaced Deployment ${name}`;
      return [{
        message: `scale target Deployment ${name}: ${why}; the autoscaler must scale the Rollout`,
        path: ['spec', 'scaleTargetRef'],
        remediation: `Set scaleTargetRef to {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: ${rName}}.`,
      }];
    }
    return [];
  },
});
