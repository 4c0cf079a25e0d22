import { z } from "zod";

/** A repository trigger's JSON (the SNS `Message`): one record per trigger part. */
export const TriggerPayload = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        awsRegion: z.string().optional(),
        eventSourceARN: z.string().regex(/^arn:aws[\w-]*:codecommit:[\w-]+:\d{12}:[\w.-]+$/, "must be a CodeCommit repository ARN"),
        eventTime: z.string().optional(),
        userIdentityARN: z.string().optional(),
        codecommit: z.looseObject({
          references: z.array(z.looseObject({ commit: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string(), created: z.boolean().optional(), deleted: z.boolean().optional() })),
        }),
      }),
    )
    .min(1),
});
export type TriggerPayload = z.infer<typeof TriggerPayload>;

/** The EventBridge envelope, delivered to the API destination or forwarded through SNS. */
export const EventEnvelope = z.looseObject({
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  region: z.string().optional(),
  time: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export const ReferenceDetail = z.looseObject({
  event: z.string(),
  repositoryName: z.string(),
  referenceType: z.string().optional(),
  referenceName: z.string(),
  referenceFullName: z.string().optional(),
  commitId: z.string().optional(),
  oldCommitId: z.string().optional(),
  callerUserArn: z.string().optional(),
});

export const PullRequestDetail = z.looseObject({
  event: z.string(),
  pullRequestId: z.string().regex(/^\d+$/, "must be a pull request number"),
  pullRequestStatus: z.string().optional(),
  isMerged: z.string().optional(),
  repositoryNames: z.array(z.string()).min(1),
  sourceReference: z.string().optional(),
  destinationReference: z.string().optional(),
  sourceCommit: z.string().optional(),
  destinationCommit: z.string().optional(),
  revisionId: z.string().optional(),
  title: z.string().optional(),
  author: z.string().optional(),
  callerUserArn: z.string().optional(),
  approvalStatus: z.string().optional(),
});
