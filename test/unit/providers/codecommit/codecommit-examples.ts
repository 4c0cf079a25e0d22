import { EventEnvelope } from "../../../../src/providers/codecommit/codecommit-schemas.js";
import { normalizeCodeCommitEvent } from "../../../../src/providers/codecommit/normalize-codecommit-event.js";

// CodeCommit and CodeBuild payloads shaped like the samples in the AWS user guides
// (codecommit how-to-notify / monitoring-events, codebuild sample-build-notifications), as
// summarised in /work/shared/reference/protocols.md §3 and §5. Each call returns a fresh copy.

export const ACCOUNT = "111122223333";
export const REGION = "us-east-2";
export const REPO = "MyDemoRepo";
export const REPO_ARN = `arn:aws:codecommit:${REGION}:${ACCOUNT}:${REPO}`;
export const JANE = `arn:aws:iam::${ACCOUNT}:user/JaneDoe-CodeCommit`;
export const MARY = `arn:aws:iam::${ACCOUNT}:user/Mary_Major`;
export const sha = (c: string) => c.repeat(40);

export interface TriggerReference {
  commit: string;
  ref: string;
  created?: boolean;
  deleted?: boolean;
}

/** One record of a repository trigger's JSON (the SNS `Message`), as the docs print it. */
export function triggerRecord(references: TriggerReference[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    awsRegion: REGION,
    codecommit: { references },
    customData: "Project ID 12345",
    eventId: "5a824061-17ca-46a9-bbf9-114edeadbeef",
    eventName: "ReferenceChanges",
    eventPartNumber: 1,
    eventTotalParts: 1,
    eventSource: "aws:codecommit",
    eventSourceARN: REPO_ARN,
    eventTime: "2016-02-09T00:08:11.743+0000",
    eventTriggerConfigId: "5a824061-17ca-46a9-bbf9-114edeadbeef",
    eventTriggerName: "MyFirstTrigger",
    eventVersion: "1.0",
    userIdentityARN: JANE,
    ...overrides,
  };
}

/** A whole trigger message: `{ Records: [...] }`. */
export const trigger = (...records: Array<Record<string, unknown>>) => ({ Records: records });

/** The trigger sample's eventTime, `2016-02-09T00:08:11.743+0000`, in epoch ms. */
export const TRIGGER_TIME = Date.UTC(2016, 1, 9, 0, 8, 11, 743);

/** The envelope every EventBridge event shares. */
export function envelope(detailType: string, source: string, detail: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: "0",
    id: "01234567-0123-0123-0123-012345678901",
    "detail-type": detailType,
    source,
    account: ACCOUNT,
    time: "2019-06-12T10:23:43Z",
    region: REGION,
    resources: [REPO_ARN],
    detail,
    ...overrides,
  };
}

/** The sample envelope's time, `2019-06-12T10:23:43Z`, in epoch ms. */
export const EVENT_TIME = Date.UTC(2019, 5, 12, 10, 23, 43);

/** "CodeCommit Repository State Change" for branch `myBranch`: `event` with both commits; override to make a tag or drop a commit. */
export function referenceEvent(event: string, detail: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  return envelope(
    "CodeCommit Repository State Change",
    "aws.codecommit",
    {
      callerUserArn: MARY,
      commitId: sha("c"),
      event,
      oldCommitId: sha("b"),
      referenceFullName: "refs/heads/myBranch",
      referenceName: "myBranch",
      referenceType: "branch",
      repositoryId: "12345678-1234-5678-abcd-12345678abcd",
      repositoryName: REPO,
      ...detail,
    },
    overrides,
  );
}

/** "CodeCommit Pull Request State Change" for open pull request 7 (feature → main). */
export function pullRequestEvent(event: string, detail: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  return envelope(
    "CodeCommit Pull Request State Change",
    "aws.codecommit",
    {
      author: JANE,
      callerUserArn: MARY,
      creationDate: "Tue Jun 11 22:23:30 UTC 2019",
      destinationCommit: sha("d"),
      destinationReference: "refs/heads/main",
      event,
      isMerged: "False",
      lastModifiedDate: "Tue Jun 11 22:23:30 UTC 2019",
      notificationBody: "A pull request event occurred in the following AWS CodeCommit repository: MyDemoRepo.",
      pullRequestId: "7",
      pullRequestStatus: "Open",
      repositoryNames: [REPO],
      revisionId: "bdc0cb9bEXAMPLE",
      sourceCommit: sha("e"),
      sourceReference: "refs/heads/feature",
      title: "Add a feature",
      ...detail,
    },
    overrides,
  );
}

export const BUILD_UUID = "a1b2c3d4-5678-90ab-cdef-1234567890ab";
export const BUILD_ID = `my-sample-project:${BUILD_UUID}`;
export const BUILD_ARN = `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${BUILD_ID}`;

/** "CodeBuild Build State Change" (or, with another detail type and detail, a phase change). */
export function codeBuildEvent(detail: Record<string, unknown>, detailType = "CodeBuild Build State Change") {
  return envelope(detailType, "aws.codebuild", { "project-name": "my-sample-project", "build-id": BUILD_ARN, ...detail }, { resources: [BUILD_ARN] });
}

/** The SourceEvent fields every CodeCommit event from the sample envelope carries. */
export const fromEnvelope = (deliveryId: string) => ({ provider: "codecommit" as const, deliveryId, location: { region: REGION, account: ACCOUNT }, occurredAt: EVENT_TIME });

/** An EventBridge event through its envelope schema and `normalizeCodeCommitEvent`, as delivery e-1. */
export const normalizeEvent = (event: unknown) => normalizeCodeCommitEvent(EventEnvelope.parse(event), "e-1");
