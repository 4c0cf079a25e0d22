import type { z } from "zod";
import { EventEnvelope, PullRequestDetail, ReferenceDetail, TriggerPayload } from "../../../../src/providers/codecommit/codecommit-schemas.js";
import { pullRequestEvent, referenceEvent, sha, trigger, triggerRecord } from "./codecommit-examples.js";

const detailOf = (event: Record<string, unknown>) => event.detail as Record<string, unknown>;
const main = [{ commit: sha("1"), ref: "refs/heads/main" }];

/** The path of the first issue, or "ok". */
function firstIssue(schema: z.ZodType, value: unknown): string {
  const r = schema.safeParse(value);
  return r.success ? "ok" : r.error.issues[0]?.path.join(".") || "(root)";
}

describe("codecommit schemas", () => {
  it.each<{ name: string; schema: z.ZodType; value: unknown; want: string }>([
    { name: "TriggerPayload: the docs sample", schema: TriggerPayload, value: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/NewBranch", created: true }])), want: "ok" },
    { name: "TriggerPayload: a deleted reference", schema: TriggerPayload, value: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/old", deleted: true }])), want: "ok" },
    { name: "TriggerPayload: a China-partition ARN", schema: TriggerPayload, value: trigger(triggerRecord(main, { eventSourceARN: "arn:aws-cn:codecommit:cn-north-1:111122223333:repo" })), want: "ok" },
    { name: "TriggerPayload: no records", schema: TriggerPayload, value: { Records: [] }, want: "Records" },
    { name: "TriggerPayload: an ARN of another service", schema: TriggerPayload, value: trigger(triggerRecord(main, { eventSourceARN: "arn:aws:sns:us-east-2:111122223333:topic" })), want: "Records.0.eventSourceARN" },
    { name: "TriggerPayload: an ARN with a short account", schema: TriggerPayload, value: trigger(triggerRecord(main, { eventSourceARN: "arn:aws:codecommit:us-east-2:1111:repo" })), want: "Records.0.eventSourceARN" },
    { name: "TriggerPayload: an upper-case commit", schema: TriggerPayload, value: trigger(triggerRecord([{ commit: sha("A"), ref: "refs/heads/main" }])), want: "Records.0.codecommit.references.0.commit" },
    { name: "TriggerPayload: created as a string", schema: TriggerPayload, value: trigger(triggerRecord([{ commit: sha("1"), ref: "refs/heads/main", created: "true" as unknown as boolean }])), want: "Records.0.codecommit.references.0.created" },
    { name: "TriggerPayload: a numeric eventTime", schema: TriggerPayload, value: trigger(triggerRecord(main, { eventTime: 1 })), want: "Records.0.eventTime" },
    { name: "EventEnvelope: a repository state change", schema: EventEnvelope, value: referenceEvent("referenceCreated"), want: "ok" },
    { name: "EventEnvelope: no account, region, time or resources", schema: EventEnvelope, value: { id: "e", "detail-type": "x", source: "aws.codecommit", detail: {} }, want: "ok" },
    { name: "EventEnvelope: an empty id", schema: EventEnvelope, value: referenceEvent("referenceCreated", {}, { id: "" }), want: "id" },
    { name: "EventEnvelope: no detail-type", schema: EventEnvelope, value: referenceEvent("referenceCreated", {}, { "detail-type": undefined }), want: "detail-type" },
    { name: "EventEnvelope: detail is a string", schema: EventEnvelope, value: referenceEvent("referenceCreated", {}, { detail: "{}" }), want: "detail" },
    { name: "EventEnvelope: resources not strings", schema: EventEnvelope, value: referenceEvent("referenceCreated", {}, { resources: [1] }), want: "resources.0" },
    { name: "ReferenceDetail: a branch update", schema: ReferenceDetail, value: detailOf(referenceEvent("referenceUpdated")), want: "ok" },
    { name: "ReferenceDetail: a delete without commitId", schema: ReferenceDetail, value: { ...detailOf(referenceEvent("referenceDeleted")), commitId: undefined }, want: "ok" },
    { name: "ReferenceDetail: no referenceName", schema: ReferenceDetail, value: { ...detailOf(referenceEvent("referenceUpdated")), referenceName: undefined }, want: "referenceName" },
    { name: "PullRequestDetail: a created pull request", schema: PullRequestDetail, value: detailOf(pullRequestEvent("pullRequestCreated")), want: "ok" },
    { name: "PullRequestDetail: isMerged is a string, not a boolean", schema: PullRequestDetail, value: { ...detailOf(pullRequestEvent("pullRequestMergeStatusUpdated")), isMerged: true }, want: "isMerged" },
    { name: "PullRequestDetail: a negative pullRequestId", schema: PullRequestDetail, value: { ...detailOf(pullRequestEvent("pullRequestCreated")), pullRequestId: "-1" }, want: "pullRequestId" },
    { name: "PullRequestDetail: no repositoryNames", schema: PullRequestDetail, value: { ...detailOf(pullRequestEvent("pullRequestCreated")), repositoryNames: [] }, want: "repositoryNames" },
  ])("$name: $want", ({ schema, value, want }) => {
    expect(firstIssue(schema, value)).toBe(want);
  });

  it("keeps fields it does not name (loose objects), so the stored payload loses nothing", () => {
    const parsed = TriggerPayload.parse(trigger(triggerRecord(main)));
    expect(parsed.Records[0]).toMatchObject({ customData: "Project ID 12345", eventTriggerName: "MyFirstTrigger", eventPartNumber: 1 });
    expect(PullRequestDetail.parse(detailOf(pullRequestEvent("pullRequestCreated")))).toMatchObject({ title: "Add a feature", revisionId: "bdc0cb9bEXAMPLE" });
  });
});
