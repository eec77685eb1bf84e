import { at, isRecord, LoadedObject, records, str, text } from '../../manifests';
import { joinWords } from '../../output/words';
import type { PodTemplate, ValidationContext } from '../context';
import { missingRetention, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, syncWave } from '../k8s/argocd';
import { defineRule, RuleFinding } from '../rule';

/**
 * Data survives whatever Argo CD does: the Namespace and every claim are out of reach of a
 * prune and of an Application's cascading deletion, StatefulSets keep their claims, and a
 * standalone claim is created in the sync wave of its first consumer.
 */

const RUNBOOK = 'Delivery: no data loss through Argo CD; runbook "Data Protection key persistence"; setup guide §9 "Backups and DR"';
const RETENTION = `\`${SYNC_OPTIONS_ANNOTATION}: Prune=false,Delete=false\``;

/** Where a finding about an object's sync options points: the annotation when present. */
function optionsPath(metadata: unknown, base: (string | number)[]): (string | number)[] {
  const has = isRecord(metadata) && isRecord(metadata.annotations) && metadata.annotations[SYNC_OPTIONS_ANNOTATION] !== undefined;
  return has ? [...base, 'annotations', SYNC_OPTIONS_ANNOTATION] : [...base];
}

/** What each missing option lets Argo CD do. */
function exposure(missing: ReadonlyArray<'Prune=false' | 'Delete=false'>): string {
  const what = missing.map((m) =>
    m === 'Prune=false' ? 'a sync that no longer finds it in Git prunes it (no Prune=false)' : 'deleting its Application deletes it (no Delete=false)',
  );
  return joinWords(what);
}

/** A Namespace and its claims: deleting the Namespace deletes every claim in it. */
export const namespaceDeletionProtected = defineRule({
  id: 'namespace-deletion-protected',
  severity: 'error',
  runbookItem: RUNBOOK,
  description:
    `Every Namespace carries ${RETENTION}. Kubernetes deletes every claim in a deleted namespace, whatever the claims' own annotations say, ` +
    'so neither a prune (the Namespace left the synced folder) nor the deletion of its Application (the resources finalizer, `kubectl delete application`) ' +
    'may delete it. Only a deliberate `kubectl delete namespace` can.',
  remediation: `Annotate the Namespace ${RETENTION} (other options stay in the same comma-separated value).`,
  scope: { kinds: ['Namespace'] },
  check(o) {
    const missing = missingRetention(o.object.metadata);
    if (missing.length === 0) return [];
    const name = str(o.object.metadata?.name) ?? '';
    return [
      {
        message: `Namespace ${name} can be deleted by Argo CD with every claim in it: ${exposure(missing)}`,
        path: optionsPath(o.object.metadata, ['metadata']),
      },
    ];
  },
});

const RETAIN_POLICY = 'persistentVolumeClaimRetentionPolicy';

/** Claims and StatefulSet claim templates: out of reach of prune and delete; StatefulSets retain their claims. */
export const claimDeletionProtected = defineRule({
  id: 'claim-deletion-protected',
  severity: 'error',
  runbookItem: RUNBOOK,
  description:
    `Every PersistentVolumeClaim, and every StatefulSet claim template, carries ${RETENTION}, so no prune and no Application deletion removes data ` +
    "(claims made from a template carry the set's labels, so Argo CD's label tracking would count them as the Application's). " +
    `A StatefulSet keeps its claims when it is deleted or scaled down: \`${RETAIN_POLICY}\` is Retain (the default), never Delete.`,
  remediation:
    `Annotate the claim (or the claim template's metadata) ${RETENTION}; set \`spec.${RETAIN_POLICY}: {whenDeleted: Retain, whenScaled: Retain}\` on StatefulSets.`,
  scope: { kinds: ['PersistentVolumeClaim', 'StatefulSet'] },
  check(o) {
    if (o.object.kind === 'PersistentVolumeClaim') {
      const missing = missingRetention(o.object.metadata);
      const name = str(o.object.metadata?.name) ?? '';
      return missing.length === 0 ? [] : [{ message: `claim ${name} can be deleted by Argo CD: ${exposure(missing)}`, path: optionsPath(o.object.metadata, ['metadata']) }];
    }
    const out: RuleFinding[] = [];
    for (const { item: t, index: i } of records(at(o.object, ['spec', 'volumeClaimTemplates']))) {
      const missing = missingRetention(t.metadata);
      if (missing.length === 0) continue;
      const name = str(at(t.metadata, ['name'])) ?? String(i);
      out.push({
        message: `claim template ${name}: claims made from it can be deleted by Argo CD under label tracking: ${exposure(missing)}`,
        path: optionsPath(t.metadata, ['spec', 'volumeClaimTemplates', i, 'metadata']),
        remediation: `Annotate spec.volumeClaimTemplates[${i}].metadata ${RETENTION}.`,
      });
    }
    const policy = at(o.object, ['spec', RETAIN_POLICY]);
    for (const [field, event] of [['whenDeleted', 'deleting the StatefulSet (a prune, its Application\'s deletion)'], ['whenScaled', 'scaling it down']] as const) {
      if (isRecord(policy) && policy[field] === 'Delete') {
        out.push({
          message: `${RETAIN_POLICY}.${field} is Delete: ${event} deletes its claims and their data`,
          path: ['spec', RETAIN_POLICY, field],
          remediation: `Set spec.${RETAIN_POLICY}.${field} to Retain (or remove it: Retain is the default).`,
        });
      }
    }
    return out;
  },
});

/** The pod templates in the claim's namespace that mount it. */
function consumersOf(ctx: ValidationContext, claim: LoadedObject): PodTemplate[] {
  const name = ctx.objects.nameOf(claim);
  const ns = ctx.objects.namespaceOf(claim);
  return ctx.pods.all().filter((t) => t.namespace === ns && records(t.spec.volumes).some(({ item }) => str(at(item, ['persistentVolumeClaim', 'claimName'])) === name));
}

/** A standalone claim is created in the sync wave of its first consumer. */
export const claimSyncWave = defineRule({
  id: 'claim-sync-wave',
  severity: 'error',
  runbookItem: 'Delivery: a sync that completes; runbook "Data Protection key persistence"',
  description:
    'A standalone PersistentVolumeClaim is in the Argo CD sync wave of the first workload that mounts it. Earlier, a claim of a `WaitForFirstConsumer` ' +
    'storage class (the default on AKS, EKS and GKE) stays Pending, Argo CD waits for it as Progressing and the sync never reaches the consumer; ' +
    'later, the consumer\'s pods wait for a claim the sync creates only after they are healthy.',
  remediation: `Set the claim's \`${SYNC_WAVE_ANNOTATION}\` to the wave of its first consumer.`,
  scope: { kinds: ['PersistentVolumeClaim'] },
  check(o, ctx) {
    const name = ctx.objects.nameOf(o);
    const wave = syncWave(o.object.metadata);
    const wavePath = ['metadata', 'annotations', SYNC_WAVE_ANNOTATION];
    const consumers = consumersOf(ctx, o)
      .map((t) => ({ t, wave: syncWave(t.owner.object.metadata) }))
      .filter((c) => Number.isInteger(c.wave))
      .sort((a, b) => a.wave - b.wave);
    if (Number.isNaN(wave)) {
      return [{ message: `claim ${name} has sync wave "${text(o.object.metadata?.annotations?.[SYNC_WAVE_ANNOTATION])}", which is not an integer`, path: wavePath }];
    }
    if (consumers.length === 0) return [];
    const first = consumers[0];
    const who = `${first.t.kind} ${first.t.name}`;
    const fix = `Set ${SYNC_WAVE_ANNOTATION} of claim ${name} to "${first.wave}", the wave of ${who}.`;
    if (wave < first.wave) {
      return [
        {
          message:
            `claim ${name} is in sync wave ${wave}, before its first consumer ${who} (wave ${first.wave}): under a WaitForFirstConsumer storage class ` +
            `it stays Pending, Argo CD waits for it and the sync never reaches wave ${first.wave}`,
          path: wavePath,
          remediation: fix,
        },
      ];
    }
    if (wave > first.wave) {
      return [
        {
          message: `claim ${name} is in sync wave ${wave}, after its first consumer ${who} (wave ${first.wave}): its pods wait for a claim the sync creates only once they are healthy`,
          path: wavePath,
          remediation: fix,
        },
      ];
    }
    return [];
  },
});
