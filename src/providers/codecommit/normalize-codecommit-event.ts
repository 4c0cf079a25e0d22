import type { z } from "zod";
import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import { PullRequestDetail, ReferenceDetail, type EventEnvelope } from "./codecommit-schemas.js";

const shortRef = (full: string | undefined) => (full ?? "").replace(/^refs\/heads\//, "");

function envelopeFields(e: EventEnvelope, deliveryId: string) {
  const t = e.time ? Date.parse(e.time) : NaN;
  return {
    provider: "codecommit" as const,
    deliveryId,
    ...(e.region && e.account ? { location: { region: e.region, account: e.account } } : {}),
    ...(Number.isFinite(t) ? { occurredAt: t } : {}),
  };
}

function normalizeReference(e: EventEnvelope, d: z.infer<typeof ReferenceDetail>, deliveryId: string): NormalizeResult {
  if (d.event === "referenceDeleted") return ignored(`${d.referenceType ?? "reference"} ${d.referenceName} was deleted`);
  if (d.event !== "referenceCreated" && d.event !== "referenceUpdated") return ignored(`repository event ${d.event} does not start builds`);
  if (!d.commitId) return ignored(`repository event ${d.event} has no commitId`);
  const isTag = d.referenceType === "tag";
  const ref = d.referenceFullName ?? `refs/${isTag ? "tags" : "heads"}/${d.referenceName}`;
  return {
    kind: "event",
    event: {
      ...envelopeFields(e, deliveryId),
      repository: d.repositoryName,
      kind: isTag ? "tag" : "push",
      action: d.event === "referenceCreated" ? "created" : "pushed",
      ref,
      ...(isTag ? { tag: d.referenceName } : { branch: d.referenceName }),
      sha: d.commitId,
      ...(d.oldCommitId ? { beforeSha: d.oldCommitId } : {}),
      actor: d.callerUserArn ?? "unknown",
    },
  };
}

const PR_BUILD_EVENTS = new Set(["pullRequestCreated", "pullRequestSourceBranchUpdated", "pullRequestStatusChanged", "pullRequestApprovalStateChanged"]);

function normalizePullRequest(e: EventEnvelope, d: z.infer<typeof PullRequestDetail>, deliveryId: string): NormalizeResult {
  const n = Number(d.pullRequestId);
  if (d.event === "pullRequestMergeStatusUpdated") return ignored(`pull request ${n}: merge status updated (merged: ${d.isMerged ?? "unknown"})`);
  if (!PR_BUILD_EVENTS.has(d.event)) return ignored(`pull request event ${d.event} does not start builds`);
  if (d.pullRequestStatus && d.pullRequestStatus.toLowerCase() !== "open") return ignored(`pull request ${n} is ${d.pullRequestStatus.toLowerCase()}`);
  if (d.event === "pullRequestApprovalStateChanged" && d.approvalStatus !== "APPROVE") return ignored(`pull request ${n}: approval ${d.approvalStatus ?? "changed"} does not start builds`);
  if (!d.sourceCommit || !d.destinationReference || !d.sourceReference) return ignored(`pull request event ${d.event} lacks its commits or references`);
  const base = shortRef(d.destinationReference);
  const approval = d.event === "pullRequestApprovalStateChanged";
  return {
    kind: "event",
    event: {
      ...envelopeFields(e, deliveryId),
      repository: d.repositoryNames[0] as string,
      kind: "pull_request",
      action: approval ? "approved" : d.event === "pullRequestCreated" ? "opened" : d.event === "pullRequestStatusChanged" ? "reopened" : "synchronize",
      ref: d.destinationReference,
      branch: base,
      sha: d.sourceCommit,
      actor: d.callerUserArn ?? d.author ?? "unknown",
      pullRequest: {
        number: n,
        baseRef: base,
        baseSha: d.destinationCommit ?? "",
        headRef: shortRef(d.sourceReference),
        headSha: d.sourceCommit,
        headRepository: d.repositoryNames[0] as string,
        fromFork: false,
        draft: false,
        labels: [],
        authorAssociation: "NONE",
        ...(d.title ? { title: d.title } : {}),
        ...(d.author ? { author: d.author } : {}),
        ...(approval ? { approvedBy: d.callerUserArn } : { callerArn: d.callerUserArn ?? d.author }),
      },
    },
  };
}

function parseDetail<T>(schema: z.ZodType<T>, detail: unknown, what: string): T | string {
  const r = schema.safeParse(detail);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  return `malformed ${what}: ${issue?.path.join(".") || "(detail)"}: ${issue?.message ?? "invalid"}`;
}

/** An EventBridge CodeCommit event → a push, tag or pull request event, or a recorded reason. */
export function normalizeCodeCommitEvent(e: EventEnvelope, deliveryId: string): NormalizeResult {
  if (e["detail-type"] === "CodeCommit Repository State Change") {
    const d = parseDetail(ReferenceDetail, e.detail, "repository state change");
    return typeof d === "string" ? ignored(d) : normalizeReference(e, d, deliveryId);
  }
  if (e["detail-type"] === "CodeCommit Pull Request State Change") {
    const d = parseDetail(PullRequestDetail, e.detail, "pull request state change");
    return typeof d === "string" ? ignored(d) : normalizePullRequest(e, d, deliveryId);
  }
  return ignored(`detail-type ${e["detail-type"]} is not handled`);
}
