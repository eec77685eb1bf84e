/**
 * `npm run connectivity -- <dir> [--format txt|json|mermaid|dot] [--base <dir>]
 *   [--ingress-controller <namespace>:<key>=<value>[,...]]`
 *
 * Lists every connection the NetworkPolicies of `<dir>` allow, or with `--base` the connections
 * added, removed and changed since `<base dir>`. Documents that are not Kubernetes objects are
 * skipped with a warning on stderr.
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
import { compareConnectivity, FORMATTERS, OUTPUT_FORMATS } from '../connectivity';
import { assumedIngressController, describeIngressController, parseIngressController } from '../connectivity/ingress-controller';
import { loadManifests, ManifestError } from '../manifests';
import { analyzeConnectivity, buildPolicyIndex, IngressControllerOptions, PolicyIndex, Warning } from '../netpol';
import { badUsage, CliIo, CliProcess, linesOf, parseCommandLine, runCommand, unexpectedError, unknownFormat, UsageError } from './kit';

const USAGE = `usage: npm run connectivity -- <dir> [--format ${OUTPUT_FORMATS.join('|')}] [--base <dir>] [--ingress-controller <ns>:<key>=<value>[,...]]`;

const HELP = `${USAGE}

Lists every connection the NetworkPolicies in <dir> allow (YAML and JSON files, any depth,
multi-document files and List kinds): between workloads, to and from external IP ranges, to and
from pods that are not in the manifests, and from {ingress-controller} to what Ingresses and
HTTPRoutes route to. One line per connection: <source> => <destination> : <connections>.

Nodes:
  <ns>/<name>[<Kind>]        a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
                             ReplicationController, Job, CronJob, Rollout, bare Pod; a Pod is
                             shown as its owner, except a static pod, owned by its Node, which
                             keeps its own name)
  <start>-<end>              addresses outside the cluster
  {other-namespace}          an unlabelled pod in a namespace that is not in the manifests
  <ns>/{any-other-pod}       an unlabelled pod, not a workload, in a namespace of the manifests
                             (with its external ranges and {other-namespace} where <ns> holds
                             a workload or a policy)
  <ns>/{<labels>}, {other-namespace <labels>}/{<labels>}
                             the pods a policy peer names outside the manifests
  {ingress-controller}       the ingress controller's pods (see --ingress-controller)

Options:
  -f, --format <fmt>  output format: ${OUTPUT_FORMATS.join(', ')} (default: txt; text is txt)
                        txt      one line per connection (with --base: added/removed/changed)
                        json     [{"src","dst","conns"}]; with --base
                                 [{"change","src","dst","before","after"}] (null: no side)
                        mermaid, dot  the graph, for a pull request or Graphviz
  -b, --base <dir>    report what changed since <dir> instead: connections added, removed,
                      or with other ports; both directories judge the same pods outside the
                      manifests. Exit 1 when anything changed
  -i, --ingress-controller <namespace>:<key>=<value>[,<key>=<value>...]
                      the pods of the ingress controller, e.g. traefik:app.kubernetes.io/name=traefik
                      (applies to both directories with --base). Default: for a directory
                      named development, staging or production, that environment's
                      edge.controller in config/<env>.yaml; otherwise F5 NGINX
                      (nginx-ingress:app.kubernetes.io/name=nginx-ingress)
  -h, --help          show this help

On stderr: a warning for each document that is not a Kubernetes object (e.g. a
kustomization.yaml or a package.json; skipped), each policy problem (an invalid CIDR, a named
port no pod declares, a policy selecting nothing), and a note naming the ingress controller
assumed. None of them stops the report.

Exit codes:
  0  report written (with --base: nothing changed)
  1  with --base: the connectivity changed
  2  bad usage, an unreadable path or file, YAML that does not parse, no manifest file at all
`;

function warningLine(dir: string, w: Warning): string {
  const where = w.location ? `${path.join(dir, w.location.file)}:${w.location.line}: ` : '';
  return `connectivity: warning: ${where}${w.message}\n`;
}

/**
 * Reads the manifests of `dir` (a document that is not a Kubernetes object is skipped with a
 * warning) and indexes their policies; warnings go to stderr.
 */
function indexDirectory(dir: string, explicit: IngressControllerOptions | undefined, io: CliIo): PolicyIndex {
  const objects = loadManifests(dir, {
    onNotAnObject: (d) => io.stderr.write(warningLine(dir, { code: 'not-a-kubernetes-object', message: `${d.reason}; skipped`, location: d })),
  });
  const assumed = assumedIngressController(dir, explicit);
  const index = buildPolicyIndex(objects, { ingressController: assumed.controller });
  for (const w of index.warnings) io.stderr.write(warningLine(dir, w));
  if (index.routes().length > 0) {
    io.stderr.write(
      `connectivity: note: {ingress-controller} of ${dir} is ${describeIngressController(assumed.controller)} (${assumed.source})\n`,
    );
  }
  return index;
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
    if (!formatter) throw new UsageError(unknownFormat(FORMATTERS, format));
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
      const report = analyzeConnectivity(indexDirectory(dir, controller, io));
      io.stdout.write(formatter.format(report));
      return 0;
    }
    const base = indexDirectory(values.base, controller, io);
    const head = indexDirectory(dir, controller, io);
    const diff = compareConnectivity(base, head);
    for (const r of diff.replaced) {
      io.stderr.write(`connectivity: note: ${r.before} of ${values.base} is ${r.after} in ${dir} (the same pods, released by another kind of workload): compared as one\n`);
    }
    io.stdout.write(formatter.format(diff));
    return diff.changes.length === 0 ? 0 : 1;
  } catch (e) {
    const { err } = linesOf(io);
    if (e instanceof UsageError) return badUsage('connectivity', e.message, USAGE, { err });
    err(`connectivity: ${e instanceof ManifestError ? e.describe() : unexpectedError(e)}`);
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
