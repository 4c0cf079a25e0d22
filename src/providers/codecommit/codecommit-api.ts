/** A CodeCommit pull request, as far as buildgate needs it. */
export interface CodeCommitPullRequest {
  readonly pullRequestId: string;
  readonly status: string;
  readonly revisionId: string;
  readonly repositoryName: string;
  readonly sourceReference: string;
  readonly destinationReference: string;
  readonly sourceCommit: string;
  readonly destinationCommit: string;
  readonly mergeBase?: string;
  readonly authorArn?: string;
}

/** The CodeCommit calls buildgate makes. Every method throws a CodeCommitApiError on failure. */
export interface CodeCommitApi {
  /** Paths changed between two commits (every path when `before` is undefined), or undefined past `limit` files. */
  getDifferences(repositoryName: string, before: string | undefined, after: string, limit?: number): Promise<string[] | undefined>;
  getPullRequest(pullRequestId: string): Promise<CodeCommitPullRequest>;
  /** Idempotent through `clientRequestToken`: the same token posts once. */
  postPullRequestComment(c: { pullRequestId: string; repositoryName: string; beforeCommitId: string; afterCommitId: string; content: string; clientRequestToken: string }): Promise<void>;
  postCommitComment(c: { repositoryName: string; beforeCommitId?: string; afterCommitId: string; content: string; clientRequestToken: string }): Promise<void>;
  updateApproval(pullRequestId: string, revisionId: string, state: "APPROVE" | "REVOKE"): Promise<void>;
}

export class CodeCommitApiError extends Error {
  constructor(
    message: string,
    /** The AWS error name (`ThrottlingException`, `RevisionNotCurrentException`, …). */
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "CodeCommitApiError";
  }
}
