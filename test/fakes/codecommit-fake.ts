import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ApiError,
  DEFAULT_MAX_RESULTS,
  FakeRepository,
  MAX_COMMENT_CHARS,
  clientError,
  decodeToken,
  encodeToken,
  fingerprint,
  optionalString,
  readBody,
  renderPullRequest,
  requireString,
  send,
  sha256,
  userInfo,
  validateLocation,
  type FakeCommentLocation,
  type FakeCommit,
  type FakeFailure,
  type FakePullRequest,
  type RecordedApproval,
  type RecordedComment,
  type StoredPullRequest,
} from "./codecommit-fake-shapes.js";

export type { FakeCommentLocation, FakeCommit, FakeFailure, FakePullRequest, FileChange, RecordedApproval, RecordedComment } from "./codecommit-fake-shapes.js";

/** One request the fake received, in arrival order. `status` is 0 when the socket was reset. */
export interface RecordedCall {
  readonly op: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  status: number;
}

export interface CodeCommitFakeOptions {
  readonly accountId?: string;
  /** The caller's ARN: comment author, and the approver (who may not be the PR author). Default `arn:aws:iam::<account>:user/buildgate`. */
  readonly callerArn?: string;
  /** Clock in epoch milliseconds, for comment and PR dates. */
  readonly now?: () => number;
}

export interface CodeCommitFake {
  /** Base URL for the SDK's `endpoint`. */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Adds (or replaces) a commit; creates the repository when new. */
  addCommit(repo: string, commit: FakeCommit): void;
  /** Points a branch at a commit; creates the repository when new. */
  setBranch(repo: string, branch: string, commitId: string): void;
  /** Adds or updates a pull request; earlier source/destination commits stay valid for comments. */
  setPullRequest(pr: FakePullRequest): void;
  /** Comments created, in order (an idempotent replay adds none). */
  readonly comments: RecordedComment[];
  /** Successful UpdatePullRequestApprovalState calls, in order. */
  readonly approvals: RecordedApproval[];
  /** Fails the next `n` requests (any operation) with `failure`, or by destroying the socket ("reset"). */
  failNext(n: number, failure: FakeFailure | "reset"): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = "CodeCommit_20150413.";

/** Starts a local AWS CodeCommit fake (AWS JSON 1.1) on 127.0.0.1. */
export async function startCodeCommitFake(options: CodeCommitFakeOptions = {}): Promise<CodeCommitFake> {
  const accountId = options.accountId ?? "123456789012";
  const callerArn = options.callerArn ?? `arn:aws:iam::${accountId}:user/buildgate`;
  const now = options.now ?? Date.now;
  const seconds = () => now() / 1000;
  const calls: RecordedCall[] = [];
  const comments: RecordedComment[] = [];
  const approvals: RecordedApproval[] = [];
  const repositories = new Map<string, FakeRepository>();
  const pullRequests = new Map<string, StoredPullRequest>();
  const tokens = new Map<string, { print: string; comment: RecordedComment; output: Record<string, unknown> }>();
  let failure: { remaining: number; what: FakeFailure | "reset" } | undefined;

  const repositoryOf = (name: string) => {
    let repo = repositories.get(name);
    if (!repo) repositories.set(name, (repo = new FakeRepository(name)));
    return repo;
  };

  function existingRepository(body: Record<string, unknown>): FakeRepository {
    const name = requireString(body, "repositoryName", "RepositoryNameRequiredException");
    const repo = repositories.get(name);
    if (!repo) throw clientError("RepositoryDoesNotExistException", `${name} does not exist`);
    return repo;
  }

  function existingPullRequest(body: Record<string, unknown>): StoredPullRequest {
    const id = requireString(body, "pullRequestId", "PullRequestIdRequiredException");
    const stored = pullRequests.get(id);
    if (!stored) throw clientError("PullRequestDoesNotExistException", `Pull request ${id} does not exist.`);
    return stored;
  }

  function getDifferences(body: Record<string, unknown>) {
    const repo = existingRepository(body);
    const afterSpec = requireString(body, "afterCommitSpecifier", "CommitRequiredException");
    const beforeSpec = optionalString(body, "beforeCommitSpecifier");
    const resolve = (spec: string) => {
      const id = repo.resolve(spec);
      if (id === undefined) throw clientError("CommitDoesNotExistException", `Could not find the specified commit. Commit '${spec}' does not exist in ${repo.name}.`);
      return id;
    };
    const after = resolve(afterSpec);
    const before = beforeSpec === undefined ? undefined : resolve(beforeSpec);
    const maxResults = body.MaxResults ?? DEFAULT_MAX_RESULTS;
    if (typeof maxResults !== "number" || !Number.isInteger(maxResults) || maxResults < 1) throw clientError("InvalidMaxResultsException", "The specified number of maximum results is not valid.");
    let differences = repo.differences(after, before);
    const paths = [optionalString(body, "beforePath"), optionalString(body, "afterPath")].filter((p): p is string => p !== undefined && p !== "");
    if (paths.length > 0) {
      const under = (path: string | undefined) => path !== undefined && paths.some((p) => path === p || path.startsWith(`${p.replace(/\/$/, "")}/`));
      const known = (tree: Map<string, string>) => [...tree.keys()].some(under);
      if (!known(repo.tree(after)) && !(before !== undefined && known(repo.tree(before)))) throw clientError("PathDoesNotExistException", `The specified path ${paths.join(", ")} does not exist.`);
      differences = differences.filter((d) => under(d.beforeBlob?.path) || under(d.afterBlob?.path));
    }
    const query = fingerprint({ repo: repo.name, after, before, paths });
    const token = optionalString(body, "NextToken");
    const offset = token === undefined || token === "" ? 0 : decodeToken(token, query);
    const page = differences.slice(offset, offset + maxResults);
    const next = offset + page.length;
    return { differences: page, ...(next < differences.length ? { NextToken: encodeToken(query, next) } : {}) };
  }

  function getPullRequest(body: Record<string, unknown>) {
    const stored = existingPullRequest(body);
    return { pullRequest: renderPullRequest(stored, repositories.get(stored.pr.repositoryName)) };
  }

  /** Validation shared by both comment operations, then the idempotency check; returns a replay when the token was used. */
  function commentCommon(op: string, body: Record<string, unknown>) {
    const content = requireString(body, "content", "CommentContentRequiredException");
    if (content.length > MAX_COMMENT_CHARS) throw clientError("CommentContentSizeLimitExceededException", `The comment is too large. Comments are limited to ${MAX_COMMENT_CHARS} characters.`);
    const location = validateLocation(body);
    const token = optionalString(body, "clientRequestToken");
    if (token !== undefined && (token === "" || token.length > 64)) throw clientError("InvalidClientRequestTokenException", "The client request token is not valid.");
    const { clientRequestToken: _token, ...params } = body;
    const print = fingerprint(params);
    const key = token === undefined ? undefined : `${op}\0${token}`;
    const previous = key === undefined ? undefined : tokens.get(key);
    if (previous && previous.print !== print) throw clientError("IdempotencyParameterMismatchException", `The client request token ${token} was already used with different parameters.`);
    return { content, location, token, print, key, replay: previous?.output };
  }

  function recordComment(common: ReturnType<typeof commentCommon>, record: Omit<RecordedComment, "content" | "commentId" | "creationDate" | "clientRequestToken" | "location">, extra: Record<string, unknown>) {
    const comment: RecordedComment = {
      ...record,
      content: common.content,
      commentId: randomUUID(),
      creationDate: seconds(),
      ...(common.token !== undefined ? { clientRequestToken: common.token } : {}),
      ...(common.location ? { location: common.location } : {}),
    };
    comments.push(comment);
    const output = {
      repositoryName: comment.repositoryName,
      ...(comment.pullRequestId !== undefined ? { pullRequestId: comment.pullRequestId } : {}),
      ...(comment.beforeCommitId !== undefined ? { beforeCommitId: comment.beforeCommitId } : {}),
      afterCommitId: comment.afterCommitId,
      ...extra,
      ...(comment.location ? { location: comment.location } : {}),
      comment: {
        commentId: comment.commentId,
        content: comment.content,
        authorArn: callerArn,
        creationDate: comment.creationDate,
        lastModifiedDate: comment.creationDate,
        deleted: false,
        callerReactions: [],
        reactionCounts: {},
        ...(comment.clientRequestToken !== undefined ? { clientRequestToken: comment.clientRequestToken } : {}),
      },
    };
    if (common.key !== undefined) tokens.set(common.key, { print: common.print, comment, output });
    return output;
  }

  /** Blob ids of a located comment's file, as CodeCommit echoes them. */
  function blobIds(repo: FakeRepository | undefined, location: FakeCommentLocation | undefined, before: string | undefined, after: string) {
    if (!repo || !location?.filePath) return {};
    const beforeBlobId = before === undefined ? undefined : repo.tree(before).get(location.filePath);
    const afterBlobId = repo.tree(after).get(location.filePath);
    if (beforeBlobId === undefined && afterBlobId === undefined && (repo.commits.has(after) || (before !== undefined && repo.commits.has(before)))) {
      throw clientError("PathDoesNotExistException", `The specified path ${location.filePath} does not exist.`);
    }
    return { ...(beforeBlobId ? { beforeBlobId } : {}), ...(afterBlobId ? { afterBlobId } : {}) };
  }

  function postCommentForPullRequest(body: Record<string, unknown>) {
    const pullRequestId = requireString(body, "pullRequestId", "PullRequestIdRequiredException");
    const repositoryName = requireString(body, "repositoryName", "RepositoryNameRequiredException");
    const beforeCommitId = requireString(body, "beforeCommitId", "CommitIdRequiredException");
    const afterCommitId = requireString(body, "afterCommitId", "CommitIdRequiredException");
    const common = commentCommon("PostCommentForPullRequest", body);
    if (common.replay) return common.replay;
    const stored = existingPullRequest(body);
    if (!repositories.has(repositoryName)) throw clientError("RepositoryDoesNotExistException", `${repositoryName} does not exist`);
    if (stored.pr.repositoryName !== repositoryName) throw clientError("RepositoryNotAssociatedWithPullRequestException", `The repository ${repositoryName} is not associated with pull request ${pullRequestId}.`);
    if (beforeCommitId === afterCommitId) throw clientError("BeforeCommitIdAndAfterCommitIdAreSameException", "The before commit ID and the after commit ID are the same, which is not valid.");
    if (!stored.sourceCommits.has(afterCommitId)) throw clientError("InvalidCommitIdException", `The after commit ID ${afterCommitId} is not a source commit of pull request ${pullRequestId}.`);
    const mergeBase = stored.pr.mergeBase ?? repositories.get(repositoryName)?.mergeBase(stored.pr.sourceCommit, stored.pr.destinationCommit);
    if (!stored.destinationCommits.has(beforeCommitId) && beforeCommitId !== mergeBase) throw clientError("InvalidCommitIdException", `The before commit ID ${beforeCommitId} is not a destination commit of pull request ${pullRequestId}.`);
    const extra = blobIds(repositories.get(repositoryName), common.location, beforeCommitId, afterCommitId);
    stored.lastActivityDate = seconds();
    return recordComment(common, { kind: "pullRequest", pullRequestId, repositoryName, beforeCommitId, afterCommitId }, extra);
  }

  function postCommentForComparedCommit(body: Record<string, unknown>) {
    const repositoryName = requireString(body, "repositoryName", "RepositoryNameRequiredException");
    const afterCommitId = requireString(body, "afterCommitId", "CommitIdRequiredException");
    const beforeCommitId = optionalString(body, "beforeCommitId") || undefined;
    const common = commentCommon("PostCommentForComparedCommit", body);
    if (common.replay) return common.replay;
    const repo = existingRepository(body);
    for (const id of [beforeCommitId, afterCommitId]) {
      if (id !== undefined && !repo.commits.has(id)) throw clientError("CommitDoesNotExistException", `Could not find the specified commit. Commit '${id}' does not exist in ${repositoryName}.`);
    }
    if (beforeCommitId === afterCommitId) throw clientError("BeforeCommitIdAndAfterCommitIdAreSameException", "The before commit ID and the after commit ID are the same, which is not valid.");
    const extra = blobIds(repo, common.location, beforeCommitId, afterCommitId);
    return recordComment(common, { kind: "comparedCommit", repositoryName, afterCommitId, ...(beforeCommitId !== undefined ? { beforeCommitId } : {}) }, extra);
  }

  function updatePullRequestApprovalState(body: Record<string, unknown>) {
    const pullRequestId = requireString(body, "pullRequestId", "PullRequestIdRequiredException");
    const revisionId = requireString(body, "revisionId", "RevisionIdRequiredException");
    const approvalState = requireString(body, "approvalState", "ApprovalStateRequiredException");
    if (approvalState !== "APPROVE" && approvalState !== "REVOKE") throw clientError("InvalidApprovalStateException", `The state for the approval is not valid: ${approvalState}. Valid values include APPROVE and REVOKE.`);
    const stored = existingPullRequest(body);
    if (stored.pr.status === "CLOSED") throw clientError("PullRequestAlreadyClosedException", `The pull request ${pullRequestId} is already closed.`);
    if (stored.pr.revisionId !== revisionId) throw clientError("RevisionNotCurrentException", "The revision ID provided in the request does not match the current revision ID. Use GetPullRequest to retrieve the current revision ID.");
    if (stored.pr.authorArn === callerArn) throw clientError("PullRequestCannotBeApprovedByAuthorException", "The author of the pull request cannot approve it.");
    approvals.push({ pullRequestId, revisionId, approvalState });
    stored.lastActivityDate = seconds();
    return {};
  }

  function getCommit(body: Record<string, unknown>) {
    const repo = existingRepository(body);
    const commitId = requireString(body, "commitId", "CommitIdRequiredException");
    const commit = repo.commits.get(commitId);
    if (!commit) throw clientError("CommitIdDoesNotExistException", `The specified commit ID ${commitId} does not exist.`);
    const person = userInfo(commit.author, commit.date);
    return {
      commit: {
        commitId,
        treeId: repo.treeId(commitId),
        parents: commit.parent === undefined ? [] : [commit.parent],
        message: commit.message ?? `commit ${commitId}`,
        author: person,
        committer: person,
        additionalData: "",
      },
    };
  }

  function getBranch(body: Record<string, unknown>) {
    const repo = existingRepository(body);
    const branchName = requireString(body, "branchName", "BranchNameRequiredException");
    const commitId = repo.branches.get(branchName);
    if (commitId === undefined) throw clientError("BranchDoesNotExistException", `Could not find the branch ${branchName} in ${repo.name}.`);
    return { branch: { branchName, commitId } };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    GetDifferences: getDifferences,
    GetPullRequest: getPullRequest,
    PostCommentForPullRequest: postCommentForPullRequest,
    PostCommentForComparedCommit: postCommentForComparedCommit,
    UpdatePullRequestApprovalState: updatePullRequestApprovalState,
    GetCommit: getCommit,
    GetBranch: getBranch,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let call: RecordedCall | undefined;
    try {
      const body = await readBody(req);
      call = { op, body, headers: req.headers, status: 0 };
      calls.push(call);
      if (failure && failure.remaining > 0) {
        const what = failure.what;
        if (--failure.remaining === 0) failure = undefined;
        if (what === "reset") return void req.socket.destroy();
        throw new ApiError(what.status, what.type, what.message);
      }
      const operation = req.method === "POST" && req.url === "/" && target.startsWith(TARGET_PREFIX) && Object.hasOwn(operations, op) ? operations[op] : undefined;
      if (!operation) throw new ApiError(400, "UnknownOperationException", `unknown operation ${target || "(no X-Amz-Target)"}`);
      const result = operation(body);
      call.status = 200;
      send(res, 200, result);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, "InternalFailure", String(err));
      if (call) call.status = e.status;
      else calls.push({ op, body: {}, headers: req.headers, status: e.status });
      send(res, e.status, { __type: e.type, message: e.message }, e.type);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    comments,
    approvals,
    addCommit(repo, commit) {
      repositoryOf(repo).commits.set(commit.id, { ...commit, files: commit.files.map((f) => ({ ...f })), date: commit.date ?? Math.floor(seconds()) });
    },
    setBranch(repo, branch, commitId) {
      repositoryOf(repo).branches.set(branch.startsWith("refs/heads/") ? branch.slice("refs/heads/".length) : branch, commitId);
    },
    setPullRequest(input) {
      repositoryOf(input.repositoryName);
      const previous = pullRequests.get(input.pullRequestId);
      const pr = {
        ...input,
        title: input.title ?? previous?.pr.title ?? `Pull request ${input.pullRequestId}`,
        authorArn: input.authorArn ?? previous?.pr.authorArn ?? `arn:aws:iam::${accountId}:user/pr-author`,
        status: input.status ?? previous?.pr.status ?? "OPEN",
        revisionId: input.revisionId ?? sha256(`revision\0${input.pullRequestId}\0${input.sourceCommit}`),
      };
      const stored: StoredPullRequest = previous ?? { pr, creationDate: seconds(), lastActivityDate: seconds(), sourceCommits: new Set(), destinationCommits: new Set() };
      stored.pr = pr;
      stored.lastActivityDate = seconds();
      stored.sourceCommits.add(pr.sourceCommit);
      stored.destinationCommits.add(pr.destinationCommit);
      const mergeBase = pr.mergeBase ?? repositories.get(pr.repositoryName)?.mergeBase(pr.sourceCommit, pr.destinationCommit);
      if (mergeBase !== undefined) stored.destinationCommits.add(mergeBase);
      pullRequests.set(pr.pullRequestId, stored);
    },
    failNext(n, what) {
      failure = n > 0 ? { remaining: n, what } : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

