/**
 * Which pods stand for `{ingress-controller}`: from `--ingress-controller`, from the environment
 * the directory is named after, or the documented default.
 */
import { inferEnvironment, loadEnvironment } from '../config/load';
import { DEFAULT_INGRESS_CONTROLLER, IngressControllerOptions } from '../netpol';
import { CTIS_TOPOLOGY } from '../topology/ctis';

/** The ingress controller a report assumes, and why. */
export interface AssumedIngressController {
  readonly controller: IngressControllerOptions;
  /**
   * Where it comes from: `--ingress-controller`, `edge.controller in config/<env>.yaml`, or
   * `the default: F5 NGINX Ingress Controller` (followed by `; config/<env>.yaml does not load`
   * when the directory is named after an environment whose file could not be used).
   */
  readonly source: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return `label key "${key}" has an invalid prefix`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) return `"${key}" is not a valid label key`;
  return undefined;
}

/**
 * Parses `<namespace>:<key>=<value>[,<key>=<value>...]`, e.g.
 * `traefik:app.kubernetes.io/name=traefik`.
 * @throws Error with a one-line message naming what is wrong
 */
export function parseIngressController(text: string): IngressControllerOptions {
  const colon = text.indexOf(':');
  if (colon === -1) throw new Error(`--ingress-controller "${text}": expected <namespace>:<key>=<value>[,<key>=<value>...]`);
  const namespace = text.slice(0, colon);
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new Error(`--ingress-controller "${text}": "${namespace}" is not a valid namespace name`);
  }
  const labels: Record<string, string> = {};
  const rest = text.slice(colon + 1);
  if (rest === '') throw new Error(`--ingress-controller "${text}": name at least one pod label <key>=<value>`);
  for (const pair of rest.split(',')) {
    const eq = pair.indexOf('=');
    if (eq === -1) throw new Error(`--ingress-controller "${text}": "${pair}" is not <key>=<value>`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) throw new Error(`--ingress-controller "${text}": ${keyProblem}`);
    if (value.length > 63 || (value !== '' && !NAME.test(value))) {
      throw new Error(`--ingress-controller "${text}": "${value}" is not a valid label value`);
    }
    if (Object.prototype.hasOwnProperty.call(labels, key)) throw new Error(`--ingress-controller "${text}": label "${key}" is given twice`);
    labels[key] = value;
  }
  return { namespace, labels };
}

/** How the controller is described to the reader: `pods {k=v} in namespace ns`. */
export function describeIngressController(c: IngressControllerOptions): string {
  const labels = Object.keys(c.labels)
    .sort()
    .map((k) => `${k}=${c.labels[k]}`)
    .join(',');
  return `pods {${labels}} in namespace ${c.namespace}`;
}

/** The default, with its source. */
export const DEFAULT_ASSUMPTION: AssumedIngressController = {
  controller: DEFAULT_INGRESS_CONTROLLER,
  source: 'the default: F5 NGINX Ingress Controller',
};

/**
 * The controller a report of `dir` assumes:
 * 1. `explicit` (from `--ingress-controller`) when given;
 * 2. when the directory is named after one of our environments (`development`, `staging`,
 *    `production`, e.g. `dist/staging`) or lies in one (`inferEnvironment`), and its
 *    `config/<env>.yaml` loads, that environment's `edge.controller` (namespace and pod labels);
 * 3. otherwise {@link DEFAULT_ASSUMPTION} (the source then says why the environment's file was
 *    not used, when there was one).
 * @param configDir folder of the environment files (default: the project's `config/`)
 */
export function assumedIngressController(
  dir: string,
  explicit?: IngressControllerOptions,
  configDir?: string,
): AssumedIngressController {
  if (explicit) return { controller: explicit, source: '--ingress-controller' };
  const name = inferEnvironment(dir);
  if (!name) return DEFAULT_ASSUMPTION;
  try {
    const env = loadEnvironment(name, CTIS_TOPOLOGY, configDir);
    return {
      controller: { namespace: env.edge.controller.namespace, labels: { ...env.edge.controller.podLabels } },
      source: `edge.controller in config/${name}.yaml`,
    };
  } catch {
    return { ...DEFAULT_ASSUMPTION, source: `${DEFAULT_ASSUMPTION.source}; config/${name}.yaml does not load` };
  }
}
