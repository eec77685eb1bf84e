/**
 * `npm run connectivity -- <dir> [--format txt|json|mermaid|dot] [--base <dir>]
 *   [--ingress-controller <namespace>:<key>=<value>[,...]]`
 *
 * Lists every connection the NetworkPolicies of `<dir>` allow, or with `--base` the connections
 * added, removed and changed since `<base dir>`.
 *
 * `{ingress-controller}` is `--ingress-controller` when given (for both directories with
 * `--base`); otherwise each directory decides its own: a directory named after one of our
 * environments (`dist/staging`) uses that environment's `edge.controller`, any other the default
 * (F5 NGINX, `nginx-ingress` / `app.kubernetes.io/name=nginx-ingress`). Which one was assumed is
 * a note on stderr whenever the manifests route traffic through an Ingress or HTTPRoute.
 *
 * Exit codes: 0 report written (with `--base`: no difference); 1 with `--base`: the connectivity
 * differs; 2 bad usage, unreadable or malformed input (`file:line: message`), internal error.
 */
import * as path from 'node:path';
import { diffConnectivity, FORMATTERS, OUTPUT_FORMATS } from '../connectivity';
import { assumedIngressController, describeIngressController, parseIngressController } from '../connectivity/ingress-controller';
import { loadManifests, ManifestError } from '../manifests';
import { analyzeConnectivity, buildPolicyIndex, ConnectivityReport, IngressControllerOptions, Warning } from '../netpol';
import { CliIo, CliProcess, firstLine, parseCommandLine, runCommand, UsageError } from './kit';

const USAGE = `usage: npm run connectivity -- <dir> [--format ${OUTPUT_FORMATS.join('|')}] [--base <dir>] [--ingress-controller <ns>:<key>=<value>[,...]]`;

const HELP = `${USAGE}

Lists every connection the NetworkPolicies in <dir> allow: between workloads, to and from
external IP ranges, to and from pods that are not in the manifests ({other-namespace}: an
unlabelled pod in a namespace that is not in them; <ns>/{any-other-pod}: an unlabelled pod in a
namespace that is; classes the policies name, e.g. kube-system/{k8s-app=kube-dns}), and from
{ingress-controller} to what Ingresses and HTTPRoutes route to.

Options:
  -f, --format <fmt>  output format: ${OUTPUT_FORMATS.join(', ')} (default: txt)
  -b, --base <dir>    report what changed since <dir> instead; exit 1 when anything did
  -i, --ingress-controller <namespace>:<key>=<value>[,<key>=<value>...]
                      the pods of the ingress controller, e.g. traefik:app.kubernetes.io/name=traefik
                      (applies to both directories with --base). Default: for a directory
                      named development, staging or production, that environment's
                      edge.controller in config/<env>.yaml; otherwise F5 NGINX
                      (nginx-ingress:app.kubernetes.io/name=nginx-ingress)
  -h, --help          show this help

Exit codes: 0 report written / no change, 1 connectivity changed (--base),
2 bad usage or unreadable input.
`;

function warningLine(dir: string, w: Warning): string {
  const where = w.location ? `${path.join(dir, w.location.file)}:${w.location.line}: ` : '';
  return `connectivity: warning: ${where}${w.message}\n`;
}

function analyze(dir: string, explicit: IngressControllerOptions | undefined, io: CliIo): ConnectivityReport {
  const objects = loadManifests(dir);
  const assumed = assumedIngressController(dir, explicit);
  const index = buildPolicyIndex(objects, { ingressController: assumed.controller });
  const report = analyzeConnectivity(index);
  for (const w of report.warnings) io.stderr.write(warningLine(dir, w));
  if (index.routes().length > 0) {
    io.stderr.write(
      `connectivity: note: {ingress-controller} of ${dir} is ${describeIngressController(assumed.controller)} (${assumed.source})\n`,
    );
  }
  return report;
}

/**
 * Runs the command with `argv` (the arguments after the script name) and returns the exit code.
 * Never throws and never prints a stack trace.
 */
export function main(argv: readonly string[], io: CliIo = process): number {
  try {
    const { values, positionals } = parseCommandLine({
      args: [...argv],
      options: {
        format: { type: 'string', short: 'f' },
        base: { type: 'string', short: 'b' },
        'ingress-controller': { type: 'string', short: 'i' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'missing <dir>' : `expected one <dir>, got ${positionals.length}`);
    }
    const format = values.format ?? 'txt';
    const formatter = FORMATTERS.get(format);
    if (!formatter) throw new UsageError(`unknown format "${format}" (expected ${OUTPUT_FORMATS.join(', ')})`);
    const dir = positionals[0];
    let controller: IngressControllerOptions | undefined;
    if (values['ingress-controller'] !== undefined) {
      try {
        controller = parseIngressController(values['ingress-controller']);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }

    if (values.base === undefined) {
      const report = analyze(dir, controller, io);
      io.stdout.write(formatter.format(report));
      return 0;
    }
    const base = analyze(values.base, controller, io);
    const head = analyze(dir, controller, io);
    const diff = diffConnectivity(base.connections, head.connections);
    for (const r of diff.replaced) {
      io.stderr.write(`connectivity: note: ${r.before} of ${values.base} is ${r.after} in ${dir} (the same pods, released by another kind of workload): compared as one\n`);
    }
    io.stdout.write(formatter.format(diff));
    return diff.changes.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`connectivity: ${e.message} (${USAGE})\n`);
    } else if (e instanceof ManifestError) {
      io.stderr.write(`connectivity: ${e.describe()}\n`);
    } else {
      io.stderr.write(`connectivity: internal error: ${firstLine(e instanceof Error ? e.message : String(e))}\n`);
    }
    return 2;
  }
}

/**
 * Runs the command as a process: sets the exit code, and stops quietly when the reader of
 * stdout or stderr goes away (`connectivity dist/production | head -1`: EPIPE), keeping that
 * exit code. Any other write error is one line on stderr and exit 2.
 */
export function run(argv: readonly string[], proc: CliProcess = process): void {
  runCommand('connectivity', main, argv, proc);
}
