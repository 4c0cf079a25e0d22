import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startCodeCommitFake, type CodeCommitFake } from "../fakes/codecommit-fake.js";
import { createSnsSigner, snsNotification, snsSigner, snsSubscriptionConfirmation, SNS_CERT_URL, SNS_TOPIC_ARN } from "../fakes/sns-signer.js";
import { sleep, waitFor } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const REPO = "MyDemoRepo";
const API_KEY = "eventbridge-key-0123456789abcdef";
const ACCOUNT = "111122223333";
const commit = (c: string) => c.repeat(40);

function trigger(ref: string, sha: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    Records: [
      {
        awsRegion: "us-east-1",
        codecommit: { references: [{ commit: sha, ref, ...extra }] },
        eventId: "5a824061-17ca-46a9-bbf9-114edeadbeef",
        eventName: "ReferenceChanges",
        eventSource: "aws:codecommit",
        eventSourceARN: `arn:aws:codecommit:us-east-1:${ACCOUNT}:${REPO}`,
        eventTime: "2026-11-26T10:00:00.000+0000",
        eventVersion: "1.0",
        userIdentityARN: `arn:aws:iam::${ACCOUNT}:user/jane`,
      },
    ],
  });
}

function prEvent(id: string, event: string, source: string, destination: string) {
  return {
    version: "0",
    id,
    "detail-type": "CodeCommit Pull Request State Change",
    source: "aws.codecommit",
    account: ACCOUNT,
    time: "2026-11-26T10:05:00Z",
    region: "us-east-1",
    resources: [`arn:aws:codecommit:us-east-1:${ACCOUNT}:${REPO}`],
    detail: {
      event,
      pullRequestId: "7",
      pullRequestStatus: "Open",
      isMerged: "False",
      repositoryNames: [REPO],
      sourceReference: "refs/heads/feature",
      destinationReference: "refs/heads/main",
      sourceCommit: source,
      destinationCommit: destination,
      author: `arn:aws:iam::${ACCOUNT}:user/jane`,
      callerUserArn: `arn:aws:iam::${ACCOUNT}:user/jane`,
      title: "Add a feature",
    },
  };
}

describe("e2e: CodeCommit through SNS and EventBridge (real CodeCommit and CodeBuild SDK clients, local fakes)", () => {
  let dir: string;
  let codebuild: CodeBuildFake;
  let codecommit: CodeCommitFake;
  let gate: RunningBuildgate;
  let canary: Server;
  let canaryHits = 0;
  let canaryUrl: string;

  const builds = () => [...codebuild.builds.values()];
  const postSns = (body: unknown) =>
    fetch(`${gate.url}/webhooks/sns`, { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": (body as { Type: string }).Type }, body: JSON.stringify(body) });
  const postEvent = (body: unknown, key = API_KEY) => fetch(`${gate.url}/webhooks/eventbridge`, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", "x-buildgate-key": key }, body: JSON.stringify(body) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-cc-"));
    codebuild = await startCodeBuildFake();
    codecommit = await startCodeCommitFake();
    canary = createServer((_req, res) => {
      canaryHits++;
      res.end("ok");
    });
    await new Promise<void>((r) => canary.listen(0, "127.0.0.1", r));
    canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
    writeFileSync(join(dir, "sns.pem"), snsSigner().certPem);
    writeFileSync(
      join(dir, "buildgate.yaml"),
      `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1, publicUrl: "https://buildgate.example" }
codecommit:
  sns: { topicArns: ["${SNS_TOPIC_ARN}"], pinnedCertificates: { "${SNS_CERT_URL}": "${join(dir, "sns.pem")}" } }
  eventbridge: { apiKeyHeader: x-buildgate-key, apiKey: "${API_KEY}" }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuild.url}", codecommit: "${codecommit.url}" }, maxAttempts: 2 }
tracking: { pollIntervalSeconds: 1 }
routes:
  - name: main
    source: { codecommit: ${REPO}, region: us-east-1, account: "${ACCOUNT}" }
    on: [push, pull_request]
    branches: [main]
    project: demo-ci
    codecommit: { approve: true }
  - name: src-only
    source: { codecommit: ${REPO} }
    on: [push]
    branches: [develop]
    paths: ["src/**"]
    project: src-ci
`,
    );
    gate = await spawnBuildgate(join(dir, "buildgate.yaml"));
  });
  afterAll(async () => {
    await gate?.kill9();
    await codebuild?.close();
    await codecommit?.close();
    canary?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds a branch push from a signed SNS repository trigger, once per MessageId", async () => {
    const sha = commit("1");
    const msg = snsSigner().sign(snsNotification({ MessageId: "msg-trigger-1", Message: trigger("refs/heads/main", sha) }), "2");
    expect((await postSns(msg)).status).toBe(202);
    const build = await waitFor("a build", () => builds().find((b) => b.sourceVersion === sha));
    expect(build.projectName).toBe("demo-ci");
    expect((await postSns(msg)).status).toBe(200);
    await sleep(500);
    expect(builds().filter((b) => b.sourceVersion === sha)).toHaveLength(1);
  });

  it("builds an EventBridge pull request, comments when it starts and ends, and approves on success", async () => {
    const source = commit("a");
    const destination = commit("b");
    codecommit.addCommit(REPO, { id: destination, files: [{ path: "README.md" }] });
    codecommit.addCommit(REPO, { id: source, parent: destination, files: [{ path: "src/app.ts" }] });
    codecommit.setPullRequest({ pullRequestId: "7", repositoryName: REPO, authorArn: `arn:aws:iam::${ACCOUNT}:user/jane`, sourceReference: "refs/heads/feature", destinationReference: "refs/heads/main", sourceCommit: source, destinationCommit: destination });
    const event = prEvent("7a3c1e2b-0000-4000-8000-000000000001", "pullRequestCreated", source, destination);
    expect((await postEvent(event)).status).toBe(202);
    expect((await postEvent(event)).status).toBe(200);

    const build = await waitFor("the pull request build", () => builds().find((b) => b.sourceVersion === source));
    await waitFor("the start comment", () => codecommit.comments.find((c) => c.pullRequestId === "7" && c.content.includes("Build started")));
    const started = codecommit.comments.find((c) => c.content.includes("Build started"));
    expect(started).toMatchObject({ kind: "pullRequest", repositoryName: REPO, beforeCommitId: destination, afterCommitId: source });
    expect(started?.clientRequestToken).toMatch(/^bg-[0-9a-f]{40}$/);

    build.phases = [{ phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: build.startTime, endTime: build.startTime + 95, durationInSeconds: 95 }];
    finishFakeBuild(build, "SUCCEEDED", (build.startTime + 95) * 1000);
    const ended = await waitFor("the end comment", () => codecommit.comments.find((c) => c.pullRequestId === "7" && c.content.includes("Succeeded in 1m35s")));
    expect(ended.content).toContain("https://buildgate.example/builds/");
    await waitFor("the approval", () => codecommit.approvals.length === 1);
    expect(codecommit.approvals[0]).toMatchObject({ pullRequestId: "7", approvalState: "APPROVE" });
    expect(builds().filter((b) => b.sourceVersion === source)).toHaveLength(1);
    expect(codecommit.comments.filter((c) => c.pullRequestId === "7")).toHaveLength(2);
  });

  it("skips a push whose changed files (GetDifferences) miss the route's paths, and builds one that hits them", async () => {
    const old = commit("c");
    const docs = commit("d");
    const code = commit("e");
    codecommit.addCommit(REPO, { id: old, files: [{ path: "src/a.ts" }] });
    codecommit.addCommit(REPO, { id: docs, parent: old, files: [{ path: "docs/guide.md" }] });
    codecommit.addCommit(REPO, { id: code, parent: docs, files: [{ path: "src/b.ts" }] });
    const refEvent = (id: string, before: string, after: string) => ({
      version: "0",
      id,
      "detail-type": "CodeCommit Repository State Change",
      source: "aws.codecommit",
      account: ACCOUNT,
      region: "us-east-1",
      time: "2026-11-26T11:00:00Z",
      resources: [],
      detail: { event: "referenceUpdated", repositoryName: REPO, referenceType: "branch", referenceName: "develop", referenceFullName: "refs/heads/develop", commitId: after, oldCommitId: before, callerUserArn: `arn:aws:iam::${ACCOUNT}:user/jane` },
    });
    expect((await postEvent(refEvent("ref-docs-1", old, docs))).status).toBe(202);
    expect((await postEvent(refEvent("ref-code-1", docs, code))).status).toBe(202);
    await waitFor("the src build", () => builds().find((b) => b.sourceVersion === code));
    await sleep(300);
    expect(builds().find((b) => b.sourceVersion === docs)).toBeUndefined();
    expect(codecommit.calls.filter((c) => c.op === "GetDifferences").length).toBeGreaterThanOrEqual(2);
  });

  it("polls a build at once when a CodeBuild state change arrives (a hint, not the truth)", async () => {
    const [first] = builds();
    const polls = () => codebuild.calls.filter((c) => c.op === "BatchGetBuilds" && JSON.stringify(c.body).includes(first!.id)).length;
    const before = polls();
    const hint = { version: "0", id: "cb-hint-1", "detail-type": "CodeBuild Build State Change", source: "aws.codebuild", account: ACCOUNT, region: "us-east-1", time: "2026-11-26T12:00:00Z", resources: [first!.arn], detail: { "build-status": "IN_PROGRESS", "project-name": first!.projectName, "build-id": first!.arn } };
    expect((await postEvent(hint)).status).toBe(202);
    await waitFor("a poll of that build", () => polls() > before, 5000);
  });

  it("refuses unauthenticated, malformed and foreign input with the right codes", async () => {
    expect((await postEvent(prEvent("x-1", "pullRequestCreated", commit("f"), commit("0")), "wrong-key-wrong-key-wrong")).status).toBe(401);
    expect((await fetch(`${gate.url}/webhooks/eventbridge`, { method: "POST", headers: { "content-type": "application/json", "x-buildgate-key": API_KEY }, body: '{"id":' })).status).toBe(400);
    const unknown = await postEvent({ version: "0", id: "other-1", "detail-type": "EC2 Instance State-change Notification", source: "aws.ec2", detail: {} });
    expect(unknown.status).toBe(200);
    expect(((await unknown.json()) as { status: string }).status).toBe("ignored");
    const foreignTopic = snsSigner().sign(snsNotification({ MessageId: "msg-foreign", TopicArn: "arn:aws:sns:us-east-1:999999999999:other", Message: trigger("refs/heads/main", commit("2")) }));
    expect((await postSns(foreignTopic)).status).toBe(403);
    const wrongKey = createSnsSigner().sign(snsNotification({ MessageId: "msg-forged", Message: trigger("refs/heads/main", commit("3")) }));
    expect((await postSns(wrongKey)).status).toBe(401);
    await sleep(300);
    expect(builds().find((b) => b.sourceVersion === commit("2") || b.sourceVersion === commit("3"))).toBeUndefined();
  });

  it("never fetches a SubscribeURL or certificate that is not SNS's (SSRF): zero requests reach the canary", async () => {
    const validButCanary = snsSigner().sign(snsSubscriptionConfirmation({ MessageId: "sub-1", SubscribeURL: `${canaryUrl}/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=x` }));
    expect((await postSns(validButCanary)).status).toBe(403);
    const forged = createSnsSigner().sign(snsSubscriptionConfirmation({ MessageId: "sub-2", SubscribeURL: `${canaryUrl}/latest/meta-data/` }));
    expect((await postSns(forged)).status).toBe(401);
    const certAtCanary = { ...snsSigner().sign(snsSubscriptionConfirmation({ MessageId: "sub-3" })), SigningCertURL: `${canaryUrl}/SimpleNotificationService-0123.pem` };
    expect((await postSns(certAtCanary)).status).toBe(403);
    await sleep(200);
    expect(canaryHits).toBe(0);
  });
});
