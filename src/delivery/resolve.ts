import { hasRef, remoteBranches, resolveCommit } from '../git/repository';
import { COMMIT_SHA, IMMUTABLE_HINT, RELEASE_TAG } from './revision';

/** A promotion that must not happen; its message is one line, fit for the command line. */
export class PromotionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromotionError';
  }
}

/** A ref a promoted environment may follow, checked against the local repository. */
export interface ResolvedRef {
  /** What the configuration will name: the tag, or the full commit SHA. */
  readonly ref: string;
  readonly kind: 'tag' | 'commit';
  /** The full SHA of the commit it names. */
  readonly commit: string;
  /** Something the user should know (an abbreviated SHA was expanded). */
  readonly note?: string;
}

function isBranch(root: string, name: string): boolean {
  return hasRef(root, 'heads', name) || remoteBranches(root, name).length > 0;
}

/**
 * Checks that `to` names an immutable ref of the repository at `root`: a release tag (not also a
 * branch name) or a commit SHA (an abbreviated one is expanded). A branch, `HEAD`, an
 * expression such as `main~1`, an unknown name: a {@link PromotionError} saying what to use.
 */
export function resolvePromotionRef(root: string, to: string, env: string): ResolvedRef {
  if (to === '' || to.startsWith('-')) throw new PromotionError(`"${to}" is not a git revision`);
  if (COMMIT_SHA.test(to)) {
    const commit = resolveCommit(root, to);
    if (commit !== to) throw new PromotionError(`commit ${to} is not in this repository (git fetch to get it)`);
    return { ref: to, kind: 'commit', commit };
  }
  if (hasRef(root, 'tags', to)) {
    const commit = resolveCommit(root, `refs/tags/${to}`);
    if (!commit) throw new PromotionError(`tag ${to} does not point at a commit`);
    if (isBranch(root, to)) {
      throw new PromotionError(`${to} names both a tag and a branch, so Argo CD could sync either: promote its commit instead (--to ${commit})`);
    }
    if (!RELEASE_TAG.test(to)) {
      throw new PromotionError(`tag ${to} is not a release tag (v1.2.3): ${env} follows ${IMMUTABLE_HINT}; promote its commit instead (--to ${commit})`);
    }
    return { ref: to, kind: 'tag', commit };
  }
  const commit = resolveCommit(root, to);
  if (/^[0-9a-f]{4,39}$/.test(to) && commit?.startsWith(to) && !isBranch(root, to)) {
    return { ref: commit, kind: 'commit', commit, note: `${to} is commit ${commit}; ${env} follows the full SHA` };
  }
  if (commit) {
    const what = to === 'HEAD' || /[~^@:]/.test(to) ? 'a moving reference' : isBranch(root, to) ? 'a branch' : 'not a release tag or a commit SHA';
    throw new PromotionError(
      `${to} is ${what}: ${env} follows only ${IMMUTABLE_HINT}; tag a release, or promote the commit it names now (--to ${commit})`,
    );
  }
  throw new PromotionError(`${to} is neither a tag nor a commit of this repository (git fetch --tags to get new tags)`);
}
