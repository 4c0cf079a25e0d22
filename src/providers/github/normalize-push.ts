import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import { timeOf } from "./normalize-pull-request.js";
import type { PushPayload } from "./payload-schemas.js";

// GitHub sends at most 2048 commits per push; at that count the list may be truncated.
const MAX_COMMITS = 2048;

/**
 * The files a push changed, or undefined when the payload cannot tell: no commits listed
 * (a new branch), a truncated commit list, or a commit with empty file arrays (GitHub leaves
 * them empty for very large commits).
 */
export function changedFilesOfPush(payload: PushPayload): string[] | undefined {
  const { commits } = payload;
  if (commits.length === 0 || commits.length >= MAX_COMMITS) return undefined;
  const files = new Set<string>();
  for (const c of commits) {
    if (c.added.length + c.removed.length + c.modified.length === 0) return undefined;
    for (const f of [...c.added, ...c.removed, ...c.modified]) files.add(f);
  }
  return [...files];
}

/** push → a `push` (branch) or `tag` SourceEvent; deletions and other refs are ignored. */
export function normalizeGithubPush(payload: PushPayload, deliveryId: string): NormalizeResult {
  const { ref } = payload;
  const isBranch = ref.startsWith("refs/heads/");
  const isTag = ref.startsWith("refs/tags/");
  if (!isBranch && !isTag) return ignored(`ref ${ref} is neither a branch nor a tag`);
  if (payload.deleted || /^0+$/.test(payload.after)) return ignored(`${isTag ? "tag" : "branch"} ${ref} was deleted`);
  const short = ref.slice(isBranch ? "refs/heads/".length : "refs/tags/".length);
  return {
    kind: "event",
    event: {
      provider: "github",
      deliveryId,
      repository: payload.repository.full_name,
      kind: isTag ? "tag" : "push",
      action: "pushed",
      ref,
      ...(isTag ? { tag: short } : { branch: short }),
      // For an annotated tag `after` is the tag object; build the commit it points at.
      sha: isTag && payload.head_commit ? payload.head_commit.id : payload.after,
      beforeSha: payload.before,
      actor: payload.sender?.login ?? payload.pusher?.name ?? "unknown",
      headCommitMessage: payload.head_commit?.message,
      changedFiles: isTag ? undefined : changedFilesOfPush(payload),
      cloneUrl: payload.repository.clone_url,
      ...timeOf(payload.head_commit?.timestamp),
    },
  };
}
