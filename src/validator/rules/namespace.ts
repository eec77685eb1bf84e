import type { V1Namespace } from '@kubernetes/client-node';
import { isClusterScoped, str } from '../../manifests';
import { ENVIRONMENT_NAMES } from '../../config/schema';
import { isNginxControllerSettings } from '../k8s/edge';
import { defineEnvironmentRule, defineRule } from '../rule';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/** SPEC §2 rule 14: the namespace enforces Pod Security `restricted`. */
export const namespacePodSecurity = defineRule({
  id: 'namespace-pod-security',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (namespace label)',
  description: `The environment's Namespace carries \`${ENFORCE}: restricted\`, so the API server rejects pods that are not restricted.`,
  remediation: `Add the label \`${ENFORCE}: restricted\` to the Namespace (and \`audit\`/\`warn\` likewise).`,
  scope: { kinds: ['Namespace'] },
  check(o) {
    const ns = o.object as V1Namespace;
    const value = ns.metadata?.labels?.[ENFORCE];
    if (value === 'restricted') return [];
    return [
      {
        message: value === undefined ? `Namespace has no ${ENFORCE} label` : `Namespace enforces Pod Security "${value}", not "restricted"`,
        path: value === undefined ? ['metadata', 'labels'] : ['metadata', 'labels', ENFORCE],
      },
    ];
  },
});

/** The environment's namespace is part of the manifests. */
export const namespacePresent = defineEnvironmentRule({
  id: 'namespace-present',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (namespace label), SPEC §5',
  description: "The manifests define the environment's Namespace (so its Pod Security labels are reviewed with the rest).",
  remediation: 'Render the Namespace object with the manifests (the generator puts it in platform.yaml).',
  check(ctx) {
    if (ctx.objects.get('Namespace', '', ctx.namespace)) return [];
    return [{ message: `no Namespace ${ctx.namespace} in the manifests (environment ${ctx.env.name})` }];
  },
});

/** Every object lives in the environment's namespace. */
export const namespaceMatchesEnvironment = defineRule({
  id: 'namespace-matches-environment',
  severity: 'error',
  runbookItem: 'SPEC §3: one namespace per environment',
  description:
    "Namespaced objects are in the environment's namespace (policies, Pod Security and secret stores only cover that one); a Namespace object is the environment's. " +
    "The nginx profile's controller settings (the controller's ConfigMap named by edge.controller, `dist/<env>/edge-controller/`) are the one exception.",
  remediation: 'Set metadata.namespace to the namespace in config/<env>.yaml, or remove the object from this environment.',
  scope: { kinds: ['*'] },
  check(o, ctx) {
    if (o.object.kind === 'Namespace') {
      const name = str(o.object.metadata?.name);
      return name !== undefined && name !== ctx.namespace
        ? [{ message: `Namespace ${name} is not the ${ctx.env.name} namespace ${ctx.namespace}`, path: ['metadata', 'name'] }]
        : [];
    }
    if (isClusterScoped(o.object.kind ?? '')) return [];
    // The nginx profile's controller settings live in the controller's namespace by design.
    if (isNginxControllerSettings(ctx, o)) return [];
    const ns = ctx.objects.namespaceOf(o);
    return ns === ctx.namespace ? [] : [{ message: `object is in namespace ${ns}, not the ${ctx.env.name} namespace ${ctx.namespace}`, path: ['metadata', 'namespace'] }];
  },
});

const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** The most frequent value of a list, with its count. */
function mostFrequent(values: readonly string[]): [string, number] | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const [v, n] of counts) if (!best || n > best[1] || (n === best[1] && v < best[0])) best = [v, n];
  return best;
}

/** The manifests are the environment's: judged against another one, every other finding follows from that. */
export const manifestsMatchEnvironment = defineEnvironmentRule({
  id: 'manifests-match-environment',
  severity: 'error',
  runbookItem: 'SPEC §5: validate checks a directory against the topology of that environment',
  description:
    "Most namespaced objects are in the environment's namespace. Otherwise the manifests are another environment's (e.g. `validate dist/production --env staging`): this one finding says so, " +
    'names the environment their `app.kubernetes.io/instance` label points to, and every other finding, which would only follow from the mix-up, is folded into it (counted in the summary).',
  remediation: 'Validate with the environment the manifests were rendered for (--env <name>, or a directory named after it), or render this environment with npm run synth.',
  foldsOthers: true,
  check(ctx) {
    const namespaced = ctx.objects.all.filter((o) => !isClusterScoped(o.object.kind) && !isNginxControllerSettings(ctx, o));
    const namespaces = namespaced.map((o) => ctx.objects.namespaceOf(o));
    const inEnvironment = namespaces.filter((n) => n === ctx.namespace).length;
    if (namespaced.length === 0 || inEnvironment * 2 > namespaced.length) return [];
    const [other, count] = mostFrequent(namespaces.filter((n) => n !== ctx.namespace))!;
    const instance = mostFrequent(namespaced.map((o) => str(o.object.metadata?.labels?.[INSTANCE_LABEL])).filter((v): v is string => v !== undefined))?.[0];
    const prefix = `${ctx.topology.partOf}-`;
    const named = instance?.startsWith(prefix) ? (ENVIRONMENT_NAMES as readonly string[]).find((n) => n === instance.slice(prefix.length) && n !== ctx.env.name) : undefined;
    const anchor = ctx.objects.get('Namespace', '', other) ?? namespaced[namespaces.indexOf(other)];
    return [
      {
        on: anchor,
        message:
          `these manifests are not the ${ctx.env.name} environment's: ${count} of ${namespaced.length} namespaced objects are in namespace ${other}, not ${ctx.namespace}` +
          (named ? ` (labelled ${INSTANCE_LABEL}=${instance}: validate with --env ${named})` : ''),
        ...(named ? { remediation: `Validate with --env ${named} (the environment the manifests were rendered for), or pass the ${ctx.env.name} directory.` } : {}),
      },
    ];
  },
});
