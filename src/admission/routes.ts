import { TRAEFIK_ENTRYPOINTS_ANNOTATION, TRAEFIK_MIDDLEWARES_ANNOTATION, TRAEFIK_TLS_ANNOTATION, TraefikEntryPoint, TraefikMiddleware, traefikMiddlewareRef } from '../constructs/edge';
import { ADMIN_PATHS } from '../topology/model';
import { lit, litList } from './cel';
import { AdmissionInputs, check, Check, PolicyDefinition, Variable } from './model';

/**
 * The edge: an Ingress or HTTPRoute may hand requests only to the Services of the public
 * components that run in the cluster, and never routes a path that covers an admin path
 * (`/admin`, `/ops`, `/hangfire`) of a component that serves them, unless the Traefik profile's
 * allow-list Middleware guards the router. A Service is named after its component; a route to
 * any other Service (an internal component, a Service selecting its pods under another name, a
 * resource backend) is refused, but for the preview Service of a blue-green component with a
 * preview host (Traefik with an allow-list): routed at that host only, behind the allow-list.
 */

const RULE_1 = 'SPEC §2 rule 1';
const RULE_12 = 'SPEC §2 rule 12';

/**
 * Whether a lower-cased path may reach an admin path: it is a prefix of one, or lies below one,
 * or is not a plain path (a regular expression may match anything). Conservative on purpose:
 * ASP.NET routes case-insensitively and some controllers match prefixes by string.
 */
function covers(path: string): string {
  return `(!${path}.matches('^[a-z0-9/._~%-]*$') || ${litList(ADMIN_PATHS)}.exists(a, a.startsWith(${path}) || ${path}.startsWith(a)))`;
}

/** A comma-separated annotation of the object as a list of trimmed strings (empty when absent). */
function annotationList(key: string): string {
  const k = lit(key);
  return `has(object.metadata.annotations) && ${k} in object.metadata.annotations ? object.metadata.annotations[${k}].split(',').map(m, m.trim()) : []`;
}

/** The Traefik router settings of an Ingress the admin guard reads. */
const TRAEFIK_VARIABLES = [
  { name: 'middlewares', expression: annotationList(TRAEFIK_MIDDLEWARES_ANNOTATION) },
  { name: 'entrypoints', expression: annotationList(TRAEFIK_ENTRYPOINTS_ANNOTATION) },
];

/**
 * When an Ingress of the Traefik profile may route admin paths: behind the environment's
 * allow-list Middleware (where one is configured), or on a plain-HTTP router whose redirect
 * Middleware answers every request with a redirect to https (on a TLS router the redirect does
 * nothing, so it guards nothing there).
 */
function traefikAdminGuard(namespace: string, allowList: boolean): string {
  const ref = (name: string) => lit(traefikMiddlewareRef(namespace, name));
  const tls = lit(TRAEFIK_TLS_ANNOTATION);
  const redirectOnly =
    `(${ref(TraefikMiddleware.REDIRECT_HTTPS)} in variables.middlewares && size(variables.entrypoints) > 0 && variables.entrypoints.all(e, e == ${lit(TraefikEntryPoint.HTTP)}) && ` +
    `!(has(object.metadata.annotations) && ${tls} in object.metadata.annotations && object.metadata.annotations[${tls}] == 'true'))`;
  return [...(allowList ? [`${ref(TraefikMiddleware.ADMIN_ALLOW_LIST)} in variables.middlewares`] : []), redirectOnly].join(' || ');
}

/** Ingress (networking.k8s.io/v1). */
export function ingressPolicy(inputs: AdmissionInputs): PolicyDefinition {
  return {
    concern: 'ingresses',
    description: `Ingresses: only the public components (${inputs.publicBackends().join(', ')}) are routed; admin paths only behind the allow-list.`,
    resourceRules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['ingresses'], operations: ['CREATE', 'UPDATE'] }],
    // Annotations attach the allow-list: detaching it is judged like a new route.
    judged: (root) => [`${root}.spec`, `(has(${root}.metadata.annotations) ? ${root}.metadata.annotations : {})`],
    variables: ingressVariables(inputs),
    checks: ingressChecks(inputs),
  };
}

/**
 * What the Ingress checks read: its rules, the backends that are not public components, the
 * routes that reach admin paths, the Traefik router settings (Traefik profile) and the preview
 * routes not at their preview host behind the allow-list (where a component has a preview host).
 */
function ingressVariables(inputs: AdmissionInputs): Variable[] {
  const allowed = litList(inputs.publicBackends());
  const admin = litList(inputs.adminServing());
  const previews = inputs.previewRoutes();
  const previewServices = litList(previews.map((p) => p.service));
  const isPreview = (b: string) => `(has(${b}.service) && ${b}.service.name in ${previewServices})`;
  const ok = (b: string) => `(has(${b}.service) && ${b}.service.name in ${allowed})`;
  // A path may reach a preview Service, but only at its preview host behind the allow-list (openPreviews).
  const okPath = (b: string) => (previews.length > 0 ? `(${ok(b)} || ${isPreview(b)})` : ok(b));
  const previewGuarded = (r: string, b: string) =>
    `(has(${r}.host) && (${b}.service.name + ' at ' + ${r}.host) in ${litList(previews.map((p) => `${p.service} at ${p.host}`))} && ` +
    `${lit(traefikMiddlewareRef(inputs.namespace, TraefikMiddleware.ADMIN_ALLOW_LIST))} in variables.middlewares)`;
  const name = (b: string) => `(has(${b}.service) ? ${b}.service.name : 'a ' + ${b}.resource.kind + ' resource')`;
  const path = (p: string) => `(has(${p}.path) ? ${p}.path : '/').lowerAscii()`;
  const exposes = (b: string, p: string) => `(has(${b}.service) && ${b}.service.name in ${admin} && ${covers(p)})`;
  const dflt = 'object.spec.defaultBackend';
  const traefik = inputs.env.edge.profile === 'traefik';
  return [
    { name: 'rules', expression: 'has(object.spec.rules) ? object.spec.rules : []' },
    {
      name: 'badBackends',
      expression:
        `(has(${dflt}) && !${ok(dflt)} ? [${name(dflt)}] : []) + ` +
        `variables.rules.map(r, has(r.http) ? r.http.paths.filter(p, !${okPath('p.backend')}).map(p, ${name('p.backend')}).join(', ') : '').filter(s, s != '')`,
    },
    {
      name: 'adminRoutes',
      expression:
        `(has(${dflt}) && ${exposes(dflt, "'/'")} ? [${dflt}.service.name + ' (default backend)'] : []) + ` +
        `variables.rules.map(r, has(r.http) ? r.http.paths.filter(p, ${exposes('p.backend', path('p'))}).map(p, p.backend.service.name + ' at ' + (has(r.host) ? r.host : '*') + (has(p.path) ? p.path : '/')).join(', ') : '').filter(s, s != '')`,
    },
    ...(traefik ? TRAEFIK_VARIABLES : []),
    // After the Traefik variables it reads (a variable sees only those before it).
    ...(previews.length > 0
      ? [
          {
            name: 'openPreviews',
            expression:
              `variables.rules.map(r, has(r.http) ? r.http.paths.filter(p, ${isPreview('p.backend')} && !${previewGuarded('r', 'p.backend')})` +
              `.map(p, p.backend.service.name + ' at ' + (has(r.host) ? r.host : '*')).join(', ') : '').filter(s, s != '')`,
          },
        ]
      : []),
  ];
}

/** The Ingress checks: public backends only, previews only where guarded, admin paths only behind the Traefik guard. */
function ingressChecks(inputs: AdmissionInputs): Check[] {
  const previews = inputs.previewRoutes();
  const traefik = inputs.env.edge.profile === 'traefik';
  const traefikAllowList = traefik && inputs.env.edge.adminAllowList.length > 0;
  const guard = traefik ? traefikAdminGuard(inputs.namespace, traefikAllowList) : undefined;
  return [
    check({
      id: 'ingress-backends',
      runbookItem: RULE_1,
      validatorRule: 'internal-not-exposed',
      expression: 'size(variables.badBackends) == 0',
      subject: "variables.badBackends.join(', ')",
      detail: `'Ingress ' + object.metadata.name + ' routes to it, but only the public components ${inputs.publicBackends().join(', ')} are routed'`,
      message: 'the Ingress routes to a Service that is not a public component',
    }),
    ...(previews.length > 0
      ? [
          check({
            id: 'ingress-preview-guarded',
            runbookItem: `${RULE_1}, ${RULE_12}`,
            validatorRule: 'preview-not-public',
            expression: 'size(variables.openPreviews) == 0',
            subject: "variables.openPreviews.join(', ')",
            detail: `'Ingress ' + object.metadata.name + ' routes a preview Service other than at its preview host (${previews.map((p) => `${p.service}: ${p.host}`).join(', ')}) behind the ${TraefikMiddleware.ADMIN_ALLOW_LIST} Middleware'`,
            message: 'the Ingress routes a preview Service publicly',
          }),
        ]
      : []),
    check({
      id: 'ingress-admin-paths',
      runbookItem: RULE_12,
      validatorRule: 'admin-paths-not-public',
      expression: guard ? `size(variables.adminRoutes) == 0 || ${guard}` : 'size(variables.adminRoutes) == 0',
      subject: "variables.adminRoutes.join(', ')",
      detail: `'Ingress ' + object.metadata.name + ' routes paths that reach ${ADMIN_PATHS.join(', ')}' + ${lit(
        traefikAllowList ? ` without the ${TraefikMiddleware.ADMIN_ALLOW_LIST} Middleware` : ' (admin paths are not routed in this environment)',
      )}`,
      message: 'the Ingress routes admin paths publicly',
    }),
  ];
}

/** HTTPRoute (gateway.networking.k8s.io/v1). */
export function httpRoutePolicy(inputs: AdmissionInputs): PolicyDefinition {
  const allowed = litList(inputs.publicBackends());
  const admin = litList(inputs.adminServing());
  const ok = (b: string) =>
    `((!has(${b}.group) || ${b}.group == '') && (!has(${b}.kind) || ${b}.kind == 'Service') && (!has(${b}.namespace) || ${b}.namespace == ${lit(inputs.namespace)}) && ${b}.name in ${allowed})`;
  const matchPath = (m: string) => `(has(${m}.path) && has(${m}.path.value) ? ${m}.path.value : '/')`;
  const matchCovers = (m: string) => `(has(${m}.path) && has(${m}.path.type) && ${m}.path.type == 'RegularExpression' || ${covers(`${matchPath(m)}.lowerAscii()`)})`;
  const adminRule = (r: string) =>
    `(has(${r}.backendRefs) && ${r}.backendRefs.exists(b, b.name in ${admin}) && (!has(${r}.matches) || size(${r}.matches) == 0 || ${r}.matches.exists(m, ${matchCovers('m')})))`;
  return {
    concern: 'httproutes',
    description: `HTTPRoutes: only the public components (${inputs.publicBackends().join(', ')}) are backends; admin paths are never routed.`,
    resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['v1'], resources: ['httproutes'], operations: ['CREATE', 'UPDATE'] }],
    judged: (root) => [`${root}.spec`],
    variables: [
      { name: 'rules', expression: 'has(object.spec.rules) ? object.spec.rules : []' },
      {
        name: 'badBackends',
        expression:
          `variables.rules.map(r, [has(r.backendRefs) ? r.backendRefs.filter(b, !${ok('b')}).map(b, b.name).join(', ') : '', ` +
          `has(r.filters) ? r.filters.filter(f, has(f.requestMirror) && !${ok('f.requestMirror.backendRef')}).map(f, f.requestMirror.backendRef.name + ' (mirrored)').join(', ') : ''].filter(s, s != '').join(', ')).filter(s, s != '')`,
      },
      {
        name: 'adminRoutes',
        expression:
          `variables.rules.filter(r, ${adminRule('r')}).map(r, r.backendRefs.filter(b, b.name in ${admin}).map(b, b.name).join(', ') + ' ' + ` +
          `(has(r.matches) && size(r.matches) > 0 ? r.matches.map(m, ${matchPath('m')}).join(' ') : '/'))`,
      },
    ],
    checks: [
      check({
        id: 'httproute-backends',
        runbookItem: RULE_1,
        validatorRule: 'internal-not-exposed',
        expression: 'size(variables.badBackends) == 0',
        subject: "variables.badBackends.join(', ')",
        detail: `'HTTPRoute ' + object.metadata.name + ' sends requests to it, but only the Services of the public components ${inputs.publicBackends().join(', ')} in ${inputs.namespace} are backends'`,
        message: 'the HTTPRoute has a backend that is not a public component',
      }),
      check({
        id: 'httproute-admin-paths',
        runbookItem: RULE_12,
        validatorRule: 'admin-paths-not-public',
        expression: 'size(variables.adminRoutes) == 0',
        subject: "variables.adminRoutes.join(', ')",
        detail: `'HTTPRoute ' + object.metadata.name + ' routes paths that reach ${ADMIN_PATHS.join(', ')} (the gateway-api profile has no allow-list: admin paths are not routed)'`,
        message: 'the HTTPRoute routes admin paths',
      }),
    ],
  };
}

/** Traefik's admin allow-list Middleware keeps exactly the configured ranges (only with an allow-list). */
export function allowListPolicy(inputs: AdmissionInputs): PolicyDefinition | undefined {
  const edge = inputs.env.edge;
  if (edge.profile !== 'traefik' || edge.adminAllowList.length === 0) return undefined;
  const range = 'object.spec.ipAllowList.sourceRange';
  return {
    concern: 'admin-allow-list',
    description: `The Traefik Middleware ${TraefikMiddleware.ADMIN_ALLOW_LIST} admits only the configured admin ranges.`,
    resourceRules: [
      {
        apiGroups: ['traefik.io'],
        apiVersions: ['v1alpha1'],
        resources: ['middlewares'],
        operations: ['CREATE', 'UPDATE'],
        resourceNames: [TraefikMiddleware.ADMIN_ALLOW_LIST],
      },
    ],
    judged: (root) => [`${root}.spec`],
    variables: [],
    checks: [
      check({
        id: 'allow-list-ranges',
        runbookItem: RULE_12,
        validatorRule: 'admin-paths-not-public',
        expression: `has(object.spec.ipAllowList) && has(${range}) && size(${range}) > 0 && ${range}.all(c, c in ${litList(edge.adminAllowList)})`,
        subject: lit(`Middleware ${TraefikMiddleware.ADMIN_ALLOW_LIST}`),
        detail: `'admits ' + (has(object.spec.ipAllowList) && has(${range}) ? ${range}.join(', ') : 'no range') + ', but the admin allow-list is ${edge.adminAllowList.join(', ')}'`,
        message: `the admin allow-list must be exactly within ${edge.adminAllowList.join(', ')}`,
      }),
    ],
  };
}

/**
 * Route kinds the project never renders: Traefik's IngressRoutes and the Gateway API's GRPC, TCP,
 * TLS and UDP routes reach Services as directly as an Ingress, but none of the checks above read
 * them, so they are refused outright in the namespace.
 */
export function otherRoutesPolicy(): PolicyDefinition {
  return {
    concern: 'other-routes',
    description: 'Route kinds the project does not render (Traefik IngressRoutes, Gateway API GRPC/TCP/TLS/UDP routes) are refused.',
    resourceRules: [
      { apiGroups: ['traefik.io'], apiVersions: ['v1alpha1'], resources: ['ingressroutes', 'ingressroutetcps', 'ingressrouteudps'], operations: ['CREATE', 'UPDATE'] },
      { apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['v1', 'v1alpha2'], resources: ['grpcroutes', 'tcproutes', 'tlsroutes', 'udproutes'], operations: ['CREATE', 'UPDATE'] },
    ],
    judged: (root) => [`${root}.spec`],
    variables: [],
    checks: [
      check({
        id: 'unrendered-route-kind',
        runbookItem: RULE_1,
        validatorRule: 'unknown-kind',
        expression: 'false',
        subject: "object.kind + ' ' + object.metadata.name",
        detail: "'the edge routes only through the Ingresses or HTTPRoutes of the environment\\'s profile; this kind would bypass the checks on backends and admin paths'",
        message: 'route kinds the project does not render are refused',
      }),
    ],
  };
}
