import type { NormalizeResult, PullRequestInfo, SourceEvent } from "../../../../src/domain/source-event.js";
import { fromEnvelope, JANE, MARY, normalizeEvent, pullRequestEvent, REPO, sha } from "./codecommit-examples.js";

/** Pull request 7 of the sample (feature → main), as every built event carries it. */
const PR: PullRequestInfo = {
  number: 7,
  baseRef: "main",
  baseSha: sha("d"),
  headRef: "feature",
  headSha: sha("e"),
  headRepository: REPO,
  fromFork: false,
  draft: false,
  labels: [],
  authorAssociation: "NONE",
  // Shown on the board's cards (issue 13).
  title: "Add a feature",
  author: JANE,
};
const pr = (extra: Partial<PullRequestInfo> = {}): PullRequestInfo => ({ ...PR, callerArn: MARY, ...extra });

const built = (action: string, pullRequest = pr(), event: Partial<SourceEvent> = {}): NormalizeResult => ({
  kind: "event",
  event: { ...fromEnvelope("e-1"), repository: REPO, kind: "pull_request", action, ref: "refs/heads/main", branch: "main", sha: sha("e"), actor: MARY, pullRequest, ...event },
});

describe("normalizeCodeCommitEvent: Pull Request State Change", () => {
  it.each<{ name: string; event: unknown; want: NormalizeResult }>([
    { name: "pullRequestCreated is opened: the base is the destination, the build is of the source commit", event: pullRequestEvent("pullRequestCreated"), want: built("opened") },
    { name: "pullRequestSourceBranchUpdated is synchronize", event: pullRequestEvent("pullRequestSourceBranchUpdated", { sourceCommit: sha("f") }), want: built("synchronize", pr({ headSha: sha("f") }), { sha: sha("f") }) },
    { name: "pullRequestStatusChanged back to Open is reopened", event: pullRequestEvent("pullRequestStatusChanged"), want: built("reopened") },
    { name: "the status is compared without case (OPEN)", event: pullRequestEvent("pullRequestCreated", { pullRequestStatus: "OPEN" }), want: built("opened") },
    { name: "no pullRequestStatus counts as open", event: pullRequestEvent("pullRequestCreated", { pullRequestStatus: undefined }), want: built("opened") },
    {
      name: "an APPROVE is approved, with the approver instead of callerArn",
      event: pullRequestEvent("pullRequestApprovalStateChanged", { approvalStatus: "APPROVE" }),
      want: built("approved", { ...PR, approvedBy: MARY }),
    },
    {
      name: "no callerUserArn: the author is the actor and callerArn",
      event: pullRequestEvent("pullRequestCreated", { callerUserArn: undefined }),
      want: built("opened", pr({ callerArn: JANE }), { actor: JANE }),
    },
    {
      name: "nested branch names are shortened from their full refs",
      event: pullRequestEvent("pullRequestCreated", { sourceReference: "refs/heads/feature/login", destinationReference: "refs/heads/release/2.x" }),
      want: built("opened", pr({ baseRef: "release/2.x", headRef: "feature/login" }), { ref: "refs/heads/release/2.x", branch: "release/2.x" }),
    },
    {
      name: "no title and no author: neither is made up",
      event: pullRequestEvent("pullRequestSourceBranchUpdated", { title: undefined, author: undefined }),
      want: built("synchronize", (({ title: _t, author: _a, ...rest }) => rest)(pr())),
    },
    { name: "no destinationCommit: an empty baseSha", event: pullRequestEvent("pullRequestCreated", { destinationCommit: undefined }), want: built("opened", pr({ baseSha: "" })) },
  ])("$name", ({ event, want }) => {
    expect(normalizeEvent(event)).toStrictEqual(want);
  });

  it.each([
    { name: "a merge (merge status updated, merged, closed)", event: pullRequestEvent("pullRequestMergeStatusUpdated", { isMerged: "True", pullRequestStatus: "Closed" }), reason: "pull request 7: merge status updated (merged: True)" },
    { name: "a merge status update without isMerged", event: pullRequestEvent("pullRequestMergeStatusUpdated", { isMerged: undefined }), reason: "pull request 7: merge status updated (merged: unknown)" },
    { name: "a closed pull request", event: pullRequestEvent("pullRequestStatusChanged", { pullRequestStatus: "Closed" }), reason: "pull request 7 is closed" },
    { name: "a closed pull request merged by the status change", event: pullRequestEvent("pullRequestStatusChanged", { pullRequestStatus: "Closed", isMerged: "True" }), reason: "pull request 7 is closed" },
    { name: "a source branch update of a closed pull request", event: pullRequestEvent("pullRequestSourceBranchUpdated", { pullRequestStatus: "Closed" }), reason: "pull request 7 is closed" },
    { name: "a revoked approval", event: pullRequestEvent("pullRequestApprovalStateChanged", { approvalStatus: "REVOKE" }), reason: "pull request 7: approval REVOKE does not start builds" },
    { name: "an approval event without approvalStatus", event: pullRequestEvent("pullRequestApprovalStateChanged"), reason: "pull request 7: approval changed does not start builds" },
    { name: "an approval rule event", event: pullRequestEvent("pullRequestApprovalRuleCreated"), reason: "pull request event pullRequestApprovalRuleCreated does not start builds" },
    { name: "no sourceCommit", event: pullRequestEvent("pullRequestCreated", { sourceCommit: undefined }), reason: "pull request event pullRequestCreated lacks its commits or references" },
    { name: "no sourceReference", event: pullRequestEvent("pullRequestCreated", { sourceReference: undefined }), reason: "pull request event pullRequestCreated lacks its commits or references" },
    { name: "no destinationReference", event: pullRequestEvent("pullRequestSourceBranchUpdated", { destinationReference: undefined }), reason: "pull request event pullRequestSourceBranchUpdated lacks its commits or references" },
    { name: "a pullRequestId that is not a number", event: pullRequestEvent("pullRequestCreated", { pullRequestId: "7a" }), reason: "malformed pull request state change: pullRequestId: must be a pull request number" },
  ])("ignores $name with a reason", ({ event, reason }) => {
    expect(normalizeEvent(event)).toEqual({ kind: "ignored", reason });
  });

  it.each([
    { name: "a numeric pullRequestId (it is a string)", detail: { pullRequestId: 7 }, reason: /^malformed pull request state change: pullRequestId: / },
    { name: "no repositoryNames", detail: { repositoryNames: undefined }, reason: /^malformed pull request state change: repositoryNames: / },
    { name: "an empty repositoryNames", detail: { repositoryNames: [] }, reason: /^malformed pull request state change: repositoryNames: / },
  ])("ignores a malformed detail ($name) without throwing", ({ detail, reason }) => {
    const got = normalizeEvent(pullRequestEvent("pullRequestCreated", detail));
    expect(got.kind).toBe("ignored");
    expect(got.kind === "ignored" && got.reason).toMatch(reason);
  });
});
