import type { NormalizeResult } from "../../../../src/domain/source-event.js";
import { ACCOUNT, envelope, EVENT_TIME, fromEnvelope, MARY, normalizeEvent, REGION, REPO, referenceEvent, sha } from "./codecommit-examples.js";

const branch = { ...fromEnvelope("e-1"), repository: REPO, kind: "push" as const, ref: "refs/heads/myBranch", branch: "myBranch", actor: MARY };
const tag = { referenceType: "tag", referenceName: "v1.0", referenceFullName: "refs/tags/v1.0" };

describe("normalizeCodeCommitEvent: Repository State Change", () => {
  it.each<{ name: string; event: unknown; want: NormalizeResult }>([
    {
      name: "referenceCreated (a new branch, no oldCommitId) is a created push",
      event: referenceEvent("referenceCreated", { oldCommitId: undefined }),
      want: { kind: "event", event: { ...branch, action: "created", sha: sha("c") } },
    },
    {
      name: "referenceUpdated is a push with its old commit as beforeSha",
      event: referenceEvent("referenceUpdated"),
      want: { kind: "event", event: { ...branch, action: "pushed", sha: sha("c"), beforeSha: sha("b") } },
    },
    {
      name: "an empty oldCommitId is no beforeSha",
      event: referenceEvent("referenceUpdated", { oldCommitId: "" }),
      want: { kind: "event", event: { ...branch, action: "pushed", sha: sha("c") } },
    },
    {
      name: "referenceCreated of a tag is a tag event without a branch",
      event: referenceEvent("referenceCreated", { ...tag, oldCommitId: undefined }),
      want: { kind: "event", event: { ...fromEnvelope("e-1"), repository: REPO, kind: "tag", action: "created", ref: "refs/tags/v1.0", tag: "v1.0", sha: sha("c"), actor: MARY } },
    },
    {
      name: "a tag without referenceFullName gets refs/tags/NAME",
      event: referenceEvent("referenceUpdated", { ...tag, referenceFullName: undefined }),
      want: { kind: "event", event: { ...fromEnvelope("e-1"), repository: REPO, kind: "tag", action: "pushed", ref: "refs/tags/v1.0", tag: "v1.0", sha: sha("c"), beforeSha: sha("b"), actor: MARY } },
    },
    {
      name: "no referenceType or referenceFullName: a branch under refs/heads/",
      event: referenceEvent("referenceUpdated", { referenceType: undefined, referenceFullName: undefined }),
      want: { kind: "event", event: { ...branch, action: "pushed", sha: sha("c"), beforeSha: sha("b") } },
    },
    {
      name: "no callerUserArn: actor unknown",
      event: referenceEvent("referenceUpdated", { callerUserArn: undefined }),
      want: { kind: "event", event: { ...branch, actor: "unknown", action: "pushed", sha: sha("c"), beforeSha: sha("b") } },
    },
  ])("$name", ({ event, want }) => {
    expect(normalizeEvent(event)).toStrictEqual(want);
  });

  it.each<{ name: string; overrides: Record<string, unknown>; want: Record<string, unknown> }>([
    { name: "region, account and time all present", overrides: {}, want: { location: { region: REGION, account: ACCOUNT }, occurredAt: EVENT_TIME } },
    { name: "no account: no location", overrides: { account: undefined }, want: { occurredAt: EVENT_TIME } },
    { name: "no region: no location", overrides: { region: undefined }, want: { occurredAt: EVENT_TIME } },
    { name: "no time: no occurredAt", overrides: { time: undefined }, want: { location: { region: REGION, account: ACCOUNT } } },
    { name: "an unparseable time: no occurredAt", overrides: { time: "soon" }, want: { location: { region: REGION, account: ACCOUNT } } },
  ])("envelope fields: $name", ({ overrides, want }) => {
    const got = normalizeEvent(referenceEvent("referenceUpdated", {}, overrides));
    if (got.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(got)}`);
    const present = Object.fromEntries(Object.entries(got.event).filter(([k]) => k === "location" || k === "occurredAt"));
    expect(present).toStrictEqual(want);
  });

  it.each([
    { name: "a deleted branch (no commitId on delete)", event: referenceEvent("referenceDeleted", { commitId: undefined }), reason: "branch myBranch was deleted" },
    { name: "a deleted tag", event: referenceEvent("referenceDeleted", { ...tag, commitId: undefined }), reason: "tag v1.0 was deleted" },
    { name: "a deleted reference of no stated type", event: referenceEvent("referenceDeleted", { referenceType: undefined, commitId: undefined }), reason: "reference myBranch was deleted" },
    {
      name: "an unreferenced merge commit",
      event: referenceEvent("unreferencedMergeCommitCreated", { baseCommitId: sha("a"), sourceCommitId: sha("e"), destinationCommitId: sha("d"), mergeOption: "SQUASH_MERGE" }),
      reason: "repository event unreferencedMergeCommitCreated does not start builds",
    },
    { name: "an update without commitId", event: referenceEvent("referenceUpdated", { commitId: undefined }), reason: "repository event referenceUpdated has no commitId" },
    { name: "another detail type", event: envelope("CodeCommit Comment on Pull Request", "aws.codecommit", { event: "commentOnPullRequestCreated" }), reason: "detail-type CodeCommit Comment on Pull Request is not handled" },
  ])("ignores $name with a reason", ({ event, reason }) => {
    expect(normalizeEvent(event)).toEqual({ kind: "ignored", reason });
  });

  it.each([
    { name: "no repositoryName", detail: { repositoryName: undefined }, reason: /^malformed repository state change: repositoryName: / },
    { name: "no referenceName", detail: { referenceName: undefined }, reason: /^malformed repository state change: referenceName: / },
    { name: "a numeric commitId", detail: { commitId: 42 }, reason: /^malformed repository state change: commitId: / },
    { name: "no event", detail: { event: undefined }, reason: /^malformed repository state change: event: / },
  ])("ignores a malformed detail ($name) without throwing", ({ detail, reason }) => {
    const got = normalizeEvent(referenceEvent("referenceUpdated", detail));
    expect(got.kind).toBe("ignored");
    expect(got.kind === "ignored" && got.reason).toMatch(reason);
  });
});
