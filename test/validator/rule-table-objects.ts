/**
 * Valid/invalid cases of the object rules: pod security, namespaces, images, labels, references
 * between objects, schemas and API versions, duplicates and suppressions.
 */
import type { EnvironmentName } from '../../src/config/schema';
import { given, unset } from '../support/k8s';
import { allDist, argoObjects, argoParameterFiles, configMap, distObjects, externalSecret, find, load, loadFiles, mutate, namespaceObject, ns, Obj, P, S, selector, service, withExtra, workload } from './fixtures';
import type { RuleCases } from './rule-table';
import { ADMISSION_RULE_CASES } from './rule-table-admission';

const netpol = (name: string, spec: Obj, e: EnvironmentName = 'production'): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns(e) }, spec });

export const OBJECT_CASES: Record<string, RuleCases> = {
  'pod-security-restricted': {
    valid: [...allDist(), { name: 'builder default', objects: () => load(workload('api')), expect: {} }],
    invalid: [
      {
        name: 'privileged root container with hostPath',
        objects: () =>
          load(
            workload('api', {
              container: { securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } },
              podSpec: { securityContext: {}, volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'host', hostPath: { path: '/' } }] },
            }),
          ),
        expect: {
          [`Deployment/${P}/api`]: [
            /volume host of type hostPath is not allowed/,
            /container api is privileged/,
            /does not set allowPrivilegeEscalation: false/,
            /does not drop ALL capabilities/,
            /adds capabilities SYS_ADMIN/,
            /does not run with runAsNonRoot: true/,
            /^container api runs as user 0 \(root\)$/,
            /has no RuntimeDefault seccomp profile/,
          ],
        },
      },
      {
        name: 'root user and runAsNonRoot false set once on the pod: reported once, on the pod',
        objects: () =>
          load(
            workload('api', {
              container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
              podSpec: { securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } },
            }),
          ),
        expect: { [`Deployment/${P}/api`]: [/^pod securityContext\.runAsNonRoot is false$/, /^pod runs as user 0 \(root\)$/] },
      },
      {
        name: 'a privileged container in a Deployment of a removed apiVersion (without the selector apps/v1 requires) and in one with schema errors elsewhere',
        objects: mutate('production', (o) => {
          const server = find(o, 'Deployment', 'app-server');
          server.apiVersion = 'extensions/v1beta1';
          unset(server.spec, 'selector');
          server.spec.template.spec.containers[0].securityContext.privileged = true;
          const frontend = find(o, 'Rollout', 'frontend');
          Object.assign(frontend.spec, { replicas: 'two', revisionHistoryLimit: [] });
          frontend.spec.template.spec.containers[0].securityContext.privileged = true;
        }),
        expect: { [`Deployment/${P}/app-server`]: [/^container app-server is privileged$/], [`Rollout/${P}/frontend`]: [/^container frontend is privileged$/] },
      },
    ],
  },

  'writable-tmp': {
    valid: allDist(),
    invalid: [
      {
        name: 'read-only root filesystem without /tmp',
        objects: () => load(workload('frontend', { container: { volumeMounts: [] }, podSpec: { volumes: [] } })),
        expect: { [`Deployment/${P}/frontend`]: [/frontend has a read-only root filesystem but no writable emptyDir at \/tmp/] },
      },
    ],
  },

  'namespace-pod-security': {
    valid: allDist(),
    invalid: [
      {
        name: 'baseline instead of restricted',
        objects: () => load([namespaceObject('production', { 'pod-security.kubernetes.io/enforce': 'baseline' })]),
        expect: { [`Namespace//${P}`]: [/enforces Pod Security "baseline", not "restricted"/] },
      },
    ],
  },

  'namespace-present': {
    valid: allDist(),
    invalid: [{ name: 'no Namespace object', objects: () => load(workload('api')), expect: { [`Deployment/${P}/api`]: [/no Namespace ctis-production in the manifests/] } }],
  },

  'image-pinned': {
    valid: allDist(),
    invalid: [
      {
        name: 'latest, no tag, bad digest; a registry port is not a tag',
        objects: () =>
          load([
            ...workload('api', { image: 'registry.example:5000/ctis/api' }),
            ...workload('frontend', { image: 'frontend:latest' }),
            ...workload('auth-server', { image: 'auth@sha256:abc' }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/has no tag/],
          [`Deployment/${P}/frontend`]: [/uses the latest tag/],
          [`Deployment/${P}/auth-server`]: [/malformed digest/],
        },
      },
    ],
  },

  'standard-labels': {
    valid: allDist(),
    invalid: [
      {
        name: 'missing labels, unknown component, template of another component',
        objects: () =>
          load([
            { ...service('api'), metadata: { name: 'api', namespace: P, labels: { 'app.kubernetes.io/name': 'api' } } },
            ...workload('api', { name: 'debug', podLabels: { 'app.kubernetes.io/name': 'shell' } }),
          ]),
        expect: {
          [`Service/${P}/api`]: [/Service lacks labels app\.kubernetes\.io\/part-of, app\.kubernetes\.io\/instance, app\.kubernetes\.io\/managed-by/],
          [`Deployment/${P}/debug`]: [/pod template names component "shell"/, /Deployment is labelled api but its pods are shell/],
        },
      },
    ],
  },

  'component-workloads': {
    valid: allDist(),
    invalid: [
      {
        name: 'production runs redis in the cluster; api twice; frontend without Service',
        objects: mutate('production', (o) =>
          withExtra(
            o.filter((x) => !(x.object.kind === 'Service' && x.object.metadata?.name === 'frontend')),
            [...workload('redis', { kind: 'StatefulSet' }), ...workload('api', { name: 'api-canary' })],
          ),
        ),
        expect: {
          [`StatefulSet/${P}/redis`]: [/redis is a managed service in production/],
          [`Deployment/${P}/api-canary`]: [/component api already runs as Rollout api/],
          [`Rollout/${P}/frontend`]: [/component frontend has no Service named frontend/],
        },
      },
    ],
  },

  'namespace-matches-environment': {
    valid: allDist(),
    invalid: [
      {
        name: 'object in another namespace and a second Namespace',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: 'default' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }]),
        expect: { [`ConfigMap/default/x`]: [/in namespace default, not the production namespace ctis-production/], [`Namespace//other`]: [/Namespace other is not the production namespace/] },
      },
    ],
  },

  'service-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'selector typo and an unknown named target port',
        objects: () =>
          load([
            ...workload('api'),
            service('api', { name: 'api-typo', selector: { 'app.kubernetes.io/name': 'apl' } }),
            { ...service('api'), spec: { selector: selector('api'), ports: [{ port: 80, targetPort: 'web' }] } },
          ]),
        expect: { [`Service/${P}/api-typo`]: [/selects no pod/], [`Service/${P}/api`]: [/targetPort web is not a container port name/] },
      },
      {
        name: 'numeric and default target ports no selected pod declares: an error for a component, a warning for other pods',
        objects: () =>
          load([
            ...workload('api'),
            { ...service('api'), spec: { selector: selector('api'), ports: [{ name: 'http', port: 80, targetPort: 9090 }, { name: 'alt', port: 8080 }] } },
            ...workload('api', { name: 'debug', podLabels: { 'app.kubernetes.io/name': 'shell' } }),
            { ...service('api', { name: 'shell' }), spec: { selector: { 'app.kubernetes.io/name': 'shell' }, ports: [{ name: 'web', port: 9000 }] } },
          ]),
        expect: {
          [`Service/${P}/api`]: [/^targetPort 9090 is not a container port of the selected pods$/],
          [`Service/${P}/shell`]: [/^port 9000 \(the default targetPort\) is not a container port of the selected pods$/],
        },
        warnings: [/^port 9000/],
      },
    ],
  },

  'route-backend-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'Ingress to a missing Service and a missing port',
        objects: mutate('production', (o) => {
          find(o, 'Ingress', 'api').spec.rules[0].http.paths[0].backend.service.name = 'apii';
          find(o, 'Ingress', 'frontend').spec.rules[0].http.paths[0].backend.service.port = given({ name: 'https' });
        }),
        expect: { [`Ingress/${P}/api`]: [/backend Service apii is not in the manifests/], [`Ingress/${P}/frontend`]: [/Service frontend has no port https/] },
      },
    ],
  },

  'hpa-target-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'HPA targets a missing Rollout',
        objects: mutate('production', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.name = 'api-v2';
        }),
        expect: { [`HorizontalPodAutoscaler/${P}/api`]: [/^scale target Rollout api-v2 is not in the manifests$/] },
      },
      {
        name: 'HPA targets a missing Deployment (staging)',
        env: 'staging',
        objects: mutate('staging', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'frontend').spec.scaleTargetRef.name = 'frontend-v2';
        }),
        expect: { [`HorizontalPodAutoscaler/${S}/frontend`]: [/^scale target Deployment frontend-v2 is not in the manifests$/] },
      },
      {
        name: 'a Rollout named with the apps group; a kind that cannot be scaled',
        objects: mutate('production', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef.apiVersion = 'apps/v1';
          find(o, 'HorizontalPodAutoscaler', 'frontend').spec.scaleTargetRef = { apiVersion: 'v1', kind: 'Service', name: 'frontend' };
        }),
        expect: {
          [`HorizontalPodAutoscaler/${P}/api`]: [/^scale target Rollout api is named with apiVersion apps\/v1, which does not serve Rollout \(argoproj\.io\/\.\.\.\)$/],
          [`HorizontalPodAutoscaler/${P}/frontend`]: [/^scale target kind Service cannot be scaled by an autoscaler/],
        },
        remediations: [[/apiVersion apps\/v1/, /^Set scaleTargetRef\.apiVersion to argoproj\.io\/v1alpha1\.$/]],
      },
    ],
  },

  'pdb-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'PDB selector matches nothing',
        objects: mutate('production', (o) => {
          find(o, 'PodDisruptionBudget', 'api').spec.selector.matchLabels['app.kubernetes.io/instance'] = 'ctis-staging';
        }),
        expect: { [`PodDisruptionBudget/${P}/api`]: [/selector selects no pod/] },
      },
    ],
  },

  'policy-selects-pods': {
    valid: allDist(),
    invalid: [
      {
        name: 'NetworkPolicy for a component that does not run here',
        objects: () => load([...workload('api'), netpol('redis', { podSelector: { matchLabels: selector('redis') }, policyTypes: ['Ingress'] })]),
        expect: { [`NetworkPolicy/${P}/redis`]: [/podSelector .* selects no pod/] },
      },
    ],
  },

  'referenced-object-exists': {
    valid: allDist(),
    invalid: [
      {
        name: 'missing ConfigMap, key, claim and ServiceAccount',
        objects: () =>
          load([
            ...workload('api', {
              settings: { A: '1' },
              envVars: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'api-settings', key: 'B' } } }, { name: 'C', valueFrom: { configMapKeyRef: { name: 'nope', key: 'C', optional: true } } }],
              volumes: [{ name: 'keys', persistentVolumeClaim: { claimName: 'keys' } }],
              podSpec: { serviceAccountName: 'api' },
              container: { envFrom: [{ configMapRef: { name: 'api-settings' } }, { configMapRef: { name: 'missing' } }] },
            }),
          ]),
        expect: {
          [`Deployment/${P}/api`]: [/env B references key B of ConfigMap api-settings/, /envFrom references ConfigMap missing/, /PersistentVolumeClaim keys/, /ServiceAccount api is not in the manifests/],
        },
      },
    ],
  },

  'schema-valid': {
    valid: [...allDist(), { name: 'builder objects', objects: () => load([...workload('api', { settings: { A: 'b' } }), service('api')]), expect: {} }],
    invalid: [
      {
        name: 'unknown field, wrong types, missing selector, duplicate container, bad name',
        objects: () =>
          load([
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'Bad_Name', namespace: P, labels: { 'app.kubernetes.io/name': 42 } },
              spec: {
                replicas: 'two',
                templates: {},
                template: { spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'a', image: 'x:1' }] } },
              },
            },
            { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: P }, spec: { ports: [{ port: 80 }, { port: 81 }] } },
          ]),
        expect: {
          [`Deployment/${P}/Bad_Name`]: [
            /metadata\.labels\.app\.kubernetes\.io\/name must be a string, not a number \(42\)/,
            /metadata\.name "Bad_Name" is not a valid name/,
            /spec\.selector is required/,
            /spec\.replicas must be an integer, not a string/,
            /unknown field spec\.templates/,
            // The pod template itself is sound: it is read despite the errors around it.
            /container name "a" is used twice in the pod/,
          ],
          [`Service/${P}/s`]: [/port 80 needs a name/, /port 81 needs a name/],
        },
      },
      {
        name: 'CRD: missing required fields and a wrong enum',
        objects: () =>
          load([
            { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: P }, spec: { dnsNames: ['a'] } },
            externalSecret('e', 'production', { refreshPolicy: 'Sometimes' }),
          ]),
        expect: {
          [`Certificate/${P}/c`]: [/spec\.issuerRef is required/, /spec\.secretName is required/],
          [`ExternalSecret/${P}/e`]: [/spec\.refreshPolicy must be one of "CreatedOnce", "Periodic", "OnChange"/],
        },
      },
    ],
  },

  'kubernetes-object': {
    valid: [
      ...allDist(),
      { name: "the Argo CD output with its ApplicationSet's parameter files", env: 'production', objects: () => argoObjects(), documents: () => argoParameterFiles(), expect: {} },
    ],
    invalid: [
      {
        name: 'a kustomization, a values file, a JSON array and a bad List item beside the production output',
        objects: () => distObjects('production'),
        documents: () =>
          loadFiles({
            'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nresources:\n  - api.yaml\n',
            'values.yaml': 'replicaCount: 2\nimage:\n  tag: 1.0.0\n',
            'list.json': '[{"apiVersion": "v1"}]\n',
            'items.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - 42\n',
          }).documents,
        expect: {
          'file kustomization.yaml': [/^document has no kind: this document is not a Kubernetes object, and Argo CD cannot sync it$/],
          'file values.yaml': [/^document has no apiVersion: /],
          'file list.json': [/^document is a sequence, not a mapping \(a Kubernetes object\): /],
          'file items.yaml': [/^item 0 of List is a number, not a mapping \(a Kubernetes object\): /],
        },
      },
      {
        name: 'a parameter file no generator of the ApplicationSet reads',
        objects: () => argoObjects(),
        documents: () => loadFiles({ 'argocd/environments/qa.json': '{"repoURL": "x"}\n', 'argocd/params/production.yaml': 'repoURL: x\n' }).documents,
        expect: { 'file argocd/environments/qa.json': [/^document has no apiVersion: /], 'file argocd/params/production.yaml': [/^document has no apiVersion: /] },
      },
    ],
  },

  'manifests-match-environment': {
    valid: [...allDist(), { name: 'a few objects in other namespaces', objects: mutate('production', (o) => void (find(o, 'ConfigMap', 'api-settings').metadata.namespace = 'tools')), expect: {} }],
    invalid: [
      {
        name: 'dist/production judged as staging',
        env: 'staging',
        objects: () => distObjects('production'),
        expect: { 'Namespace//ctis-production': [/^these manifests are not the staging environment's: \d+ of \d+ namespaced objects are in namespace ctis-production, not ctis-staging \(labelled app\.kubernetes\.io\/instance=ctis-production: validate with --env production\)$/] },
        remediations: [[/./, /^Validate with --env production /]],
      },
      {
        name: 'hand-written manifests of another namespace, without the instance label',
        objects: () => load([...workload('api', { env: 'staging' }).map((o) => ({ ...o, metadata: { ...(o.metadata as Obj), labels: {} } }))]),
        expect: { [`Deployment/${S}/api`]: [/^these manifests are not the production environment's: 1 of 1 namespaced objects are in namespace ctis-staging, not ctis-production$/] },
      },
    ],
  },

  'api-version-served': {
    valid: allDist(),
    invalid: [
      {
        name: 'external-secrets.io/v1beta1 and policy/v1beta1',
        objects: () =>
          load([
            { ...externalSecret('e'), apiVersion: 'external-secrets.io/v1beta1' },
            { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: P }, spec: {} },
            { apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'd', namespace: P } },
          ]),
        expect: {
          [`ExternalSecret/${P}/e`]: [/ExternalSecret external-secrets\.io\/v1beta1 is no longer served: use external-secrets\.io\/v1/],
          [`PodDisruptionBudget/${P}/p`]: [/no longer served: use policy\/v1/],
          [`Deployment/${P}/d`]: [/Deployment is not served as apps\/v2 \(served: apps\/v1\)/],
        },
      },
      {
        name: 'admission policies at v1beta1',
        objects: mutate('production', (o) => {
          for (const x of o) if (String(x.object.kind).startsWith('ValidatingAdmissionPolicy') && x.object.metadata?.name === 'ctis-production-pods') Object.assign(x.object, { apiVersion: 'admissionregistration.k8s.io/v1beta1' });
        }),
        expect: {
          ['ValidatingAdmissionPolicy//ctis-production-pods']: [/no longer served: use admissionregistration\.k8s\.io\/v1 \(Kubernetes 1\.30\+/],
          ['ValidatingAdmissionPolicyBinding//ctis-production-pods']: [/no longer served: use admissionregistration\.k8s\.io\/v1 \(Kubernetes 1\.30\+/],
        },
      },
    ],
  },

  'unknown-kind': {
    valid: allDist(),
    invalid: [
      {
        name: 'a kind nobody knows',
        objects: () => load([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: P } }]),
        expect: { [`Widget/${P}/w`]: [/unknown kind Widget \(example\.com\/v1\): not validated/] },
      },
    ],
  },

  'duplicate-object': {
    valid: allDist(),
    invalid: [
      {
        name: 'same ConfigMap twice (once without namespace)',
        objects: () => load([configMap('x', {}), { ...configMap('x', {}), metadata: { name: 'x' } }]),
        expect: { [`ConfigMap/${P}/x`]: [/ConfigMap\/ctis-production\/x is already defined at test\.yaml:2/] },
      },
    ],
  },

  'suppression-needs-reason': {
    valid: [{ name: 'suppression with a reason', objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.secret-literal': 'test data' } } }]), expect: {} }],
    invalid: [
      {
        name: 'empty reason',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.secret-literal': ' ' } } }]),
        expect: { [`ConfigMap/${P}/x`]: [/suppression of secret-literal has no reason/] },
      },
    ],
  },

  'suppression-unknown-rule': {
    valid: [{ name: 'known rule', objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.image-pinned': 'ok' } } }]), expect: {} }],
    invalid: [
      {
        name: 'typo in the rule id',
        objects: () => load([{ ...configMap('x', {}), metadata: { name: 'x', namespace: P, annotations: { 'ctis.io/suppress.image-pined': 'ok' } } }]),
        expect: { [`ConfigMap/${P}/x`]: [/suppression names unknown rule "image-pined"/] },
      },
    ],
  },

  ...ADMISSION_RULE_CASES,

  // Reported by the engine when a rule throws; the table runner injects a failing rule for it.
  'rule-failed': {
    valid: allDist(),
    invalid: [{ name: 'a rule that throws', objects: () => load([configMap('x', {})]), expect: { [`ConfigMap/${P}/x`]: [/rule boom could not check this object: kaboom/] } }],
  },
};
