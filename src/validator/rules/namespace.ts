import type { V1Namespace } from '@kubernetes/client-node';
import { isClusterScoped } from '../../manifests';
import { isNginxControllerSettings } from '../k8s/edge';
import { str } from '../k8s/util';
import { defineRule } from '../rule';

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
    if (!o) return [];
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
export const namespacePresent = defineRule({
  id: 'namespace-present',
  severity: 'error',
  runbookItem: 'SPEC §2 rule 14 (namespace label), SPEC §5',
  description: "The manifests define the environment's Namespace (so its Pod Security labels are reviewed with the rest).",
  remediation: 'Render the Namespace object with the manifests (the generator puts it in platform.yaml).',
  scope: { topology: true },
  check(_o, ctx) {
    if (ctx.get('Namespace', '', ctx.namespace)) return [];
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
    if (!o) return [];
    if (o.object.kind === 'Namespace') {
      const name = str(o.object.metadata?.name);
      return name !== undefined && name !== ctx.namespace
        ? [{ message: `Namespace ${name} is not the ${ctx.env.name} namespace ${ctx.namespace}`, path: ['metadata', 'name'] }]
        : [];
    }
    if (isClusterScoped(o.object.kind ?? '')) return [];
    // The nginx profile's controller settings live in the controller's namespace by design.
    if (isNginxControllerSettings(ctx, o)) return [];
    const ns = ctx.namespaceOf(o);
    return ns === ctx.namespace ? [] : [{ message: `object is in namespace ${ns}, not the ${ctx.env.name} namespace ${ctx.namespace}`, path: ['metadata', 'namespace'] }];
  },
});
