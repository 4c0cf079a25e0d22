import type { NormalizeResult } from "../../../../src/domain/source-event.js";
import { HANDLED_DETAIL_TYPES, normalizeCodeCommitDelivery } from "../../../../src/providers/codecommit/normalize-codecommit-delivery.js";
import { BUILD_ID, codeBuildEvent, envelope, fromEnvelope, JANE, MARY, pullRequestEvent, referenceEvent, REPO, sha, trigger, TRIGGER_TIME, triggerRecord } from "./codecommit-examples.js";

// The SNS intake stores the notification's Message as the body (event "Notification"); the
// EventBridge intake stores the event (event = its detail-type). Both reach this one function,
// which tells a repository trigger from an EventBridge envelope by its shape.

const push = { ...fromEnvelope("d-1"), repository: REPO, kind: "push" as const, action: "pushed", ref: "refs/heads/myBranch", branch: "myBranch", sha: sha("c"), beforeSha: sha("b"), actor: MARY };

describe("normalizeCodeCommitDelivery", () => {
  it.each<{ name: string; event: string; payload: unknown; want: NormalizeResult }>([
    {
      name: "an SNS repository trigger",
      event: "Notification",
      payload: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/main" }])),
      want: { kind: "event", event: { provider: "codecommit", deliveryId: "d-1", repository: REPO, location: { region: "us-east-2", account: "111122223333" }, kind: "push", action: "pushed", ref: "refs/heads/main", branch: "main", sha: sha("1"), actor: JANE, occurredAt: TRIGGER_TIME } },
    },
    { name: "an EventBridge repository state change", event: "CodeCommit Repository State Change", payload: referenceEvent("referenceUpdated"), want: { kind: "event", event: push } },
    { name: "an EventBridge event forwarded through SNS", event: "Notification", payload: referenceEvent("referenceUpdated"), want: { kind: "event", event: push } },
    {
      name: "a CodeBuild Build State Change: a hint with the API build id",
      event: "CodeBuild Build State Change",
      payload: codeBuildEvent({ "build-status": "SUCCEEDED", "current-phase": "COMPLETED", "additional-information": { "build-complete": true, "build-start-time": "Sep 1, 2017 4:12:29 PM" } }),
      want: { kind: "hint", buildIds: [BUILD_ID], reason: `CodeBuild Build State Change (SUCCEEDED) for ${BUILD_ID}: polling it now` },
    },
    {
      name: "an IN_PROGRESS state change forwarded through SNS",
      event: "Notification",
      payload: codeBuildEvent({ "build-status": "IN_PROGRESS", "current-phase": "SUBMITTED" }),
      want: { kind: "hint", buildIds: [BUILD_ID], reason: `CodeBuild Build State Change (IN_PROGRESS) for ${BUILD_ID}: polling it now` },
    },
    {
      name: "a CodeBuild Build Phase Change: a hint with the completed phase's status",
      event: "CodeBuild Build Phase Change",
      payload: codeBuildEvent({ "completed-phase": "BUILD", "completed-phase-status": "FAILED", "completed-phase-duration-seconds": 12 }, "CodeBuild Build Phase Change"),
      want: { kind: "hint", buildIds: [BUILD_ID], reason: `CodeBuild Build Phase Change (FAILED) for ${BUILD_ID}: polling it now` },
    },
    {
      name: "a state change without build-status",
      event: "CodeBuild Build State Change",
      payload: codeBuildEvent({}),
      want: { kind: "hint", buildIds: [BUILD_ID], reason: `CodeBuild Build State Change (?) for ${BUILD_ID}: polling it now` },
    },
  ])("$name", ({ event, payload, want }) => {
    expect(normalizeCodeCommitDelivery(event, payload, "d-1")).toStrictEqual(want);
  });

  it("passes an EventBridge pull request event on with its delivery id", () => {
    const got = normalizeCodeCommitDelivery("CodeCommit Pull Request State Change", pullRequestEvent("pullRequestCreated"), "d-9");
    expect(got.kind === "event" && [got.event.kind, got.event.action, got.event.deliveryId, got.event.pullRequest?.number]).toEqual(["pull_request", "opened", "d-9", 7]);
  });

  it("turns a trigger with several references into several events", () => {
    const payload = trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/main" }, { commit: sha("2"), ref: "refs/tags/v1", created: true }]));
    const got = normalizeCodeCommitDelivery("Notification", payload, "d-1");
    expect(got.kind === "events" && got.events.map((e) => [e.kind, e.ref, e.deliveryId])).toEqual([
      ["push", "refs/heads/main", "d-1"],
      ["tag", "refs/tags/v1", "d-1"],
    ]);
  });

  it.each([
    { name: "a CodeBuild event with a bad build id", payload: codeBuildEvent({ "build-id": "not-a-build" }), reason: "CodeBuild event CodeBuild Build State Change is not a build state or phase change" },
    { name: "a CodeBuild report event", payload: codeBuildEvent({}, "CodeBuild Report State Change"), reason: "CodeBuild event CodeBuild Report State Change is not a build state or phase change" },
    { name: "another AWS source", payload: envelope("EC2 Instance State-change Notification", "aws.ec2", { state: "running" }), reason: "events from aws.ec2 are not handled" },
    { name: "a deleted branch over EventBridge", payload: referenceEvent("referenceDeleted", { commitId: undefined }), reason: "branch myBranch was deleted" },
    { name: "a deleted branch in a trigger", payload: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/old", deleted: true }])), reason: "nothing to build: refs/heads/old was deleted" },
    { name: "a trigger with a foreign eventSourceARN", payload: trigger(triggerRecord([], { eventSourceARN: "arn:aws:s3:::bucket" })), reason: "malformed repository trigger: Records.0.eventSourceARN: must be a CodeCommit repository ARN" },
    { name: "a null payload", payload: null, reason: "not a CodeCommit trigger or an EventBridge event" },
    { name: "a string", payload: "hello", reason: "not a CodeCommit trigger or an EventBridge event" },
    { name: "an array", payload: [], reason: "not a CodeCommit trigger or an EventBridge event" },
    { name: "an empty object", payload: {}, reason: "not a CodeCommit trigger or an EventBridge event" },
    { name: "an envelope without detail", payload: { ...envelope("CodeCommit Repository State Change", "aws.codecommit", {}), detail: undefined }, reason: "not a CodeCommit trigger or an EventBridge event" },
  ])("ignores $name with a reason", ({ payload, reason }) => {
    expect(normalizeCodeCommitDelivery("Notification", payload, "d-1")).toEqual({ kind: "ignored", reason });
  });

  it.each([
    { name: "no Records entries", payload: { Records: [] }, path: "Records" },
    { name: "Records that is not an array", payload: { Records: "x" }, path: "Records" },
    { name: "a short commit", payload: trigger(triggerRecord([{ commit: "abc123", ref: "refs/heads/main" }])), path: "Records.0.codecommit.references.0.commit" },
    { name: "no codecommit part", payload: trigger(triggerRecord([], { codecommit: undefined })), path: "Records.0.codecommit" },
  ])("ignores a malformed trigger ($name), naming the field", ({ payload, path }) => {
    const got = normalizeCodeCommitDelivery("Notification", payload, "d-1");
    expect(got.kind).toBe("ignored");
    expect(got.kind === "ignored" && got.reason).toMatch(new RegExp(`^malformed repository trigger: ${path.replace(/\./g, "\\.")}: `));
  });

  it("lists the detail types the EventBridge intake keeps for processing", () => {
    expect([...HANDLED_DETAIL_TYPES].sort()).toEqual(["CodeBuild Build Phase Change", "CodeBuild Build State Change", "CodeCommit Pull Request State Change", "CodeCommit Repository State Change"]);
  });
});

