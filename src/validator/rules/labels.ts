import { at, stringMap, WORKLOAD_KIND_NAMES } from '../../manifests';
import { NAME_LABEL, PodTemplate } from '../context';
import { defineEnvironmentRule, defineRule, RuleFinding } from '../rule';

const REQUIRED = [NAME_LABEL, 'app.kubernetes.io/part-of', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by'];

/** SPEC §5: standard labels on workloads, Services and pod templates. */
export const standardLabels = defineRule({
  id: 'standard-labels',
  severity: 'error',
  runbookItem: 'SPEC §5 (labels)',
  description:
    'Every workload, Service and pod template carries app.kubernetes.io/name (a declared component or scheduled task), part-of, instance and managed-by; ' +
    'a workload and its pod template name the same component.',
  remediation: 'Add the missing labels; `app.kubernetes.io/name` must be the component id from the topology.',
  scope: { kinds: [...WORKLOAD_KIND_NAMES, 'Service'] },
  check(o, ctx) {
    const out: RuleFinding[] = [];
    const checkLabels = (labels: Record<string, string>, path: (string | number)[], what: string) => {
      const missing = REQUIRED.filter((k) => labels[k] === undefined);
      if (missing.length > 0) out.push({ message: `${what} lacks label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, path });
      const name = labels[NAME_LABEL];
      if (name !== undefined && !ctx.components.get(name) && !ctx.components.task(name)) {
        out.push({ message: `${what} names component "${name}", which the topology does not declare`, path: [...path, NAME_LABEL] });
      }
      const partOf = labels['app.kubernetes.io/part-of'];
      if (partOf !== undefined && partOf !== ctx.topology.partOf) {
        out.push({ message: `${what} is part-of "${partOf}", expected "${ctx.topology.partOf}"`, path: [...path, 'app.kubernetes.io/part-of'] });
      }
    };
    const own = stringMap(o.object.metadata?.labels);
    checkLabels(own, ['metadata', 'labels'], o.object.kind ?? '');
    const t: PodTemplate | undefined = ctx.pods.of(o);
    if (t && o.object.kind !== 'Pod') {
      checkLabels({ ...t.labels }, [...t.path, 'metadata', 'labels'], 'pod template');
      if (own[NAME_LABEL] !== undefined && t.component !== undefined && own[NAME_LABEL] !== t.component) {
        out.push({
          message: `${o.object.kind} is labelled ${own[NAME_LABEL]} but its pods are ${t.component}`,
          path: [...t.path, 'metadata', 'labels', NAME_LABEL],
        });
      }
    }
    return out;
  },
});

/** Each in-cluster component runs exactly one workload with a Service; managed stores run none. */
export const componentWorkloads = defineEnvironmentRule({
  id: 'component-workloads',
  severity: 'error',
  runbookItem: 'SPEC §1 (the stack), SPEC §3 (in-cluster or managed data stores)',
  description:
    "Every component the environment runs in the cluster has one workload labelled with its id and a Service of the same name selecting it; a data store that is managed in this environment has no workload in the cluster.",
  remediation: 'Render the missing workload or Service, remove the duplicate, or change the data store mode in config/<env>.yaml.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const c of ctx.effective.components) {
      const templates = ctx.pods.ofComponent(c.id).filter((t) => t.namespace === ctx.namespace);
      if (!c.inCluster) {
        for (const t of templates) {
          out.push({ on: t.owner, message: `${c.id} is a managed service in ${ctx.env.name} but this ${t.kind} runs it in the cluster` });
        }
        continue;
      }
      if (templates.length === 0) {
        out.push({ message: `component ${c.id} has no workload (no pod template labelled ${NAME_LABEL}: ${c.id})` });
        continue;
      }
      for (const t of templates.slice(1)) {
        out.push({
          on: t.owner,
          message: `component ${c.id} already runs as ${templates[0].kind} ${templates[0].name}; a second workload with its label splits its traffic`,
          path: [...t.path, 'metadata', 'labels', NAME_LABEL],
        });
      }
      const svc = ctx.objects.get('Service', ctx.namespace, c.id);
      if (!svc) {
        out.push({ on: templates[0].owner, message: `component ${c.id} has no Service named ${c.id} (clients use ${c.id}.${ctx.namespace}.svc)` });
      } else if (ctx.schema.readable(svc, ['spec', 'selector'])) {
        const sel = stringMap(at(svc.object, ['spec', 'selector']));
        const selected = Object.keys(sel).length === 0 ? [] : ctx.pods.selectByLabels(ctx.namespace, sel);
        if (!selected.some((t) => t.component === c.id)) {
          out.push({ on: svc, message: `Service ${c.id} does not select the pods of component ${c.id}`, path: ['spec', 'selector'] });
        }
      }
    }
    return out;
  },
});
