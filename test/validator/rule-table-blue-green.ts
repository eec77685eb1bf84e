/**
 * Valid/invalid cases of the blue-green rules (Argo Rollouts). Production releases auth-server,
 * api and frontend blue-green with a pre-promotion analysis; staging and development roll.
 * Merged into `RULE_CASES`.
 */
import { renderEnvironment } from '../../charts/app';
import type { EnvironmentConfig, EnvironmentName, StrategyConfig } from '../../src/config/schema';
import { LoadedObject, parseManifests } from '../../src/manifests';
import { CTIS_TOPOLOGY } from '../../src/topology/ctis';
import { given, Model, unset } from '../support/k8s';
import { withProfile } from '../support/render';
import { allDist, distObjects, env, find, mutate, withExtra } from './fixtures';
import type { RuleCase, RuleCases } from './rule-table';

const P = 'ctis-production';
const S = 'ctis-staging';
const D = 'ctis-development';

/** An environment's configuration with some workloads' strategies replaced. */
function withStrategies(e: EnvironmentName, strategies: Record<string, StrategyConfig>, extra: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  const base = env(e);
  const workloads = Object.fromEntries(Object.entries(base.workloads).map(([id, w]) => [id, strategies[id] ? { ...w, strategy: strategies[id] } : w]));
  return { ...base, ...extra, workloads };
}

/** What the generator renders for a configuration, as loaded objects. */
function rendered(config: EnvironmentConfig): LoadedObject[] {
  return [...renderEnvironment(CTIS_TOPOLOGY, config)].flatMap(([file, text]) => parseManifests(text, file.replace(/^[^/]+\//, '')));
}

const CONTROLLER = { controller: { namespace: 'argo-rollouts', podLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } } };

/** Staging with api released blue-green, its preview on a host behind the admin allow-list. */
const STAGING_PREVIEW = withStrategies(
  'staging',
  { api: { type: 'blue-green', promotion: 'manual', scaleDownDelaySeconds: 30, prePromotionAnalysis: { count: 3, interval: '10s' }, previewHost: 'preview-api.staging.ctis.betts.example' } },
  { rollouts: CONTROLLER },
);

/** Production under the gateway-api profile (HTTPRoutes), as rendered. */
const PRODUCTION_GATEWAY = withProfile(env('production'), 'gateway-api');

/** A Deployment running a Rollout's pod template (the way it was before the switch). */
function asDeployment(rollout: Model<'Rollout'>, name = rollout.metadata.name): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...rollout.metadata, name },
    spec: {
      revisionHistoryLimit: 5,
      selector: rollout.spec.selector,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: rollout.spec.template,
    },
  };
}

/** The objects without one object. */
const without = (o: LoadedObject[], kind: string, name: string) => o.filter((x) => !(x.object.kind === kind && x.object.metadata?.name === name));

const blueGreen = (o: LoadedObject[], name: string) => find(o, 'Rollout', name).spec.strategy.blueGreen;
const analysisUrl = (o: LoadedObject[], name: string) => find(o, 'AnalysisTemplate', `${name}-preview-health`).spec.metrics[0].provider.web;

export const BLUE_GREEN_CASES: Record<string, RuleCases> = {
  'rollout-strategy-safe': {
    valid: [
      ...allDist(),
      {
        name: 'a canary Rollout that keeps every pod until the new ones are ready',
        objects: mutate('production', (o) => {
          find(o, 'Rollout', 'api').spec.strategy = given({ canary: { maxUnavailable: 0, maxSurge: 1 } });
        }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'a 10 s scale-down delay; no strategy; an auto-promotion delay that is ignored',
        objects: mutate('production', (o) => {
          blueGreen(o, 'api').scaleDownDelaySeconds = 10;
          find(o, 'Rollout', 'frontend').spec.strategy = given({});
          blueGreen(o, 'auth-server').autoPromotionSeconds = 60;
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^scaleDownDelaySeconds 10 scales the old colour down before every node stops sending it traffic \(30 s at least\)$/],
          [`Rollout/${P}/frontend`]: [/^the Rollout names no strategy/],
          [`Rollout/${P}/auth-server`]: [/^autoPromotionSeconds is ignored while autoPromotionEnabled is false$/],
        },
        warnings: [/autoPromotionSeconds is ignored/],
      },
      {
        name: 'canary without maxUnavailable; canary that cannot progress',
        objects: mutate('production', (o) => {
          find(o, 'Rollout', 'api').spec.strategy = given({ canary: { steps: [{ setWeight: 20 }] } });
          find(o, 'Rollout', 'frontend').spec.strategy = given({ canary: { maxUnavailable: 0, maxSurge: '0%' } });
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^canary maxUnavailable is unset \(default 25%\), not 0$/],
          [`Rollout/${P}/frontend`]: [/^canary maxSurge and maxUnavailable are both 0/],
        },
      },
    ],
  },

  'release-strategy': {
    valid: [
      ...allDist(),
      { name: 'staging with a blue-green api and a preview host, as rendered', env: 'staging', config: { workloads: STAGING_PREVIEW.workloads, rollouts: CONTROLLER }, objects: () => rendered(STAGING_PREVIEW), expect: {} },
    ],
    invalid: [
      {
        name: 'production api runs as a Deployment again; frontend promotes itself; auth-server promotes without its analysis',
        objects: mutate('production', (o) => {
          const api = find(o, 'Rollout', 'api');
          blueGreen(o, 'frontend').autoPromotionEnabled = true;
          unset(blueGreen(o, 'auth-server'), 'prePromotionAnalysis');
          return withExtra(without(o, 'Rollout', 'api'), [asDeployment(api)]);
        }),
        expect: {
          [`Deployment/${P}/api`]: [/^api is released blue-green in config\/production\.yaml, but a Deployment runs it$/],
          [`Rollout/${P}/frontend`]: [/^promotion is manual in config\/production\.yaml, but autoPromotionEnabled is true$/],
          [`Rollout/${P}/auth-server`]: [/^config\/production\.yaml declares a pre-promotion analysis, but the Rollout promotes without one$/],
        },
      },
      {
        name: 'staging rolls api, but a Rollout runs it',
        env: 'staging',
        objects: () => rendered(STAGING_PREVIEW),
        expect: { [`Rollout/${S}/api`]: [/^api is released rolling in config\/staging\.yaml, but a Rollout runs it$/] },
      },
      {
        name: 'an analysis the configuration does not declare',
        config: { workloads: withStrategies('production', { api: { type: 'blue-green', promotion: 'manual', scaleDownDelaySeconds: 120, prePromotionAnalysis: false } }).workloads },
        objects: () => distObjects('production'),
        expect: { [`Rollout/${P}/api`]: [/^the Rollout runs a pre-promotion analysis that config\/production\.yaml does not declare/] },
      },
    ],
  },

  'rollout-services': {
    valid: allDist(),
    invalid: [
      {
        name: 'the preview Service is missing; active and preview are one; the roles are swapped',
        objects: mutate('production', (o) => {
          blueGreen(o, 'frontend').previewService = 'frontend';
          Object.assign(blueGreen(o, 'auth-server'), { activeService: 'auth-server-preview', previewService: 'auth-server' });
          return without(o, 'Service', 'api-preview');
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^previewService api-preview is not in the manifests$/],
          [`Rollout/${P}/frontend`]: [
            /^the active and preview Services are both frontend: the preview would take live traffic$/,
            /^the preview Service is frontend, the Service clients use: they would reach the unreleased colour$/,
          ],
          [`Rollout/${P}/auth-server`]: [
            /^clients of auth-server use Service auth-server, but the active Service is auth-server-preview$/,
            /^the preview Service is auth-server, the Service clients use/,
          ],
        },
      },
      {
        name: 'no preview Service; a preview Service of another instance; one that selects every component',
        objects: mutate('production', (o) => {
          unset(blueGreen(o, 'api'), 'previewService');
          find(o, 'Service', 'frontend-preview').spec.selector['app.kubernetes.io/instance'] = 'ctis-staging';
          find(o, 'Service', 'auth-server-preview').spec.selector = { 'app.kubernetes.io/part-of': 'ctis' };
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^blueGreen\.previewService is not set$/],
          [`Rollout/${P}/frontend`]: [/^previewService frontend-preview does not select the Rollout's pods/],
          [`Rollout/${P}/auth-server`]: [/^previewService auth-server-preview also selects the pods of Rollout api, Deployment app-server, Rollout frontend$/],
        },
      },
    ],
  },

  'rollout-analysis': {
    valid: allDist(),
    invalid: [
      {
        name: 'api checks the active Service; frontend names a missing template; auth-server checks liveness',
        objects: mutate('production', (o) => {
          analysisUrl(o, 'api').url = 'http://api.ctis-production.svc.cluster.local:8080/health/ready';
          blueGreen(o, 'frontend').prePromotionAnalysis.templates[0].templateName = 'frontend-preview-healt';
          analysisUrl(o, 'auth-server').url = 'http://auth-server-preview:8080/health/live';
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^metric preview-ready of api-preview-health does not check the preview pods: it requests api\.ctis-production\.svc\.cluster\.local, not the preview Service api-preview: the active Service reaches the old colour$/],
          [`Rollout/${P}/frontend`]: [/^AnalysisTemplate frontend-preview-healt is not in the manifests$/],
          [`Rollout/${P}/auth-server`]: [/^metric preview-ready of auth-server-preview-health does not check the preview pods: it requests \/health\/live, not the readiness endpoint \/health\/ready$/],
        },
      },
      {
        name: 'a port the preview Service lacks; a port that reaches another container port',
        objects: mutate('production', (o) => {
          analysisUrl(o, 'api').url = 'http://api-preview.ctis-production.svc:9090/health/ready';
          find(o, 'Service', 'frontend-preview').spec.ports.push(given({ name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' }));
          analysisUrl(o, 'frontend').url = 'http://frontend-preview.ctis-production.svc.cluster.local:9100/health/ready';
        }),
        expect: {
          [`Rollout/${P}/api`]: [/^metric preview-ready of api-preview-health does not check the preview pods: the preview Service api-preview has no port 9090$/],
          [`Rollout/${P}/frontend`]: [/: port 9100 of frontend-preview reaches container port 9100, not the readiness port 3000$/],
        },
      },
    ],
  },

  'preview-not-public': {
    valid: [...allDist(), { name: 'a preview host behind the staging admin allow-list, as rendered', env: 'staging', config: { workloads: STAGING_PREVIEW.workloads, rollouts: CONTROLLER }, objects: () => rendered(STAGING_PREVIEW), expect: {} }],
    invalid: [
      {
        name: 'an Ingress sends a public host to the preview of api; the preview of frontend is a LoadBalancer',
        objects: mutate('production', (o) => {
          const ingress = structuredClone(find(o, 'Ingress', 'api'));
          ingress.metadata.name = 'api-preview';
          ingress.spec.rules[0].host = 'preview.api.ctis.betts.example';
          ingress.spec.tls[0].hosts = ['preview.api.ctis.betts.example'];
          for (const p of ingress.spec.rules[0].http.paths) p.backend.service.name = 'api-preview';
          find(o, 'Service', 'frontend-preview').spec.type = 'LoadBalancer';
          return withExtra(o, [ingress]);
        }),
        expect: {
          [`Ingress/${P}/api-preview`]: [/^Ingress routes https:\/\/preview\.api\.ctis\.betts\.example\/api to api-preview, the preview Service of Rollout api \(open to everyone\)$/],
          [`Service/${P}/frontend-preview`]: [/^the preview Service of Rollout frontend has type LoadBalancer/],
        },
      },
      {
        name: 'gateway-api: an HTTPRoute sends the api host to the preview of api',
        config: { edge: PRODUCTION_GATEWAY.edge },
        objects: () => {
          const o = rendered(PRODUCTION_GATEWAY);
          const route = structuredClone(find(o, 'HTTPRoute', 'api'));
          route.metadata.name = 'api-preview';
          for (const rule of route.spec.rules) for (const b of rule.backendRefs ?? []) b.name = 'api-preview';
          return withExtra(o, [route]);
        },
        expect: { [`HTTPRoute/${P}/api-preview`]: [/^HTTPRoute routes https:\/\/api\.ctis\.betts\.example\/.* to api-preview, the preview Service of Rollout api \(open to everyone\)$/] },
      },
      {
        name: 'the staging preview host loses its allow-list Middleware',
        env: 'staging',
        config: { workloads: STAGING_PREVIEW.workloads, rollouts: CONTROLLER },
        objects: () => {
          const o = rendered(STAGING_PREVIEW);
          const ann = find(o, 'Ingress', 'api-preview').metadata.annotations;
          ann['traefik.ingress.kubernetes.io/router.middlewares'] = 'ctis-staging-hsts@kubernetescrd';
          return o;
        },
        expect: { [`Ingress/${S}/api-preview`]: [/routes https:\/\/preview-api\.staging\.ctis\.betts\.example\/api to api-preview, the preview Service of Rollout api \(open to everyone\)$/] },
      },
    ],
  },

  'no-rollout-hash-selector': {
    valid: [
      ...allDist(),
      {
        name: 'a live Service the Rollouts controller manages (as kubectl get shows it)',
        objects: mutate('production', (o) => {
          const svc = find(o, 'Service', 'api');
          svc.spec.selector['rollouts-pod-template-hash'] = '5d8f7c9b6';
          svc.metadata.annotations['argo-rollouts.argoproj.io/managed-by-rollouts'] = 'api';
        }),
        expect: {},
      },
    ],
    invalid: [
      {
        name: 'a policy, a budget and a Service pinned to one colour',
        objects: mutate('production', (o) => {
          find(o, 'NetworkPolicy', 'api').spec.podSelector.matchLabels['rollouts-pod-template-hash'] = '5d8f7c9b6';
          find(o, 'PodDisruptionBudget', 'frontend').spec.selector.matchExpressions = [{ key: 'rollouts-pod-template-hash', operator: 'In', values: ['5d8f7c9b6'] }];
          find(o, 'Service', 'auth-server-preview').spec.selector['rollouts-pod-template-hash'] = '77f9c6d4b8';
        }),
        expect: {
          [`NetworkPolicy/${P}/api`]: [/^the selector at spec\.podSelector names rollouts-pod-template-hash, which changes with every release$/],
          [`PodDisruptionBudget/${P}/frontend`]: [/^the selector at spec\.selector names rollouts-pod-template-hash/],
          [`Service/${P}/auth-server-preview`]: [/^the selector at spec\.selector names rollouts-pod-template-hash/],
        },
      },
      {
        name: 'peers of a policy pinned to one colour, by label and by expression (a label that is not text is no label)',
        objects: mutate('production', (o) => {
          const policy = find(o, 'NetworkPolicy', 'frontend');
          policy.spec.egress[1].to[0].podSelector.matchLabels['rollouts-pod-template-hash'] = '5d8f7c9b6';
          policy.spec.ingress[1].from[0].podSelector.matchExpressions = [{ key: 'rollouts-pod-template-hash', operator: 'In', values: ['5d8f7c9b6'] }];
          (policy.spec.ingress[0].from[0].podSelector.matchLabels as Record<string, unknown>)['rollouts-pod-template-hash'] = 5;
        }),
        expect: {
          [`NetworkPolicy/${P}/frontend`]: [
            /^the selector at spec\.ingress\.1\.from\.0\.podSelector names rollouts-pod-template-hash/,
            /^the selector at spec\.egress\.1\.to\.0\.podSelector names rollouts-pod-template-hash/,
          ],
        },
      },
    ],
  },

  'hpa-target-replaced': {
    valid: allDist(),
    invalid: [
      {
        name: 'the api autoscaler still scales the Deployment the Rollout replaced',
        objects: mutate('production', (o) => {
          find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' };
        }),
        expect: { [`HorizontalPodAutoscaler/${P}/api`]: [/^scale target Deployment api: Rollout api replaced Deployment api; the autoscaler must scale the Rollout$/] },
        remediations: [[/Rollout api replaced/, /^Set scaleTargetRef to \{apiVersion: argoproj\.io\/v1alpha1, kind: Rollout, name: api\}\.$/]],
      },
      {
        name: 'the frontend autoscaler scales the Deployment its Rollout runs through workloadRef',
        objects: mutate('production', (o) => {
          const rollout = find(o, 'Rollout', 'frontend');
          const deployment = asDeployment(rollout, 'frontend-template');
          unset(rollout.spec, 'template');
          rollout.spec.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend-template', scaleDown: 'onsuccess' };
          find(o, 'HorizontalPodAutoscaler', 'frontend').spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend-template' };
          return withExtra(o, [deployment]);
        }),
        expect: {
          [`HorizontalPodAutoscaler/${P}/frontend`]: [/^scale target Deployment frontend-template: Rollout frontend runs Deployment frontend-template through workloadRef and scales it to zero; the autoscaler must scale the Rollout$/],
        },
      },
    ],
  },
};

/** Cases of other rules that blue-green releases add: the analysis path, the policies of both colours, both colours counted as running pods. */
export const BLUE_GREEN_EXTRA_CASES: Record<string, RuleCase[]> = {
  'network-missing-edge': [
    {
      name: "a Rollout's pods lose their NetworkPolicy",
      objects: mutate('production', (o) => without(o, 'NetworkPolicy', 'frontend')),
      expect: {
        // Nothing but default-deny selects frontend: every edge is reported on it, the side that does not admit it.
        [`Rollout/${P}/frontend`]: [
          /^missing edge argo-rollouts \(argo-rollouts\) -> frontend \(TCP 3000, pre-promotion analysis\): no ingress rule of the policies selecting frontend \(default-deny\) admits it$/,
          /^missing edge frontend -> api \(TCP 8080, API calls\): no egress rule of the policies selecting frontend \(default-deny\) admits it$/,
          /^missing edge frontend -> auth-server \(TCP 8080, server-side token exchange\): no egress rule/,
          /^missing edge frontend -> kube-dns \(kube-system\) \(TCP 53;UDP 53, cluster DNS\): no egress rule/,
          /^missing edge frontend -> otel-collector 10\.20\.11\.0-10\.20\.11\.255 \(TCP 443, otel-collector\): no egress rule/,
          /^missing edge ingress controller \(nginx-ingress\) -> frontend \(TCP 3000, public edge\): no ingress rule/,
          /^missing edge prometheus \(monitoring\) -> frontend \(TCP 9464, Prometheus scrapes \/metrics\): no ingress rule/,
        ],
      },
      remediations: [[/frontend -> api/, /^Add a NetworkPolicy frontend selecting the pods of frontend with an egress rule to api on TCP 8080\.$/]],
    },
    {
      name: 'the pre-promotion analysis of api is not admitted',
      objects: mutate('production', (o) => {
        const p = find(o, 'NetworkPolicy', 'api');
        p.spec.ingress = p.spec.ingress.filter((r) => !JSON.stringify(r.from).includes('argo-rollouts'));
      }),
      expect: { [`NetworkPolicy/${P}/api`]: [/^missing edge argo-rollouts \(argo-rollouts\) -> api \(TCP 8080, pre-promotion analysis\): NetworkPolicy api \(ingress of api\) does not admit it$/] },
    },
  ],
  'network-extra-connection': [
    {
      name: 'the Rollouts controller is admitted to staging api, which runs no analysis; its whole namespace reaches production frontend',
      env: 'staging',
      objects: mutate('staging', (o) => {
        find(o, 'NetworkPolicy', 'api').spec.ingress.push(
          given({
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'argo-rollouts' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } } }],
            ports: [{ port: 8080, protocol: 'TCP' }],
          }),
        );
      }),
      expect: { [`NetworkPolicy/${S}/api`]: [/through ingress\[\d+\]\.from\[0\] \(namespaceSelector \{kubernetes\.io\/metadata\.name=argo-rollouts\}, podSelector \{app\.kubernetes\.io\/name=argo-rollouts\}; ports TCP 8080\): argo-rollouts \(argo-rollouts\) -> api \(TCP 8080\)$/] },
    },
    {
      name: 'the whole argo-rollouts namespace reaches frontend (namespaceSelector without podSelector)',
      objects: mutate('production', (o) => {
        for (const rule of find(o, 'NetworkPolicy', 'frontend').spec.ingress) {
          for (const peer of rule.from ?? []) if (peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'argo-rollouts') unset(peer, 'podSelector');
        }
      }),
      expect: { [`NetworkPolicy/${P}/frontend`]: [/through ingress\[\d+\]\.from\[0\] \(namespaceSelector \{kubernetes\.io\/metadata\.name=argo-rollouts\}; ports TCP 3000\): pod app=stray in namespace argo-rollouts -> frontend \(TCP 3000\)$/] },
    },
  ],
  'data-protection-keys': [
    {
      name: 'development: a single-replica blue-green auth-server on a ReadWriteOnce claim (two pods run during a release)',
      env: 'development',
      config: {
        workloads: withStrategies('development', { 'auth-server': { type: 'blue-green', promotion: 'automatic', scaleDownDelaySeconds: 30, prePromotionAnalysis: false } }).workloads,
        features: { ...env('development').features, hangfireStorage: 'PostgreSql' },
      },
      objects: () => {
        const c = withStrategies('development', { 'auth-server': { type: 'blue-green', promotion: 'automatic', scaleDownDelaySeconds: 30, prePromotionAnalysis: false } });
        const o = rendered({ ...c, features: { ...c.features, hangfireStorage: 'PostgreSql' } });
        find(o, 'PersistentVolumeClaim', 'auth-server-data-protection').spec.accessModes = ['ReadWriteOnce'];
        return o;
      },
      expect: {
        [`PersistentVolumeClaim/${D}/auth-server-data-protection`]: [/^up to 2 auth-server pods \(both colours of a blue-green release\) share Data Protection keys on this claim, but it is ReadWriteOnce, not ReadWriteMany$/],
      },
    },
  ],
  'hangfire-durable-storage': [
    {
      name: 'development: in-memory Hangfire beside a single-replica blue-green auth-server (two pods run during a release)',
      env: 'development',
      objects: () => rendered(withStrategies('development', { 'auth-server': { type: 'blue-green', promotion: 'automatic', scaleDownDelaySeconds: 30, prePromotionAnalysis: false } })),
      expect: {
        [`Rollout/${D}/auth-server`]: [/^Hangfire__Storage=InMemory \(ConfigMap auth-server-settings\) but auth-server can run more than one pod$/],
        [`Deployment/${D}/app-server`]: [/^Hangfire__Storage=InMemory \(ConfigMap app-server-settings\) but auth-server can run more than one pod$/],
      },
    },
  ],
  // The rules about pods read a Rollout's template as they read a Deployment's.
  'health-probes': [
    {
      name: 'a Rollout whose readiness probe moved off the health endpoint',
      objects: mutate('production', (o) => {
        find(o, 'Rollout', 'api').spec.template.spec.containers[0].readinessProbe.httpGet.path = '/';
      }),
      expect: { [`Rollout/${P}/api`]: [/^readinessProbe of api probes \/, not \/health\/ready$/] },
    },
  ],
  'pod-security-restricted': [
    {
      name: 'a Rollout whose container may escalate privileges',
      objects: mutate('production', (o) => {
        find(o, 'Rollout', 'frontend').spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      }),
      expect: { [`Rollout/${P}/frontend`]: [/allowPrivilegeEscalation/] },
    },
  ],
  'secret-source': [
    {
      name: 'a Rollout reading a Secret nothing produces',
      objects: mutate('production', (o) => {
        find(o, 'Rollout', 'auth-server').spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name = 'hand-made';
      }),
      expect: { [`Rollout/${P}/auth-server`]: [/references Secret hand-made, which no ExternalSecret or Certificate in ctis-production produces/] },
    },
  ],
  'pdb-required': [
    {
      name: 'a Rollout without its disruption budget',
      objects: mutate('production', (o) => without(o, 'PodDisruptionBudget', 'frontend')),
      expect: { [`Rollout/${P}/frontend`]: [/^up to 6 pods can run but no PodDisruptionBudget selects them$/] },
    },
  ],
  'service-selects-pods': [
    {
      name: 'a preview Service forwarding to a port the Rollout\'s pods do not declare',
      objects: mutate('production', (o) => {
        find(o, 'Service', 'api-preview').spec.ports[0].targetPort = 'web';
      }),
      expect: { [`Service/${P}/api-preview`]: [/^targetPort web is not a container port name of the selected pods$/] },
    },
  ],
  'alerts-cover-stack': [
    {
      name: 'production: the no-ready-pod alert of a Rollout is gone (kube-state-metrics knows no Rollouts)',
      objects: mutate('production', (o) => {
        for (const g of find(o, 'PrometheusRule', 'ctis-alerts').spec.groups) g.rules = g.rules.filter((r) => !r.expr.includes('rollout_info_replicas_available{namespace="ctis-production", name="api"}'));
      }),
      expect: { [`Rollout/${P}/api`]: [/^no alert watches api having no ready pod \(an expression selecting rollout_info_replicas_available\{name="api"\}\)$/] },
    },
  ],
};
