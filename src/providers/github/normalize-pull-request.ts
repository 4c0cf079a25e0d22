import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import type { PullRequestPayload } from "./payload-schemas.js";

// Actions that put new code (or a new base) in front of the routes. `labeled` is routed too:
// the router lets only the ok-to-test label through, and the dedupe key keeps it to one build.
const BUILD_ACTIONS = new Set(["opened", "synchronize", "reopened", "ready_for_review", "labeled", "edited"]);

export const timeOf = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? { occurredAt: t } : {};
};

/** pull_request → a `pull_request` SourceEvent for the actions that can start a build. */
export function normalizeGithubPullRequest(payload: PullRequestPayload, deliveryId: string): NormalizeResult {
  const { action, pull_request: pr } = payload;
  if (!BUILD_ACTIONS.has(action)) return ignored(`pull_request action ${action} does not start builds`);
  if (action === "edited" && payload.changes?.base === undefined) {
    return ignored("pull_request edited without a base branch change does not start builds");
  }
  if (action === "labeled" && !payload.label) return ignored("pull_request labeled event without a label");
  if (pr.state !== "open") return ignored(`pull request #${payload.number} is ${pr.merged ? "merged" : pr.state}`);
  const headRepository = pr.head.repo?.full_name ?? null;
  const baseRepository = pr.base.repo?.full_name ?? payload.repository.full_name;
  return {
    kind: "event",
    event: {
      provider: "github",
      deliveryId,
      repository: payload.repository.full_name,
      kind: "pull_request",
      action,
      ref: `refs/heads/${pr.base.ref}`,
      branch: pr.base.ref,
      sha: pr.head.sha,
      actor: payload.sender?.login ?? pr.user?.login ?? "unknown",
      pullRequest: {
        number: payload.number,
        baseRef: pr.base.ref,
        baseSha: pr.base.sha,
        headRef: pr.head.ref,
        headSha: pr.head.sha,
        headRepository,
        fromFork: headRepository === null || headRepository.toLowerCase() !== baseRepository.toLowerCase(),
        draft: pr.draft,
        labels: pr.labels.map((l) => l.name),
        authorAssociation: pr.author_association,
        ...(pr.title ? { title: pr.title } : {}),
        ...(pr.user?.login ? { author: pr.user.login } : {}),
        ...(action === "labeled" && payload.label ? { addedLabel: payload.label.name } : {}),
      },
      cloneUrl: payload.repository.clone_url,
      ...timeOf(pr.updated_at),
    },
  };
}
