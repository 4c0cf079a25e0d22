import type { RouteRule, TrustRule } from "../../../src/domain/route-rule.js";
import type { CommentCommand, PullRequestInfo, SourceEvent } from "../../../src/domain/source-event.js";

// Small builders with defaults so each test states only what it is about.

export const SHA = "1111111111111111111111111111111111111111";
export const BASE_SHA = "2222222222222222222222222222222222222222";

export const DEFAULT_TRUST: TrustRule = { associations: ["OWNER", "MEMBER", "COLLABORATOR"], okToTestLabel: "ok-to-test", allowForks: false };

/** A route as the config loader would produce it: github acme/api, every event kind, no filters. */
export function makeRule(over: Partial<RouteRule> = {}): RouteRule {
  const name = over.name ?? "api";
  return {
    name,
    source: { provider: "github", repository: "acme/api" },
    on: ["push", "tag", "pull_request"],
    drafts: false,
    project: "api-ci",
    env: {},
    context: `buildgate/${name}`,
    cancelSuperseded: { pullRequests: false, branches: false },
    reportSkipped: false,
    trust: DEFAULT_TRUST,
    codecommit: { comments: true, approve: false, commentOnCommits: false },
    builder: "codebuild",
    ...over,
  };
}

/** A push of `branch` to github acme/api. */
export function pushEvent(branch: string, over: Partial<SourceEvent> = {}): SourceEvent {
  return {
    provider: "github",
    deliveryId: "delivery-1",
    repository: "acme/api",
    kind: "push",
    action: "pushed",
    ref: `refs/heads/${branch}`,
    branch,
    sha: SHA,
    beforeSha: BASE_SHA,
    actor: "octocat",
    headCommitMessage: "Change things",
    ...over,
  };
}

/** A push of tag `tag` to github acme/api. */
export function tagEvent(tag: string, over: Partial<SourceEvent> = {}): SourceEvent {
  return {
    provider: "github",
    deliveryId: "delivery-1",
    repository: "acme/api",
    kind: "tag",
    action: "pushed",
    ref: `refs/tags/${tag}`,
    tag,
    sha: SHA,
    actor: "octocat",
    headCommitMessage: "Release",
    ...over,
  };
}

/** Pull request #7 from `feature/x` (same repository, by a MEMBER) into `base`. */
export function pullRequestEvent(base: string, pr: Partial<PullRequestInfo> = {}, over: Partial<SourceEvent> = {}): SourceEvent {
  return {
    provider: "github",
    deliveryId: "delivery-1",
    repository: "acme/api",
    kind: "pull_request",
    action: "opened",
    ref: `refs/heads/${base}`,
    branch: base,
    sha: SHA,
    actor: "octocat",
    pullRequest: {
      number: 7,
      baseRef: base,
      baseSha: BASE_SHA,
      headRef: "feature/x",
      headSha: SHA,
      headRepository: "acme/api",
      fromFork: false,
      draft: false,
      labels: [],
      authorAssociation: "MEMBER",
      ...pr,
    },
    ...over,
  };
}

/** A trusted comment command on pull request #7 (head SHA, base `main`), as resolveCommand produces it. */
export function commentEvent(command: Partial<CommentCommand> & Pick<CommentCommand, "name">, pr: Partial<PullRequestInfo> = {}, over: Partial<SourceEvent> = {}): SourceEvent {
  return pullRequestEvent("main", pr, {
    kind: "comment",
    action: command.name,
    actor: command.commenter ?? "alice",
    command: { commentId: 1001, commenter: "alice", ...command },
    ...over,
  });
}
