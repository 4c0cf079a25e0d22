import {
  CodeCommitClient,
  GetBranchCommand,
  GetCommitCommand,
  GetDifferencesCommand,
  GetPullRequestCommand,
  PostCommentForComparedCommitCommand,
  PostCommentForPullRequestCommand,
  UpdatePullRequestApprovalStateCommand,
  paginateGetDifferences,
  type Difference,
  type PostCommentForPullRequestCommandInput,
} from "@aws-sdk/client-codecommit";
import { startCodeCommitFake, type CodeCommitFake } from "../fakes/codecommit-fake.js";

const REPO = "api";
const C0 = "0000000000000000000000000000000000000000";
const C1 = "1111111111111111111111111111111111111111";
const C2 = "2222222222222222222222222222222222222222";
const C3 = "3333333333333333333333333333333333333333";
const throttled = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };

describe("CodeCommit fake, driven by the real AWS SDK client", () => {
  let fake: CodeCommitFake;
  let client: CodeCommitClient;
  beforeEach(async () => {
    fake = await startCodeCommitFake();
    client = new CodeCommitClient({ region: "us-east-1", endpoint: fake.url, credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 3 });
    // C0 (root, 2 files) ← C1 (main) ← C2 ← C3 (feature)
    fake.addCommit(REPO, { id: C0, message: "initial", author: "Jane Doe <jane@example.com>", date: 1_700_000_000, files: [{ path: "README.md" }, { path: "src/a.ts" }] });
    fake.addCommit(REPO, { id: C1, parent: C0, files: [{ path: "src/a.ts", change: "M" }, { path: "src/b.ts", change: "A" }] });
    fake.addCommit(REPO, { id: C2, parent: C1, files: [{ path: "src/c.ts", change: "A" }, { path: "src/a.ts", change: "M" }] });
    fake.addCommit(REPO, { id: C3, parent: C2, message: "feature work", files: [{ path: "README.md", change: "D" }, { path: "src/c.ts", change: "D" }, { path: "src/d.ts" }] });
    fake.setBranch(REPO, "main", C1);
    fake.setBranch(REPO, "feature", C3);
    fake.setPullRequest({ pullRequestId: "42", repositoryName: REPO, title: "Add d", sourceReference: "refs/heads/feature", destinationReference: "refs/heads/main", sourceCommit: C3, destinationCommit: C1 });
  });
  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  const summarise = (d: Difference[]) => d.map((x) => [x.changeType, x.beforeBlob?.path ?? null, x.afterBlob?.path ?? null]);

  it("paginates GetDifferences over 250 changed files in pages of MaxResults", async () => {
    const big = "b".repeat(40);
    fake.addCommit("big", { id: big, files: Array.from({ length: 250 }, (_, i) => ({ path: `f/${String(i).padStart(3, "0")}.txt` })) });

    const all: Difference[] = [];
    for await (const page of paginateGetDifferences({ client }, { repositoryName: "big", afterCommitSpecifier: big, MaxResults: 100 })) {
      all.push(...(page.differences ?? []));
    }

    expect(all).toHaveLength(250);
    expect(new Set(all.map((d) => d.afterBlob?.path)).size).toBe(250);
    expect(all.every((d) => d.changeType === "A" && d.beforeBlob === undefined && d.afterBlob?.mode === "100644" && /^[0-9a-f]{40}$/.test(d.afterBlob.blobId ?? ""))).toBe(true);
    const gets = fake.calls.filter((c) => c.op === "GetDifferences");
    expect(gets).toHaveLength(3);
    expect(gets.map((c) => c.body.MaxResults)).toEqual([100, 100, 100]);
    expect(gets[0]?.body.NextToken).toBeUndefined();
    expect(typeof gets[1]?.body.NextToken).toBe("string");
    expect(gets[2]?.body.NextToken).not.toBe(gets[1]?.body.NextToken);
  });

  it("defaults GetDifferences to pages of 100 and rejects a foreign continuation token", async () => {
    fake.addCommit("big", { id: "b1", files: Array.from({ length: 150 }, (_, i) => ({ path: `f${i}` })) });
    const first = await client.send(new GetDifferencesCommand({ repositoryName: "big", afterCommitSpecifier: "b1" }));
    expect(first.differences).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));

    const other = client.send(new GetDifferencesCommand({ repositoryName: REPO, afterCommitSpecifier: C3, NextToken: first.NextToken }));
    await expect(other).rejects.toMatchObject({ name: "InvalidContinuationTokenException" });
  });

  it("diffs two commits with only the changes after `before`, by id or branch", async () => {
    const out = await client.send(new GetDifferencesCommand({ repositoryName: REPO, beforeCommitSpecifier: "main", afterCommitSpecifier: C3 }));
    // src/c.ts was added in C2 and deleted in C3, so it is not a difference; src/b.ts did not change after C1.
    expect(summarise(out.differences ?? [])).toEqual([
      ["D", "README.md", null],
      ["M", "src/a.ts", "src/a.ts"],
      ["A", null, "src/d.ts"],
    ]);
    expect(out.NextToken).toBeUndefined();
    const modified = out.differences?.[1];
    expect(modified?.beforeBlob?.blobId).not.toBe(modified?.afterBlob?.blobId);

    const byRef = await client.send(new GetDifferencesCommand({ repositoryName: REPO, beforeCommitSpecifier: C1, afterCommitSpecifier: "refs/heads/feature" }));
    expect(byRef.differences).toEqual(out.differences);

    const oneStep = await client.send(new GetDifferencesCommand({ repositoryName: REPO, beforeCommitSpecifier: C2, afterCommitSpecifier: C3 }));
    expect(summarise(oneStep.differences ?? [])).toEqual([
      ["D", "README.md", null],
      ["D", "src/c.ts", null],
      ["A", null, "src/d.ts"],
    ]);

    const history = await client.send(new GetDifferencesCommand({ repositoryName: REPO, afterCommitSpecifier: C3 }));
    expect(summarise(history.differences ?? [])).toEqual([
      ["A", null, "src/a.ts"],
      ["A", null, "src/b.ts"],
      ["A", null, "src/d.ts"],
    ]);
  });

  it("reports unknown commits and repositories on GetDifferences", async () => {
    await expect(client.send(new GetDifferencesCommand({ repositoryName: REPO, afterCommitSpecifier: "nope" }))).rejects.toMatchObject({ name: "CommitDoesNotExistException", $metadata: { httpStatusCode: 400, attempts: 1 } });
    await expect(client.send(new GetDifferencesCommand({ repositoryName: REPO, beforeCommitSpecifier: "nope", afterCommitSpecifier: C3 }))).rejects.toMatchObject({ name: "CommitDoesNotExistException" });
    await expect(client.send(new GetDifferencesCommand({ repositoryName: "missing", afterCommitSpecifier: C3 }))).rejects.toMatchObject({ name: "RepositoryDoesNotExistException" });
  });

  it("returns a pull request with its target, merge base and revision", async () => {
    const out = await client.send(new GetPullRequestCommand({ pullRequestId: "42" }));
    const pr = out.pullRequest;
    expect(pr).toMatchObject({ pullRequestId: "42", title: "Add d", pullRequestStatus: "OPEN", authorArn: "arn:aws:iam::123456789012:user/pr-author" });
    expect(pr?.revisionId).toMatch(/^[0-9a-f]{64}$/);
    expect(pr?.creationDate).toBeInstanceOf(Date);
    expect(pr?.pullRequestTargets).toEqual([
      { repositoryName: REPO, sourceReference: "refs/heads/feature", destinationReference: "refs/heads/main", sourceCommit: C3, destinationCommit: C1, mergeBase: C1, mergeMetadata: { isMerged: false } },
    ]);

    await expect(client.send(new GetPullRequestCommand({ pullRequestId: "404" }))).rejects.toMatchObject({ name: "PullRequestDoesNotExistException" });
  });

  it("changes the revision when the source branch moves", async () => {
    const before = (await client.send(new GetPullRequestCommand({ pullRequestId: "42" }))).pullRequest?.revisionId;
    fake.setPullRequest({ pullRequestId: "42", repositoryName: REPO, sourceReference: "refs/heads/feature", destinationReference: "refs/heads/main", sourceCommit: C2, destinationCommit: C1 });
    const after = (await client.send(new GetPullRequestCommand({ pullRequestId: "42" }))).pullRequest;
    expect(after?.revisionId).not.toBe(before);
    expect(after?.title).toBe("Add d");
  });

  const prComment = (overrides: Partial<PostCommentForPullRequestCommandInput> = {}): PostCommentForPullRequestCommandInput => ({
    pullRequestId: "42",
    repositoryName: REPO,
    beforeCommitId: C1,
    afterCommitId: C3,
    content: "Build passed ✅",
    ...overrides,
  });

  it("posts a pull request comment once per client request token", async () => {
    const first = await client.send(new PostCommentForPullRequestCommand(prComment({ clientRequestToken: "buildgate-42-c3" })));
    const again = await client.send(new PostCommentForPullRequestCommand(prComment({ clientRequestToken: "buildgate-42-c3" })));

    expect(first).toMatchObject({ repositoryName: REPO, pullRequestId: "42", beforeCommitId: C1, afterCommitId: C3 });
    expect(first.comment).toMatchObject({ content: "Build passed ✅", authorArn: "arn:aws:iam::123456789012:user/buildgate", clientRequestToken: "buildgate-42-c3", deleted: false });
    expect(first.comment?.creationDate).toBeInstanceOf(Date);
    expect(again.comment?.commentId).toBe(first.comment?.commentId);
    expect(fake.comments).toEqual([
      expect.objectContaining({ kind: "pullRequest", pullRequestId: "42", repositoryName: REPO, beforeCommitId: C1, afterCommitId: C3, content: "Build passed ✅", clientRequestToken: "buildgate-42-c3", commentId: first.comment?.commentId }),
    ]);
  });

  it("rejects a reused token with different parameters", async () => {
    await client.send(new PostCommentForPullRequestCommand(prComment({ clientRequestToken: "tok" })));
    const mismatch = client.send(new PostCommentForPullRequestCommand(prComment({ clientRequestToken: "tok", content: "Build failed" })));
    await expect(mismatch).rejects.toMatchObject({ name: "IdempotencyParameterMismatchException", $metadata: { httpStatusCode: 400 } });
    expect(fake.comments).toHaveLength(1);
  });

  it("lets the SDK fill in a random token, so untokened posts are not deduplicated", async () => {
    await client.send(new PostCommentForPullRequestCommand(prComment()));
    await client.send(new PostCommentForPullRequestCommand(prComment()));
    const tokens = fake.calls.map((c) => c.body.clientRequestToken);
    expect(tokens).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(fake.comments.map((c) => c.clientRequestToken)).toEqual(tokens);
  });

  it.each([
    { name: "no content", input: { content: "" }, type: "CommentContentRequiredException" },
    { name: "content over 10,240 chars", input: { content: "x".repeat(10_241) }, type: "CommentContentSizeLimitExceededException" },
    { name: "no after commit", input: { afterCommitId: undefined }, type: "CommitIdRequiredException" },
    { name: "no repository", input: { repositoryName: undefined }, type: "RepositoryNameRequiredException" },
    { name: "another repository", input: { repositoryName: "other" }, type: "RepositoryDoesNotExistException" },
    { name: "a stale source commit", input: { afterCommitId: C2 }, type: "InvalidCommitIdException" },
    { name: "a before commit outside the destination", input: { beforeCommitId: C0 }, type: "InvalidCommitIdException" },
    { name: "the same commits", input: { beforeCommitId: C3 }, type: "BeforeCommitIdAndAfterCommitIdAreSameException" },
    { name: "an unknown pull request", input: { pullRequestId: "7" }, type: "PullRequestDoesNotExistException" },
    { name: "a bad relative file version", input: { location: { filePath: "src/d.ts", filePosition: 1, relativeFileVersion: "NOW" as "AFTER" } }, type: "InvalidRelativeFileVersionEnumException" },
  ])("rejects a pull request comment with $name", async ({ input, type }) => {
    await expect(client.send(new PostCommentForPullRequestCommand(prComment(input)))).rejects.toMatchObject({ name: type, $metadata: { httpStatusCode: 400 } });
    expect(fake.comments).toHaveLength(0);
  });

  it("accepts a 10,240-char comment with a location, echoing the blob ids", async () => {
    const out = await client.send(new PostCommentForPullRequestCommand(prComment({ content: "y".repeat(10_240), location: { filePath: "src/a.ts", filePosition: 3, relativeFileVersion: "AFTER" } })));
    expect(out.location).toEqual({ filePath: "src/a.ts", filePosition: 3, relativeFileVersion: "AFTER" });
    expect(out.beforeBlobId).toMatch(/^[0-9a-f]{40}$/);
    expect(out.afterBlobId).toMatch(/^[0-9a-f]{40}$/);
    expect(fake.comments[0]?.location).toEqual({ filePath: "src/a.ts", filePosition: 3, relativeFileVersion: "AFTER" });
  });

  it("posts compared-commit comments with the same idempotency rules", async () => {
    const input = { repositoryName: REPO, beforeCommitId: C1, afterCommitId: C2, content: "Build passed", clientRequestToken: "cc-1" };
    const first = await client.send(new PostCommentForComparedCommitCommand(input));
    const again = await client.send(new PostCommentForComparedCommitCommand(input));
    expect(again.comment?.commentId).toBe(first.comment?.commentId);
    await expect(client.send(new PostCommentForComparedCommitCommand({ ...input, afterCommitId: C3 }))).rejects.toMatchObject({ name: "IdempotencyParameterMismatchException" });

    const single = await client.send(new PostCommentForComparedCommitCommand({ repositoryName: REPO, afterCommitId: C0, content: "root" }));
    expect(single).toMatchObject({ repositoryName: REPO, afterCommitId: C0 });
    expect(single.beforeCommitId).toBeUndefined();
    await expect(client.send(new PostCommentForComparedCommitCommand({ repositoryName: REPO, afterCommitId: "f".repeat(40), content: "x" }))).rejects.toMatchObject({ name: "CommitDoesNotExistException" });

    expect(fake.comments.map((c) => [c.kind, c.beforeCommitId, c.afterCommitId, c.content])).toEqual([
      ["comparedCommit", C1, C2, "Build passed"],
      ["comparedCommit", undefined, C0, "root"],
    ]);
    expect(fake.comments[1]?.pullRequestId).toBeUndefined();
  });

  it("records an approval for the current revision and rejects a stale one", async () => {
    const current = (await client.send(new GetPullRequestCommand({ pullRequestId: "42" }))).pullRequest?.revisionId ?? "";
    const ok = await client.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: "42", revisionId: current, approvalState: "APPROVE" }));
    expect(ok.$metadata.httpStatusCode).toBe(200);
    expect(fake.approvals).toEqual([{ pullRequestId: "42", revisionId: current, approvalState: "APPROVE" }]);

    fake.setPullRequest({ pullRequestId: "42", repositoryName: REPO, sourceReference: "refs/heads/feature", destinationReference: "refs/heads/main", sourceCommit: C2, destinationCommit: C1 });
    const stale = client.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: "42", revisionId: current, approvalState: "REVOKE" }));
    await expect(stale).rejects.toMatchObject({ name: "RevisionNotCurrentException", $metadata: { httpStatusCode: 400 } });
    expect(fake.approvals).toHaveLength(1);
  });

  it("refuses approvals by the author and on closed pull requests", async () => {
    const authored = await startCodeCommitFake({ callerArn: "arn:aws:iam::123456789012:user/me" });
    const authoredClient = new CodeCommitClient({ region: "us-east-1", endpoint: authored.url, credentials: { accessKeyId: "x", secretAccessKey: "y" } });
    try {
      const pr = { pullRequestId: "1", repositoryName: REPO, sourceReference: "refs/heads/a", destinationReference: "refs/heads/main", sourceCommit: C2, destinationCommit: C1, revisionId: "r1" };
      authored.setPullRequest({ ...pr, authorArn: "arn:aws:iam::123456789012:user/me" });
      await expect(authoredClient.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: "1", revisionId: "r1", approvalState: "APPROVE" }))).rejects.toMatchObject({ name: "PullRequestCannotBeApprovedByAuthorException" });
      authored.setPullRequest({ ...pr, status: "CLOSED" });
      await expect(authoredClient.send(new UpdatePullRequestApprovalStateCommand({ pullRequestId: "1", revisionId: "r1", approvalState: "APPROVE" }))).rejects.toMatchObject({ name: "PullRequestAlreadyClosedException" });
      expect(authored.approvals).toEqual([]);
    } finally {
      authoredClient.destroy();
      await authored.close();
    }
  });

  it("lets the SDK retry throttling until it succeeds, posting one comment", async () => {
    fake.failNext(2, throttled);
    const out = await client.send(new PostCommentForPullRequestCommand(prComment({ clientRequestToken: "retry-tok" })));

    expect(out.$metadata.attempts).toBe(3);
    expect(fake.comments).toHaveLength(1);
    expect(fake.calls.map((c) => [c.op, c.status, c.headers["amz-sdk-request"], c.body.clientRequestToken])).toEqual([
      ["PostCommentForPullRequest", 400, "attempt=1; max=3", "retry-tok"],
      ["PostCommentForPullRequest", 400, "attempt=2; max=3", "retry-tok"],
      ["PostCommentForPullRequest", 200, "attempt=3; max=3", "retry-tok"],
    ]);
  });

  it("keeps the SDK's auto-filled token stable across its retries", async () => {
    fake.failNext(1, "reset");
    const out = await client.send(new PostCommentForPullRequestCommand(prComment()));
    expect(out.$metadata.attempts).toBe(2);
    expect(fake.calls.map((c) => c.status)).toEqual([0, 200]);
    expect(fake.calls[0]?.body.clientRequestToken).toBe(fake.calls[1]?.body.clientRequestToken);
  });

  it("returns branches, and reports unknown ones", async () => {
    const out = await client.send(new GetBranchCommand({ repositoryName: REPO, branchName: "feature" }));
    expect(out.branch).toEqual({ branchName: "feature", commitId: C3 });
    await expect(client.send(new GetBranchCommand({ repositoryName: REPO, branchName: "gone" }))).rejects.toMatchObject({ name: "BranchDoesNotExistException" });
    await expect(client.send(new GetBranchCommand({ repositoryName: "missing", branchName: "main" }))).rejects.toMatchObject({ name: "RepositoryDoesNotExistException" });
  });

  it("returns commits with parents, message and author", async () => {
    const root = await client.send(new GetCommitCommand({ repositoryName: REPO, commitId: C0 }));
    expect(root.commit).toMatchObject({ commitId: C0, parents: [], message: "initial", author: { name: "Jane Doe", email: "jane@example.com", date: "1700000000 +0000" } });
    expect(root.commit?.committer).toEqual(root.commit?.author);
    expect(root.commit?.treeId).toMatch(/^[0-9a-f]{40}$/);

    const tip = await client.send(new GetCommitCommand({ repositoryName: REPO, commitId: C3 }));
    expect(tip.commit).toMatchObject({ commitId: C3, parents: [C2], message: "feature work" });
    expect(tip.commit?.treeId).not.toBe(root.commit?.treeId);
    await expect(client.send(new GetCommitCommand({ repositoryName: REPO, commitId: "f".repeat(40) }))).rejects.toMatchObject({ name: "CommitIdDoesNotExistException" });
  });

  it("answers errors and unknown operations in AWS JSON 1.1 shape", async () => {
    const res = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeCommit_20150413.GetBranch", "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ repositoryName: REPO, branchName: "gone" }) });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("BranchDoesNotExistException");
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(await res.json()).toEqual({ __type: "BranchDoesNotExistException", message: expect.any(String) });

    const unknown = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeCommit_20150413.DeleteRepository" }, body: "{}" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
    const proto = await fetch(fake.url, { method: "POST", headers: { "x-amz-target": "CodeCommit_20150413.toString" }, body: "{}" });
    expect(await proto.json()).toMatchObject({ __type: "UnknownOperationException" });

    expect(fake.calls.map((c) => [c.op, c.status])).toEqual([
      ["GetBranch", 400],
      ["DeleteRepository", 400],
      ["toString", 400],
    ]);
  });
});
