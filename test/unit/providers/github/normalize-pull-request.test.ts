import type { NormalizeResult, PullRequestInfo } from "../../../../src/domain/source-event.js";
import { normalizeGithubEvent } from "../../../../src/providers/github/normalize-github-event.js";
import { pullRequestExample, type PullRequestExample } from "./webhook-examples.js";

const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

const normalize = (payload: unknown): NormalizeResult => normalizeGithubEvent("pull_request", payload, "d-2");

function pullRequestOf(result: NormalizeResult): PullRequestInfo {
  if (result.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  if (!result.event.pullRequest) throw new Error("expected pull request info");
  return result.event.pullRequest;
}

describe("normalizeGithubEvent: pull_request", () => {
  it("turns an opened pull request into a pull_request event on its base branch", () => {
    expect(normalize(pullRequestExample("opened"))).toEqual({
      kind: "event",
      event: {
        provider: "github",
        deliveryId: "d-2",
        repository: "Codertocat/Hello-World",
        kind: "pull_request",
        action: "opened",
        ref: "refs/heads/master",
        branch: "master",
        sha: HEAD_SHA,
        actor: "Codertocat",
        pullRequest: {
          number: 2,
          baseRef: "master",
          baseSha: BASE_SHA,
          headRef: "changes",
          headSha: HEAD_SHA,
          headRepository: "Codertocat/Hello-World",
          fromFork: false,
          draft: false,
          labels: [],
          authorAssociation: "OWNER",
          // The board's cards show them (issue 13).
          title: "Update the README with new information.",
          author: "Codertocat",
        },
        cloneUrl: "https://github.com/Codertocat/Hello-World.git",
        // pull_request.updated_at "2019-05-15T15:20:33Z"
        occurredAt: Date.UTC(2019, 4, 15, 15, 20, 33),
      },
    });
  });

  it("has no occurredAt when updated_at is missing", () => {
    const payload = pullRequestExample("synchronize");
    delete payload.pull_request.updated_at;
    const result = normalize(payload);
    expect(result.kind).toBe("event");
    expect(result.kind === "event" && result.event).not.toHaveProperty("occurredAt");
  });

  it.each(["opened", "synchronize", "reopened", "ready_for_review"])("routes the real %s example", (action) => {
    const result = normalize(pullRequestExample(action));
    expect(result).toMatchObject({ kind: "event", event: { kind: "pull_request", action, sha: HEAD_SHA, branch: "master" } });
    expect(pullRequestOf(result)).not.toHaveProperty("addedLabel");
  });

  it.each(["closed", "assigned", "unassigned", "locked", "unlocked", "unlabeled", "review_requested", "review_request_removed", "converted_to_draft"])(
    "ignores the real %s example",
    (action) => {
      expect(normalize(pullRequestExample(action))).toEqual({ kind: "ignored", reason: `pull_request action ${action} does not start builds` });
    },
  );

  it("ignores a labeled event that names no label", () => {
    const payload = pullRequestExample("labeled");
    delete payload.label;
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: "pull_request labeled event without a label" });
  });

  it("routes labeled with the label just added", () => {
    const pr = pullRequestOf(normalize(pullRequestExample("labeled")));
    expect(pr).toMatchObject({ addedLabel: "bug", labels: ["bug"] });
  });

  it.each<{ name: string; changes: Record<string, unknown> | undefined; want: NormalizeResult["kind"] }>([
    { name: "without changes", changes: undefined, want: "ignored" },
    { name: "with a title change", changes: { title: { from: "Old title" } }, want: "ignored" },
    { name: "with a base change", changes: { base: { ref: { from: "develop" }, sha: { from: BASE_SHA } } }, want: "event" },
  ])("edited $name", ({ changes, want }) => {
    const payload = pullRequestExample("opened");
    payload.action = "edited";
    payload.changes = changes;
    const result = normalize(payload);
    if (want === "ignored") {
      expect(result).toEqual({ kind: "ignored", reason: "pull_request edited without a base branch change does not start builds" });
    } else {
      expect(result).toMatchObject({ kind: "event", event: { action: "edited", branch: "master" } });
    }
  });

  it.each<{ name: string; merged: boolean | null; want: string }>([
    { name: "merged", merged: true, want: "pull request #2 is merged" },
    { name: "closed", merged: false, want: "pull request #2 is closed" },
    { name: "closed, merged unknown", merged: null, want: "pull request #2 is closed" },
  ])("ignores a synchronize on a $name pull request", ({ merged, want }) => {
    const payload = pullRequestExample("synchronize");
    payload.pull_request.state = "closed";
    payload.pull_request.merged = merged;
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: want });
  });

  it.each<{ name: string; change: (p: PullRequestExample) => void; want: Partial<PullRequestInfo> }>([
    { name: "same repository", change: () => undefined, want: { fromFork: false, headRepository: "Codertocat/Hello-World" } },
    {
      name: "same repository in other case",
      change: (p) => {
        if (p.pull_request.head.repo) p.pull_request.head.repo.full_name = "codertocat/hello-world";
      },
      want: { fromFork: false },
    },
    {
      name: "a fork",
      change: (p) => {
        if (p.pull_request.head.repo) p.pull_request.head.repo.full_name = "stranger/Hello-World";
      },
      want: { fromFork: true, headRepository: "stranger/Hello-World" },
    },
    { name: "a deleted fork", change: (p) => (p.pull_request.head.repo = null), want: { fromFork: true, headRepository: null } },
    { name: "a draft", change: (p) => (p.pull_request.draft = true), want: { draft: true } },
    { name: "a first-time contributor", change: (p) => (p.pull_request.author_association = "FIRST_TIME_CONTRIBUTOR"), want: { authorAssociation: "FIRST_TIME_CONTRIBUTOR" } },
    { name: "no author_association", change: (p) => delete p.pull_request.author_association, want: { authorAssociation: "NONE" } },
    { name: "several labels", change: (p) => (p.pull_request.labels = [{ name: "bug" }, { name: "ok-to-test" }]), want: { labels: ["bug", "ok-to-test"] } },
  ])("pull request info: $name", ({ change, want }) => {
    const payload = pullRequestExample("opened");
    change(payload);
    expect(pullRequestOf(normalize(payload))).toMatchObject(want);
  });

  it("compares the head with the base repository, not the receiving one", () => {
    const payload = pullRequestExample("opened");
    payload.pull_request.base.repo.full_name = "upstream/Hello-World";
    expect(pullRequestOf(normalize(payload)).fromFork).toBe(true);
  });

  it("takes the actor from the sender, then the author", () => {
    const payload = pullRequestExample("opened");
    payload.sender = { login: "maintainer" };
    expect(normalize(payload)).toMatchObject({ event: { actor: "maintainer" } });
    delete payload.sender;
    if (payload.pull_request.user) payload.pull_request.user.login = "author";
    expect(normalize(payload)).toMatchObject({ event: { actor: "author" } });
  });
});
