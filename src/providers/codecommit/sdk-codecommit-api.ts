import {
  CodeCommitClient,
  GetPullRequestCommand,
  paginateGetDifferences,
  PostCommentForComparedCommitCommand,
  PostCommentForPullRequestCommand,
  UpdatePullRequestApprovalStateCommand,
} from "@aws-sdk/client-codecommit";
import { CodeCommitApiError, type CodeCommitApi } from "./codecommit-api.js";

// The pull request moved on (a new revision): fetch it again and retry. Throttling and 5xx are
// retried by the SDK first, then by the job queue.
const RETRYABLE = new Set(["RevisionNotCurrentException", "ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException", "InternalFailure", "TimeoutError", "EncryptionKeyUnavailableException"]);

function toApiError(err: unknown): CodeCommitApiError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const code = e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const retryable = RETRYABLE.has(code) || status === undefined || status >= 500 || e.$retryable !== undefined;
  return new CodeCommitApiError(`${code}: ${e.message ?? String(err)}`, code, retryable);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof CodeCommitApiError ? err : toApiError(err);
  }
}

export function createCodeCommitClient(o: { region: string; endpoint?: string; maxAttempts: number }): CodeCommitClient {
  return new CodeCommitClient({ region: o.region, maxAttempts: o.maxAttempts, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
}

export function createSdkCodeCommitApi(client: CodeCommitClient): CodeCommitApi {
  return {
    getDifferences: (repositoryName, before, after, limit = 3000) =>
      call(async () => {
        const paths = new Set<string>();
        const pages = paginateGetDifferences({ client, pageSize: 100 }, { repositoryName, afterCommitSpecifier: after, ...(before ? { beforeCommitSpecifier: before } : {}) });
        for await (const page of pages) {
          for (const d of page.differences ?? []) {
            if (d.afterBlob?.path) paths.add(d.afterBlob.path);
            if (d.beforeBlob?.path) paths.add(d.beforeBlob.path);
          }
          if (paths.size > limit) return undefined;
        }
        return [...paths];
      }),
    getPullRequest: (pullRequestId) =>
      call(async () => {
        const { pullRequest: pr } = await client.send(new GetPullRequestCommand({ pullRequestId }));
        const target = pr?.pullRequestTargets?.[0];
        if (!pr || !target) throw new CodeCommitApiError(`pull request ${pullRequestId} has no target`, "PullRequestDoesNotExistException", false);
        return {
          pullRequestId,
          status: pr.pullRequestStatus ?? "OPEN",
          revisionId: pr.revisionId ?? "",
          repositoryName: target.repositoryName ?? "",
          sourceReference: target.sourceReference ?? "",
          destinationReference: target.destinationReference ?? "",
          sourceCommit: target.sourceCommit ?? "",
          destinationCommit: target.destinationCommit ?? "",
          ...(target.mergeBase ? { mergeBase: target.mergeBase } : {}),
          ...(pr.authorArn ? { authorArn: pr.authorArn } : {}),
        };
      }),
    postPullRequestComment: (c) => call(async () => void (await client.send(new PostCommentForPullRequestCommand(c)))),
    postCommitComment: (c) => call(async () => void (await client.send(new PostCommentForComparedCommitCommand(c)))),
    updateApproval: (pullRequestId, revisionId, approvalState) => call(async () => void (await client.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId, revisionId, approvalState })))),
  };
}
