import type { NormalizeResult } from "../../../../src/domain/source-event.js";
import { TriggerPayload } from "../../../../src/providers/codecommit/codecommit-schemas.js";
import { normalizeCodeCommitTrigger } from "../../../../src/providers/codecommit/normalize-trigger.js";
import { ACCOUNT, JANE, REGION, REPO, sha, trigger, TRIGGER_TIME, triggerRecord } from "./codecommit-examples.js";

const normalize = (payload: unknown) => normalizeCodeCommitTrigger(TriggerPayload.parse(payload), "m-1");

/** The fields every event of the sample trigger record carries. */
const untimed = { provider: "codecommit" as const, deliveryId: "m-1", repository: REPO, location: { region: REGION, account: ACCOUNT }, actor: JANE };
const base = { ...untimed, occurredAt: TRIGGER_TIME };

describe("normalizeCodeCommitTrigger", () => {
  it.each<{ name: string; payload: unknown; want: NormalizeResult }>([
    {
      name: "a new branch (the docs sample) is a created push",
      payload: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/NewBranch", created: true }])),
      want: { kind: "event", event: { ...base, kind: "push", action: "created", ref: "refs/heads/NewBranch", branch: "NewBranch", sha: sha("1") } },
    },
    {
      name: "an updated branch is a push, with no beforeSha (triggers carry no old commit)",
      payload: trigger(triggerRecord([{ commit: sha("2"), ref: "refs/heads/main" }])),
      want: { kind: "event", event: { ...base, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("2") } },
    },
    {
      name: "a branch name with slashes keeps them",
      payload: trigger(triggerRecord([{ commit: sha("2"), ref: "refs/heads/feature/login" }])),
      want: { kind: "event", event: { ...base, kind: "push", action: "pushed", ref: "refs/heads/feature/login", branch: "feature/login", sha: sha("2") } },
    },
    {
      name: "a new tag is a tag event without a branch",
      payload: trigger(triggerRecord([{ commit: sha("3"), ref: "refs/tags/v1.0.0", created: true }])),
      want: { kind: "event", event: { ...base, kind: "tag", action: "created", ref: "refs/tags/v1.0.0", tag: "v1.0.0", sha: sha("3") } },
    },
    {
      name: "the repository and location come from eventSourceARN, not awsRegion",
      payload: trigger(triggerRecord([{ commit: sha("4"), ref: "refs/heads/main" }], { awsRegion: "eu-west-1", eventSourceARN: "arn:aws-cn:codecommit:cn-north-1:444455556666:other.repo" })),
      want: { kind: "event", event: { ...base, repository: "other.repo", location: { region: "cn-north-1", account: "444455556666" }, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("4") } },
    },
    {
      name: "no userIdentityARN or eventTime: actor unknown, occurredAt absent",
      payload: trigger(triggerRecord([{ commit: sha("5"), ref: "refs/heads/main" }], { userIdentityARN: undefined, eventTime: undefined })),
      want: { kind: "event", event: { ...untimed, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("5"), actor: "unknown" } },
    },
    {
      name: "an unparseable eventTime leaves occurredAt out",
      payload: trigger(triggerRecord([{ commit: sha("5"), ref: "refs/heads/main" }], { eventTime: "last tuesday" })),
      want: { kind: "event", event: { ...untimed, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("5") } },
    },
  ])("$name", ({ payload, want }) => {
    // toStrictEqual: a field the event should not have must be absent, not undefined.
    expect(normalize(payload)).toStrictEqual(want);
  });

  it("turns several references of one record into one event each, in order", () => {
    const payload = trigger(
      triggerRecord([
        { commit: sha("1"), ref: "refs/heads/main" },
        { commit: sha("2"), ref: "refs/heads/release", created: true },
        { commit: sha("1"), ref: "refs/tags/v2.0" },
      ]),
    );
    expect(normalize(payload)).toEqual({
      kind: "events",
      events: [
        { ...base, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("1") },
        { ...base, kind: "push", action: "created", ref: "refs/heads/release", branch: "release", sha: sha("2") },
        { ...base, kind: "tag", action: "pushed", ref: "refs/tags/v2.0", tag: "v2.0", sha: sha("1") },
      ],
    });
  });

  it("reads every record of a trigger split into parts (eventPartNumber 1 and 2)", () => {
    const payload = trigger(
      triggerRecord([{ commit: sha("1"), ref: "refs/heads/a" }], { eventPartNumber: 1, eventTotalParts: 2 }),
      triggerRecord([{ commit: sha("2"), ref: "refs/heads/b" }], { eventPartNumber: 2, eventTotalParts: 2, userIdentityARN: "arn:aws:iam::111122223333:role/ci" }),
    );
    const got = normalize(payload);
    expect(got.kind).toBe("events");
    if (got.kind !== "events") return;
    expect(got.events.map((e) => [e.branch, e.sha, e.actor])).toEqual([
      ["a", sha("1"), JANE],
      ["b", sha("2"), "arn:aws:iam::111122223333:role/ci"],
    ]);
  });

  it("builds the references that remain when others were deleted", () => {
    const payload = trigger(
      triggerRecord([
        { commit: sha("1"), ref: "refs/heads/old", deleted: true },
        { commit: sha("2"), ref: "refs/heads/main" },
      ]),
    );
    expect(normalize(payload)).toEqual({ kind: "event", event: { ...base, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("2") } });
  });

  it.each([
    { name: "a deleted branch", refs: [{ commit: sha("1"), ref: "refs/heads/old", deleted: true }], reason: "nothing to build: refs/heads/old was deleted" },
    { name: "a deleted tag", refs: [{ commit: sha("1"), ref: "refs/tags/v0.1", deleted: true }], reason: "nothing to build: refs/tags/v0.1 was deleted" },
    { name: "a ref that is neither a branch nor a tag", refs: [{ commit: sha("1"), ref: "refs/notes/commits" }], reason: "nothing to build: refs/notes/commits is neither a branch nor a tag" },
    {
      name: "several skipped references (every reason listed)",
      refs: [
        { commit: sha("1"), ref: "refs/heads/old", deleted: true },
        { commit: sha("2"), ref: "HEAD" },
      ],
      reason: "nothing to build: refs/heads/old was deleted; HEAD is neither a branch nor a tag",
    },
    { name: "no references at all", refs: [], reason: "the trigger lists no references" },
  ])("ignores $name with a reason", ({ refs, reason }) => {
    expect(normalize(trigger(triggerRecord(refs)))).toEqual({ kind: "ignored", reason });
  });
});
