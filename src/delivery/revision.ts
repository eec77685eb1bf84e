/**
 * What a git revision name says about itself, without a repository: a full commit SHA and a
 * release tag never move (by convention, for tags), a branch moves with every merge. The
 * configuration, the validator and `npm run promote` all read revisions through this module.
 */

/** A full commit SHA: 40 lower-case hex digits (an abbreviated one may become ambiguous). */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** A release tag: `v1.2.3` or `1.2.3`, optionally with a pre-release or build suffix (`v1.2.3-rc.1`). */
export const RELEASE_TAG = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$/;

/** How an immutable revision is named. */
export type ImmutableKind = 'commit' | 'tag';

/** `commit` or `tag` for an immutable revision name, undefined for anything else (a branch, `HEAD`, an expression). */
export function immutableKind(revision: string): ImmutableKind | undefined {
  if (COMMIT_SHA.test(revision)) return 'commit';
  if (RELEASE_TAG.test(revision)) return 'tag';
  return undefined;
}

/** What to write instead of a mutable revision, for messages. */
export const IMMUTABLE_HINT = 'a release tag (v1.2.3) or a full 40-hex commit SHA';

/**
 * A branch name git would accept (`git check-ref-format --branch`, simplified): no spaces,
 * `..`, `~^:?*[\`, no leading `-`, `/` or `.`, no trailing `/`, `.` or `.lock`.
 */
export function isBranchName(name: string): boolean {
  if (name === '' || name === 'HEAD' || name === '@') return false;
  if (/[\s~^:?*[\\]|\.\.|@\{|\/\/|^[-/.]|[/.]$|\.lock$|\/\./.test(name)) return false;
  // No control characters.
  return [...name].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f);
}
