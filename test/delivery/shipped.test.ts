import * as path from 'path';
import { immutableKind } from '../../src/delivery/revision';
import { isAncestor, isShallow, locateInRepository, resolveCommit } from '../../src/git/repository';
import { shippedEnvironments } from '../argocd/support';

/**
 * The shipped production configuration follows a real immutable ref: a commit of this
 * repository's own history, so a fresh clone can show (and Argo CD can sync) what production
 * runs. Skipped where the history is not there to check (no git, a shallow clone).
 */
const ROOT = path.resolve(__dirname, '..', '..');
let repository: string | undefined;
try {
  const where = locateInRepository(ROOT);
  if (!isShallow(where.root)) repository = where.root;
} catch {
  repository = undefined;
}
const withHistory = repository ? test : test.skip;

const production = shippedEnvironments().find((e) => e.name === 'production')!;

test('production is delivered by promotion of a full commit SHA or a release tag', () => {
  expect(production.argocd.delivery).toBe('promoted');
  if (production.argocd.delivery === 'promoted') expect(immutableKind(production.argocd.ref)).toBeDefined();
});

withHistory(`production's ref is a commit of this repository's history (needs a full clone)`, () => {
  const ref = production.argocd.delivery === 'promoted' ? production.argocd.ref : '';
  const commit = resolveCommit(repository!, ref);
  expect({ ref, found: commit !== undefined }).toEqual({ ref, found: true });
  expect(isAncestor(repository!, commit!, 'HEAD')).toBe(true);
});
