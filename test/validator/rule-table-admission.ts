/** Valid/invalid cases of the admission rules (merged into RULE_CASES). */
import type { LoadedObject } from '../../src/manifests';
import { unset } from '../support/k8s';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { allDist, find, load, mutate, P, workload } from './fixtures';
import type { RuleCases } from './rule-table';

const binding = (o: LoadedObject[], name: string) => find(o, 'ValidatingAdmissionPolicyBinding', name);
const policy = (o: LoadedObject[], name: string) => find(o, 'ValidatingAdmissionPolicy', name);

export const ADMISSION_RULE_CASES: Record<string, RuleCases> = {
  'admission-policies-present': {
    valid: allDist(),
    invalid: [
      {
        name: 'dist/production without admission.yaml',
        objects: mutate('production', (o) => o.filter((x) => !String(x.object.kind).startsWith('ValidatingAdmissionPolicy'))),
        expect: { [`Namespace//${P}`]: [/^no ValidatingAdmissionPolicy is bound to ctis-production: nothing stops a hand-made change/] },
      },
      {
        name: 'the Services policy bound to another namespace, the pods policy judging CREATE only',
        objects: mutate('production', (o) => {
          binding(o, 'ctis-production-services').spec.matchResources.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'ctis-staging';
          policy(o, 'ctis-production-pods').spec.matchConstraints.resourceRules[0].operations = ['CREATE'];
        }),
        expect: {
          [`Namespace//${P}`]: [
            /^no ValidatingAdmissionPolicy bound to ctis-production judges CREATE and UPDATE of services: NodePort\/LoadBalancer Services/,
            /^no ValidatingAdmissionPolicy bound to ctis-production judges CREATE and UPDATE of pods: pods/,
          ],
        },
      },
      {
        name: 'the CronJob policy itself scoped to another namespace',
        objects: mutate('production', (o) => {
          policy(o, 'ctis-production-cronjobs').spec.matchConstraints.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'ctis-staging';
        }),
        expect: { [`Namespace//${P}`]: [/^no ValidatingAdmissionPolicy bound to ctis-production judges CREATE and UPDATE of cronjobs\.batch/] },
      },
      {
        name: 'the workloads policy no longer covers Argo Rollouts',
        env: 'staging',
        objects: mutate('staging', (o) => {
          const p = policy(o, 'ctis-staging-workloads');
          p.spec.matchConstraints.resourceRules = p.spec.matchConstraints.resourceRules.filter((r) => !r.apiGroups.includes('argoproj.io'));
        }),
        expect: { ['Namespace//ctis-staging']: [/judges CREATE and UPDATE of rollouts\.argoproj\.io: pod templates of Argo Rollouts/] },
      },
      {
        name: 'the workloads policy no longer covers ReplicationControllers (core group)',
        objects: mutate('production', (o) => {
          const p = policy(o, 'ctis-production-workloads');
          p.spec.matchConstraints.resourceRules = p.spec.matchConstraints.resourceRules.filter((r) => !r.resources.includes('replicationcontrollers'));
        }),
        expect: { [`Namespace//${P}`]: [/^no ValidatingAdmissionPolicy bound to ctis-production judges CREATE and UPDATE of replicationcontrollers: pod templates/] },
      },
    ],
  },

  'admission-bound-to-namespace': {
    valid: allDist(),
    invalid: [
      {
        name: 'a binding without namespace selector, one bound to staging, an unbound policy and a binding to a missing policy',
        objects: mutate('production', (o) => {
          unset(binding(o, 'ctis-production-services').spec.matchResources, 'namespaceSelector');
          binding(o, 'ctis-production-ingresses').spec.matchResources.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'ctis-staging';
          binding(o, 'ctis-production-httproutes').spec.policyName = 'ctis-production-routes';
        }),
        expect: {
          ['ValidatingAdmissionPolicyBinding//ctis-production-services']: [/^binding applies in every namespace, not only ctis-production/],
          ['ValidatingAdmissionPolicyBinding//ctis-production-ingresses']: [/^binding applies in ctis-staging, not only the production namespace ctis-production$/],
          ['ValidatingAdmissionPolicyBinding//ctis-production-httproutes']: [/^binding names ValidatingAdmissionPolicy ctis-production-routes, which is not in the manifests$/],
          ['ValidatingAdmissionPolicy//ctis-production-httproutes']: [/^ValidatingAdmissionPolicy ctis-production-httproutes is not bound/],
        },
      },
      {
        name: 'a selector that excludes the namespace',
        env: 'development',
        objects: mutate('development', (o) => {
          const selector = binding(o, 'ctis-development-pods').spec.matchResources.namespaceSelector;
          selector.matchLabels = { 'kubernetes.io/metadata.name': 'ctis-development' };
          selector.matchExpressions = [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }];
        }),
        expect: { ['ValidatingAdmissionPolicyBinding//ctis-development-pods']: [/^binding selects no namespace \(its selector excludes ctis-development\)$/] },
      },
    ],
  },

  'admission-enforced': {
    valid: allDist(),
    invalid: [
      {
        name: 'production only warns, and a policy fails open',
        objects: mutate('production', (o) => {
          binding(o, 'ctis-production-network-policies').spec.validationActions = ['Warn', 'Audit'];
          policy(o, 'ctis-production-services').spec.failurePolicy = 'Ignore';
        }),
        expect: {
          ['ValidatingAdmissionPolicyBinding//ctis-production-network-policies']: [/^binding ctis-production-network-policies has validationActions \[Warn, Audit\]: production must deny/],
          ['ValidatingAdmissionPolicy//ctis-production-services']: [/^ValidatingAdmissionPolicy ctis-production-services has failurePolicy Ignore/],
        },
      },
      {
        name: 'development denies although its configuration says Warn + Audit (a warning)',
        env: 'development',
        objects: mutate('development', (o) => {
          binding(o, 'ctis-development-pods').spec.validationActions = ['Deny'];
        }),
        expect: { ['ValidatingAdmissionPolicyBinding//ctis-development-pods']: [/^binding ctis-development-pods has validationActions \[Deny\], the configuration says \[Warn, Audit\]$/] },
        warnings: [/the configuration says/],
      },
    ],
  },

  'service-account-token': {
    valid: [
      ...allDist(),
      { name: 'a compliant Deployment', objects: () => load(workload('api')), expect: {} },
      {
        name: 'a component that declares it calls the Kubernetes API mounts its token',
        topology: () => ({ ...CTIS_TOPOLOGY, components: CTIS_TOPOLOGY.components.map((c) => (c.id === 'api' ? { ...c, kubernetesApi: 'reads leader-election Leases' } : c)) }),
        objects: () => load(workload('api', { podSpec: { automountServiceAccountToken: true } })),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'token automount left on, and a projected token',
        objects: () =>
          load([
            ...workload('api', { podSpec: { automountServiceAccountToken: true } }),
            ...workload('frontend', {
              volumes: [{ name: 'kube-api', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }],
            }),
            ...workload('app-server', { podSpec: { automountServiceAccountToken: undefined } }),
            ...workload('debug', { podSpec: { automountServiceAccountToken: true } }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/^api mounts the service-account token \(automountServiceAccountToken is true\), though its component does not declare that it calls the Kubernetes API$/],
          [`Deployment/${P}/frontend`]: [/^volume kube-api of frontend projects a service-account token$/],
          [`Deployment/${P}/app-server`]: [/^app-server mounts the service-account token \(automountServiceAccountToken is not set\), though its component/],
          [`Deployment/${P}/debug`]: [/^debug mounts the service-account token \(automountServiceAccountToken is true\), though nothing declares that it calls the Kubernetes API$/],
        },
      },
    ],
  },
};
