/**
 * Argo CD's per-resource annotations, as the Argo CD controller reads them: sync options are a
 * comma-separated list of `Name=value` (white-space trimmed), a sync wave is an integer and 0
 * when absent.
 */
import { isRecord, str, text } from '../../manifests';

export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The sync options of an object (or a claim template), by name: `Prune` -> `false`. */
export function syncOptions(metadata: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const raw = isRecord(metadata) && isRecord(metadata.annotations) ? str(metadata.annotations[SYNC_OPTIONS_ANNOTATION]) : undefined;
  for (const part of (raw ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * The options among `Prune=false` and `Delete=false` that an object lacks: what lets a sync
 * prune it, or the deletion of its Application delete it. (`confirm` still deletes, after one
 * confirmation.)
 */
export function missingRetention(metadata: unknown): Array<'Prune=false' | 'Delete=false'> {
  const options = syncOptions(metadata);
  const out: Array<'Prune=false' | 'Delete=false'> = [];
  if (options.get('Prune') !== 'false') out.push('Prune=false');
  if (options.get('Delete') !== 'false') out.push('Delete=false');
  return out;
}

/** The sync wave of an object: its annotation as an integer, 0 without one, `NaN` when it is not an integer. */
export function syncWave(metadata: unknown): number {
  const raw = isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations[SYNC_WAVE_ANNOTATION] : undefined;
  if (raw === undefined) return 0;
  const value = text(raw).trim();
  return /^[-+]?\d+$/.test(value) ? Number(value) : Number.NaN;
}
