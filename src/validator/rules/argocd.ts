import { IMMUTABLE_HINT, immutableKind } from '../../delivery/revision';
import { at, Fields, isRecord, list, LoadedObject, records, str, text } from '../../manifests';
import type { ValidationContext } from '../context';
import { generatedParameters, parameterFileOf, templateParameters } from '../k8s/applicationset';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';

/**
 * The Argo CD objects of an environment's delivery (`dist/argocd`): a promoted environment's
 * Application syncs the immutable ref its configuration names, and the project's sync windows
 * are the ones the configuration declares. Each validation judges the Applications whose
 * destination is its environment's namespace.
 */

const RUNBOOK = 'Delivery: production receives changes by promotion of an immutable ref, inside its sync windows';

/** Where the Argo CD rules run, for their descriptions. */
const WHERE = 'Judged on the Argo CD output (`dist/argocd`: the synth gate and `npm test` run it once per environment) and on any folder holding these objects.';

/** Where an Application syncs to, as sync windows select it. */
interface AppTarget {
  readonly name: string;
  readonly namespace: string;
  readonly server: string;
  readonly cluster: string;
}

function targetOf(app: LoadedObject): AppTarget {
  const d = at(app.object, ['spec', 'destination']);
  return {
    name: str(app.object.metadata?.name) ?? '',
    namespace: str(at(d, ['namespace'])) ?? '',
    server: str(at(d, ['server'])) ?? '',
    cluster: str(at(d, ['name'])) ?? '',
  };
}

/** The Applications of the validated environment: those deploying into its namespace. */
function environmentApplications(ctx: ValidationContext): LoadedObject[] {
  return ctx.objects.ofKind('Application').filter((a) => !ctx.schema.isMalformed(a) && targetOf(a).namespace === ctx.namespace);
}

function describeRevision(revision: string | undefined): string {
  return revision === undefined || revision === '' || revision === 'HEAD' ? "HEAD (the repository's default branch)" : revision;
}

/** Each `targetRevision` of an Application with its path (`spec.source`, or every `spec.sources[i]`). */
function revisions(spec: unknown): Array<{ revision: string | undefined; path: (string | number)[] }> {
  const source = at(spec, ['source']);
  if (isRecord(source)) return [{ revision: str(source.targetRevision), path: ['spec', 'source', 'targetRevision'] }];
  return records(at(spec, ['sources'])).map(({ item, index }) => ({ revision: str(item.targetRevision), path: ['spec', 'sources', index, 'targetRevision'] }));
}

/** A promoted environment's Application syncs its configured immutable ref, never a branch. */
export const argocdImmutableRevision = defineRule({
  id: 'argocd-immutable-revision',
  severity: 'error',
  runbookItem: RUNBOOK,
  description:
    `The Application of an environment delivered by promotion (\`argocd.delivery: promoted\`; production always is) syncs ${IMMUTABLE_HINT} — ` +
    "the ref its configuration names — never a branch, so a merge reaches it only when promoted. An ApplicationSet template that gives every " +
    `Application it generates one literal branch would break this too. ${WHERE}`,
  remediation: 'Move the environment with `npm run promote -- --env <env> --to <tag or commit>` (it updates the configuration and dist/argocd); never point it at a branch.',
  scope: { kinds: ['Application', 'ApplicationSet'] },
  check(o, ctx) {
    if (ctx.env.argocd.delivery !== 'promoted') return [];
    const ref = ctx.env.argocd.ref;
    const env = ctx.env.name;
    if (o.object.kind === 'ApplicationSet') {
      const template = at(o.object, ['spec', 'template']);
      const namespace = str(at(template, ['spec', 'destination', 'namespace']));
      if (namespace !== undefined && !namespace.includes('{{') && namespace !== ctx.namespace) return [];
      return revisions(at(template, ['spec']))
        .filter((r) => !(r.revision ?? '').includes('{{') && immutableKind(r.revision ?? '') === undefined)
        .map((r) => ({
          message: `every Application this ApplicationSet generates, ${env}'s included, syncs ${describeRevision(r.revision)}, not ${env}'s promoted ref ${ref}`,
          path: ['spec', 'template', ...r.path],
          remediation: "Template the revision from each environment's parameters (`targetRevision: '{{ .targetRevision }}'`).",
        }));
    }
    if (targetOf(o).namespace !== ctx.namespace) return [];
    const name = targetOf(o).name;
    const out: RuleFinding[] = [];
    for (const r of revisions(o.object.spec)) {
      if (immutableKind(r.revision ?? '') === undefined) {
        out.push({
          message: `Application ${name} of ${env} syncs ${describeRevision(r.revision)}, a moving ref: every merge would reach ${env} without a promotion`,
          path: r.path,
          remediation: `Point it at the promoted ref ${ref} (npm run synth renders it from config/${env}.yaml); move ${env} only with npm run promote -- --env ${env} --to <release tag or commit>.`,
        });
      } else if (r.revision !== ref) {
        out.push({
          message: `Application ${name} of ${env} syncs ${r.revision}, not the promoted ref ${ref} of config/${env}.yaml`,
          path: r.path,
          remediation: `Render the Argo CD output again (npm run synth), or promote with npm run promote -- --env ${env} --to ${r.revision}.`,
        });
      }
    }
    return out;
  },
});

/** Argo CD's wildcard match of a window's applications, namespaces and clusters (`*` and `?`). */
function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** Whether a sync window selects an Application (by name, destination namespace or cluster; OR unless `andOperator`). */
function selects(w: Fields, app: AppTarget): boolean {
  const tests: boolean[] = [];
  const add = (patterns: unknown, values: string[]) => {
    const ps = (Array.isArray(patterns) ? (patterns as unknown[]) : []).filter((p): p is string => typeof p === 'string');
    if (ps.length > 0) tests.push(ps.some((p) => values.some((v) => v !== '' && globMatch(p, v))));
  };
  add(w.applications, [app.name]);
  add(w.namespaces, [app.namespace]);
  add(w.clusters, [app.server, app.cluster]);
  if (tests.length === 0) return false;
  return w.andOperator === true ? tests.every(Boolean) : tests.some(Boolean);
}

function describeWindow(w: { schedule?: unknown; duration?: unknown; timeZone?: unknown }): string {
  return `"${text(w.schedule)}" for ${text(w.duration)} (${text(w.timeZone ?? 'UTC')})`;
}

/** The project's allow windows for an environment's Application are exactly the configured ones, with manual sync. */
export const argocdSyncWindow = defineRule({
  id: 'argocd-sync-window',
  severity: 'error',
  runbookItem: RUNBOOK,
  description:
    "Every sync window an environment's configuration declares (`argocd.syncWindows`; production must declare one) is an `allow` window of the " +
    "AppProject that selects the environment's Application, with the same schedule, duration and time zone and `manualSync: true`; and no other " +
    `allow window selects it. Automated syncs then start only inside the declared hours, and a manual sync (an urgent fix) at any time. ${WHERE}`,
  remediation: "Render the project from the configuration (npm run synth) and apply dist/argocd/project.yaml; change the hours in config/<env>.yaml's argocd.syncWindows.",
  scope: { kinds: ['AppProject'] },
  check(o, ctx) {
    const project = str(o.object.metadata?.name);
    const mine = environmentApplications(ctx);
    const inProject = mine.filter((a) => str(at(a.object, ['spec', 'project'])) === project);
    if (mine.length > 0 && inProject.length === 0) return []; // the environment's Applications are in another project
    const apps: AppTarget[] =
      inProject.length > 0
        ? inProject.map(targetOf)
        : [{ name: `${ctx.topology.partOf}-${ctx.env.name}`, namespace: ctx.namespace, server: ctx.env.argocd.destinationServer, cluster: '' }];
    const windows = records(at(o.object, ['spec', 'syncWindows']))
      .filter(({ item }) => item.kind === 'allow')
      .map(({ item, index }) => ({ w: item, i: index }));
    const configured = ctx.env.argocd.syncWindows;
    const out: RuleFinding[] = [];
    for (const app of apps) {
      const matching = windows.filter(({ w }) => selects(w, app));
      const same = (w: Fields, c: (typeof configured)[number]) =>
        w.schedule === c.schedule && w.duration === c.duration && (str(w.timeZone) ?? 'UTC') === c.timeZone;
      for (const c of configured) {
        const hit = matching.find(({ w }) => same(w, c));
        if (!hit) {
          out.push({
            message: `the ${ctx.env.name} sync window ${describeWindow(c)} is not an allow window of this project for Application ${app.name}: automated syncs could start outside it`,
            path: ['spec', 'syncWindows'],
          });
        } else if (hit.w.manualSync !== true) {
          out.push({
            message: `sync window ${describeWindow(c)} of Application ${app.name} blocks manual syncs outside it: an urgent fix would have to wait`,
            path: ['spec', 'syncWindows', hit.i],
            remediation: `Set spec.syncWindows[${hit.i}].manualSync to true.`,
          });
        }
      }
      for (const { w, i } of matching) {
        if (configured.some((c) => same(w, c))) continue;
        out.push({
          message: `allow window ${describeWindow(w)} selects Application ${app.name} but is not declared in config/${ctx.env.name}.yaml: automated syncs could start at hours nobody declared`,
          path: ['spec', 'syncWindows', i],
          remediation: `Declare the window in config/${ctx.env.name}.yaml (argocd.syncWindows) and render again, or remove it from the project.`,
        });
      }
    }
    return out;
  },
});

/** Whether a parameter file has a value at a parameter path. */
function hasParameter(value: unknown, keys: readonly string[]): boolean {
  let v = value;
  for (const k of keys) {
    if (!isRecord(v) || !(k in v)) return false;
    v = v[k];
  }
  return true;
}

/** The parameter files of an ApplicationSet give every parameter its Go template uses. */
export const argocdParameterFile = defineEnvironmentRule({
  id: 'argocd-parameter-file',
  severity: 'error',
  runbookItem: 'Delivery: the ApplicationSet generates every environment\'s Application',
  description:
    "Every parameter file an ApplicationSet reads with a git `files` generator (`dist/argocd/environments/<env>.yaml`) is a mapping that gives each parameter the ApplicationSet's Go " +
    'templates use (`{{ .destination.namespace }}`, `{{ toJson .automated }}`) and no generator provides: with `missingkey=error` a missing one stops the ApplicationSet from generating ' +
    `the environment's Application, without it the Application gets \`<no value>\`. ${WHERE}`,
  remediation: 'Render the parameter files again (npm run synth), or add the parameter named in the message to the file.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const d of ctx.documents) {
      const owner = parameterFileOf(ctx, d);
      if (!owner) continue;
      const name = ctx.objects.nameOf(owner.appset);
      if (!isRecord(d.value)) {
        out.push({ document: d, message: `parameter file of ApplicationSet ${name} is ${Array.isArray(d.value) ? 'a sequence' : 'not a mapping'}: the generator reads a mapping of parameters` });
        continue;
      }
      const used = templateParameters(owner.appset);
      const generated = generatedParameters(owner.appset);
      if (!used || !generated) continue;
      const strict = list(at(owner.appset.object, ['spec', 'goTemplateOptions'])).includes('missingkey=error');
      const missing = used.filter((keys) => !generated.has(keys[0]) && !hasParameter(d.value, keys)).map((keys) => keys.join('.'));
      if (missing.length === 0) continue;
      out.push({
        document: d,
        message:
          `parameter file of ApplicationSet ${name} lacks ${missing.join(', ')}, which its template uses: ` +
          (strict ? 'with missingkey=error Argo CD generates no Application from it' : 'the generated Application gets "<no value>"'),
      });
    }
    return out;
  },
});
