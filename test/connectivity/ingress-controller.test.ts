import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  assumedIngressController,
  DEFAULT_ASSUMPTION,
  describeIngressController,
  parseIngressController,
} from '../../src/connectivity/ingress-controller';
import { manifestsOf, runConnectivity } from './golden';

const DIST = path.resolve(__dirname, '../../dist');

const cli = runConnectivity;

const controllerLines = (txt: string) => txt.split('\n').filter((l) => l.startsWith('{ingress-controller} => '));

describe('--ingress-controller values', () => {
  it.each([
    ['traefik:app.kubernetes.io/name=traefik', { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } }],
    ['edge:app=proxy,tier=front', { namespace: 'edge', labels: { app: 'proxy', tier: 'front' } }],
    ['edge:empty=', { namespace: 'edge', labels: { empty: '' } }],
  ])('parses %s', (text, expected) => {
    expect(parseIngressController(text)).toEqual(expected);
  });

  it.each([
    ['traefik', /expected <namespace>:<key>=<value>/],
    ['traefik:', /name at least one pod label/],
    ['Traefik:app=x', /"Traefik" is not a valid namespace name/],
    [':app=x', /"" is not a valid namespace name/],
    ['traefik:app', /"app" is not <key>=<value>/],
    ['traefik:app=x,', /"" is not <key>=<value>/],
    ['traefik:=x', /"" is not a valid label key/],
    ['traefik:-app=x', /"-app" is not a valid label key/],
    ['traefik:Bad_Prefix/app=x', /invalid prefix/],
    ['traefik:app=x y', /"x y" is not a valid label value/],
    ['traefik:app=x,app=y', /label "app" is given twice/],
  ])('rejects %j', (text, message) => {
    expect(() => parseIngressController(text)).toThrow(message);
  });

  it('rejects a bad value on the command line as bad usage: the problem, the usage line and the pointer to the help, exit 2', () => {
    const r = cli(manifestsOf('ctis'), '--ingress-controller', 'traefik:app');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'connectivity: --ingress-controller "traefik:app": "app" is not <key>=<value>',
      expect.stringMatching(/^usage: npm run connectivity -- <dir> /),
      "Try 'npm run connectivity -- --help' for every option.",
    ]);
  });
});

describe('the assumed ingress controller', () => {
  it('takes an explicit value first', () => {
    const c = { namespace: 'edge', labels: { app: 'proxy' } };
    expect(assumedIngressController(path.join(DIST, 'staging'), c)).toEqual({ controller: c, source: '--ingress-controller' });
  });

  it.each([
    ['development', 'nginx-gateway', 'nginx-gateway-fabric'],
    ['staging', 'traefik', 'traefik'],
    ['production', 'nginx-ingress', 'nginx-ingress'],
  ])('uses edge.controller of config/%s.yaml for a directory of that name', (env, namespace, name) => {
    const assumed = assumedIngressController(path.join(DIST, env) + path.sep);
    expect(assumed).toEqual({
      controller: { namespace, labels: { 'app.kubernetes.io/name': name } },
      source: `edge.controller in config/${env}.yaml`,
    });
  });

  it('uses the default for other directories, and when the environment file does not load', () => {
    expect(assumedIngressController(manifestsOf('ctis'))).toEqual(DEFAULT_ASSUMPTION);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-config-'));
    expect(assumedIngressController('dist/staging', undefined, empty)).toEqual({
      controller: DEFAULT_ASSUMPTION.controller,
      source: 'the default: F5 NGINX Ingress Controller; config/staging.yaml does not load',
    });
    expect(describeIngressController(DEFAULT_ASSUMPTION.controller)).toBe(
      'pods {app.kubernetes.io/name=nginx-ingress} in namespace nginx-ingress',
    );
  });
});

describe('{ingress-controller} in reports of the rendered environments', () => {
  it.each([
    ['development', 'nginx-gateway', 'nginx-gateway-fabric'],
    ['staging', 'traefik', 'traefik'],
    ['production', 'nginx-ingress', 'nginx-ingress'],
  ])("reaches the public components of %s through that environment's controller, and says so", (env, namespace, name) => {
    const dir = path.join(DIST, env);
    const r = cli(dir);
    expect(r.code).toBe(0);
    // production releases the public components blue-green: Rollouts run their pods.
    const kind = env === 'production' ? 'Rollout' : 'Deployment';
    expect(controllerLines(r.stdout)).toEqual([
      `{ingress-controller} => ctis-${env}/api[${kind}] : TCP 8080`,
      `{ingress-controller} => ctis-${env}/auth-server[${kind}] : TCP 8080`,
      `{ingress-controller} => ctis-${env}/frontend[${kind}] : TCP 3000`,
    ]);
    expect(r.stderr).toBe(
      `connectivity: note: {ingress-controller} of ${dir} is pods {app.kubernetes.io/name=${name}} in namespace ${namespace} (edge.controller in config/${env}.yaml)\n`,
    );
  });

  it('follows --ingress-controller over the environment', () => {
    const dir = path.join(DIST, 'staging');
    const wrong = cli(dir, '--ingress-controller', 'nginx-ingress:app.kubernetes.io/name=nginx-ingress');
    expect(controllerLines(wrong.stdout)).toEqual([]);
    expect(wrong.stderr).toMatch(/is pods \{app.kubernetes.io\/name=nginx-ingress\} in namespace nginx-ingress \(--ingress-controller\)\n$/);

    const ctis = cli(manifestsOf('ctis'), '-i', 'traefik:app.kubernetes.io/name=traefik');
    expect(controllerLines(ctis.stdout)).toEqual([]);
    expect(controllerLines(cli(manifestsOf('ctis')).stdout)).toHaveLength(3);
  });

  it('with --base, lets each directory decide its own controller unless the option is given', () => {
    // The production manifests under a directory named staging: that side assumes Traefik.
    const production = path.join(DIST, 'production');
    const staging = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'connectivity-env-')), 'staging');
    fs.cpSync(production, staging, { recursive: true });

    const own = cli(staging, '--base', production);
    expect(own.code).toBe(1);
    expect(own.stdout.trimEnd().split('\n')).toEqual([
      'Connectivity changes: 0 added, 3 removed, 0 changed',
      'removed: {ingress-controller} => ctis-production/api[Rollout] : TCP 8080',
      'removed: {ingress-controller} => ctis-production/auth-server[Rollout] : TCP 8080',
      'removed: {ingress-controller} => ctis-production/frontend[Rollout] : TCP 3000',
    ]);
    expect(own.stderr.trimEnd().split('\n')).toEqual([
      `connectivity: note: {ingress-controller} of ${production} is pods {app.kubernetes.io/name=nginx-ingress} in namespace nginx-ingress (edge.controller in config/production.yaml)`,
      `connectivity: note: {ingress-controller} of ${staging} is pods {app.kubernetes.io/name=traefik} in namespace traefik (edge.controller in config/staging.yaml)`,
    ]);

    const forced = cli(staging, '--base', production, '-i', 'nginx-ingress:app.kubernetes.io/name=nginx-ingress');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('No connectivity changes.\n');
    expect(forced.stderr).not.toMatch(/traefik/);
  });
});
