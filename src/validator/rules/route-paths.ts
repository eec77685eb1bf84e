import { isRoute, routePathMatches } from '../../manifests';
import { defineRule, RuleFinding } from '../rule';

/**
 * Generic: the request paths of Ingresses and HTTPRoutes are paths the API server accepts. Neither
 * schema says it: the Ingress rules are in the API server's own validation, the HTTPRoute ones in
 * the CRD's CEL rules (`x-kubernetes-validations`), which a structural schema check does not run.
 */

/** Sequences an exact or prefix path may not contain (Ingress and HTTPRoute alike; `#` only HTTPRoute). */
const INGRESS_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const HTTPROUTE_SEQUENCES = [...INGRESS_SEQUENCES, '#'];
const SUFFIXES = ['/..', '/.'];
/** The characters an HTTPRoute exact or prefix path may hold (the CRD's rule). */
const HTTPROUTE_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** What is wrong with an exact or prefix path, as the API server says it; empty when nothing. */
function exactOrPrefixProblems(value: string, sequences: readonly string[], characters?: RegExp): string[] {
  const out: string[] = [];
  if (!value.startsWith('/')) out.push('must be an absolute path (start with "/")');
  for (const s of sequences) if (value.includes(s)) out.push(`must not contain "${s}"`);
  for (const s of SUFFIXES) if (value.endsWith(s)) out.push(`must not end with "${s}"`);
  if (characters && value !== '' && !characters.test(value)) out.push('holds characters a URL path may not hold unescaped');
  return out;
}

export const routePathsValid = defineRule({
  id: 'route-paths-valid',
  severity: 'error',
  runbookItem: 'Generic checks: manifests the cluster accepts (the API server\'s Ingress path validation, the HTTPRoute CRD\'s path rules)',
  description:
    'Every path of an Ingress rule and every path match of an HTTPRoute is one the API server accepts: an `Exact` or `Prefix` (`PathPrefix`) path is absolute ' +
    '(starts with `/`), holds no `//`, `/./`, `/../` or encoded slash (`%2f`), and does not end in `/.` or `/..`; an HTTPRoute path also holds no `#` and only URL ' +
    'path characters; an Ingress `ImplementationSpecific` path, when set, is absolute. Argo CD cannot sync a route the API server refuses, and a relative path ' +
    'routes nothing the component serves.',
  remediation: 'Write the path as the absolute, normalised URL path the component serves (e.g. `/account`, not `account` or `/account/./`).',
  scope: { kinds: ['Ingress', 'HTTPRoute'] },
  check(o) {
    if (!isRoute(o.object)) return [];
    const httpRoute = o.object.kind === 'HTTPRoute';
    const legacy = !httpRoute && !String(o.object.apiVersion).startsWith('networking.k8s.io/v1');
    const out: RuleFinding[] = [];
    for (const m of routePathMatches(o.object)) {
      // HTTPRoute defaults: PathPrefix, "/"; a legacy Ingress path without a type is ImplementationSpecific.
      const type = m.type ?? (httpRoute ? 'PathPrefix' : legacy ? 'ImplementationSpecific' : undefined);
      const value = m.value ?? (httpRoute ? '/' : '');
      let problems: string[];
      if (type === 'Exact' || type === 'Prefix' || type === 'PathPrefix') {
        problems = httpRoute ? exactOrPrefixProblems(value, HTTPROUTE_SEQUENCES, HTTPROUTE_CHARACTERS) : exactOrPrefixProblems(value, INGRESS_SEQUENCES);
      } else if (type === 'ImplementationSpecific' && !httpRoute) {
        problems = value !== '' && !value.startsWith('/') ? ['must be an absolute path (start with "/")'] : [];
      } else {
        continue; // RegularExpression, or a type the schema check reports
      }
      if (problems.length === 0) continue;
      out.push({
        message: `${o.object.kind} path ${JSON.stringify(value)} (${type}) ${problems.join(', ')}: the API server refuses it`,
        path: m.value === undefined ? m.path : [...m.path, httpRoute ? 'value' : 'path'],
      });
    }
    return out;
  },
});
