import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { exampleOf } from "../helpers/github-examples.js";
import { deliverGithub, sleep, waitFor } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "statuses-e2e-secret";
const TOKEN = "ghp_e2e_token";
const REPO = "Codertocat/Hello-World";
const sha = (c: string) => c.repeat(40);

function writeConfig(dir: string, github: string, codebuild: string): string {
  const path = join(dir, "buildgate.yaml");
  writeFileSync(
    path,
    `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1, publicUrl: "https://buildgate.example" }
github: { webhookSecrets: ["${SECRET}"], apiUrl: "${github}", auth: { token: "${TOKEN}" } }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuild}" }, maxAttempts: 2 }
tracking: { pollIntervalSeconds: 1 }
routes:
  - name: api
    source: { github: "${REPO}" }
    on: [pull_request]
    paths: ["services/api/**"]
    project: api-ci
    reportSkipped: true
    cancelSuperseded: true
  - name: web
    source: { github: "${REPO}" }
    on: [pull_request]
    project: web-ci
`,
  );
  return path;
}

function pullRequestPayload(number: number, head: string, action = "opened", updatedAt = new Date().toISOString()) {
  const body = exampleOf("pull_request", (e) => e.action === "opened");
  const pr = body.pull_request as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  body.action = action;
  body.number = number;
  pr.number = number;
  pr.head.sha = head;
  pr.author_association = "OWNER";
  pr.updated_at = updatedAt;
  pr.labels = [];
  return body;
}

function commentPayload(number: number, body: string, login: string, association: string, id: number) {
  const payload = exampleOf("issue_comment", (e) => e.action === "created");
  const issue = payload.issue as Record<string, unknown>;
  issue.number = number;
  issue.state = "open";
  issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${number}` };
  const comment = payload.comment as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  comment.id = id;
  comment.body = body;
  comment.author_association = association;
  comment.user = { ...comment.user, login };
  (payload.repository as Record<string, unknown>).full_name = REPO;
  return payload;
}

describe("e2e: the full life of a pull request's checks (real Octokit, GitHub fake, CodeBuild fake)", () => {
  let dir: string;
  let github: GithubFake;
  let codebuild: CodeBuildFake;
  let gate: RunningBuildgate;

  const buildOf = (project: string, head: string): FakeBuild | undefined =>
    [...codebuild.builds.values()].find((b) => b.projectName === project && b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === head));
  const buildsOf = (project: string, head: string) =>
    [...codebuild.builds.values()].filter((b) => b.projectName === project && b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === head));
  const latest = (head: string, context: string) => github.latestStatus(REPO, head, context);
  const statusesOf = (head: string, context: string) => github.statuses.filter((s) => s.sha === head && s.context === context);
  const pr = (number: number, head: string, files: string[]) => github.setPullRequest(REPO, { number, head: { ref: `feature-${number}`, sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "OWNER", files });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-statuses-"));
    github = await startGithubFake({ token: TOKEN });
    codebuild = await startCodeBuildFake();
    gate = await spawnBuildgate(writeConfig(dir, github.url, codebuild.url));
  });
  afterAll(async () => {
    await gate?.kill9();
    await github?.close();
    await codebuild?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("goes from pending through the build phase to success and failure, every description within 140 characters", async () => {
    const head = sha("a");
    pr(1, head, ["services/api/handler.ts", "README.md"]);
    expect((await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(1, head))).status).toBe(202);
    const api = await waitFor("the api build", () => buildOf("api-ci", head));
    const web = await waitFor("the web build", () => buildOf("web-ci", head));
    await waitFor("pending statuses", () => latest(head, "buildgate/api")?.state === "pending" && latest(head, "buildgate/web")?.state === "pending");
    expect(latest(head, "buildgate/api")?.target_url).toMatch(/^https:\/\/buildgate\.example\/builds\/\d+$/);

    const started = Date.now() / 1000 - 72;
    for (const b of [api, web]) {
      b.startTime = started;
      b.currentPhase = "BUILD";
      b.phases = [
        { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: started, endTime: started + 1, durationInSeconds: 1 },
        { phaseType: "BUILD", startTime: started + 1 },
      ];
    }
    await waitFor("Building: BUILD phase", () => latest(head, "buildgate/api")?.description === "Building: BUILD phase");

    api.phases[1] = { phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: started + 1, endTime: started + 70, durationInSeconds: 69 };
    finishFakeBuild(api, "SUCCEEDED", (started + 72) * 1000);
    // As BatchGetBuilds answers a failed command: the phase's context names it and its exit status.
    web.phases[0]!.contexts = [{ statusCode: "", message: "" }];
    web.phases[1] = {
      phaseType: "BUILD",
      phaseStatus: "FAILED",
      startTime: started + 1,
      endTime: started + 65,
      durationInSeconds: 64,
      contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm test. Reason: exit status 1" }],
    };
    finishFakeBuild(web, "FAILED", (started + 65) * 1000);

    await waitFor("final statuses", () => latest(head, "buildgate/api")?.state === "success" && latest(head, "buildgate/web")?.state === "failure");
    expect(latest(head, "buildgate/api")?.description).toBe("Succeeded in 1m12s");
    expect(latest(head, "buildgate/web")?.description).toBe("Failed in BUILD: npm test (exit status 1) after 1m05s");
    expect(statusesOf(head, "buildgate/api").map((s) => s.state)).toEqual(expect.arrayContaining(["pending", "success"]));
    for (const s of github.statuses) expect((s.description ?? "").length).toBeLessThanOrEqual(140);

    // Nothing is posted twice for the same state: another cycle adds no status.
    const count = github.statuses.length;
    await sleep(2500);
    expect(github.statuses.length).toBe(count);
  });

  it("reports success 'Not affected by this change' for a route the pull request does not touch", async () => {
    const head = sha("b");
    pr(2, head, ["docs/guide.md"]);
    expect((await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(2, head))).status).toBe(202);
    await waitFor("the skipped status", () => latest(head, "buildgate/api")?.state === "success");
    expect(latest(head, "buildgate/api")?.description).toBe("Not affected by this change");
    await waitFor("the web build", () => buildOf("web-ci", head));
    expect(buildOf("api-ci", head)).toBeUndefined();
    // The files came from the pull request files API.
    expect(github.calls.some((c) => c.method === "GET" && c.path === `/repos/${REPO}/pulls/2/files`)).toBe(true);
  });

  it("stops the older build when a newer commit arrives on the pull request, and says so", async () => {
    const first = sha("c");
    const second = sha("d");
    pr(3, first, ["services/api/a.ts"]);
    await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(3, first, "opened", "2026-11-26T10:00:00Z"));
    const old = await waitFor("the first api build", () => buildOf("api-ci", first));
    pr(3, second, ["services/api/a.ts"]);
    await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(3, second, "synchronize", "2026-11-26T10:05:00Z"));
    await waitFor("StopBuild", () => codebuild.calls.some((c) => c.op === "StopBuild" && c.body.id === old.id));
    await waitFor("the superseded status", () => latest(first, "buildgate/api")?.state === "error");
    expect(latest(first, "buildgate/api")?.description).toMatch(/^Superseded by ddddddd \(build #\d+\)$/);
    expect(latest(second, "buildgate/api")?.state).toBe("pending");
    // web does not cancel: both of its builds run.
    expect(buildOf("web-ci", first)?.buildStatus).toBe("IN_PROGRESS");
  });

  it("runs /retest from a member for the failed route only, and ignores an outsider's", async () => {
    const head = sha("a");
    github.setPermission(REPO, "outsider", "read");
    expect((await deliverGithub(gate, SECRET, "issue_comment", commentPayload(1, "/retest", "outsider", "NONE", 9001))).status).toBe(202);
    await sleep(1500);
    expect(buildsOf("web-ci", head)).toHaveLength(1);
    expect(github.calls.some((c) => c.path === `/repos/${REPO}/collaborators/outsider/permission`)).toBe(true);

    expect((await deliverGithub(gate, SECRET, "issue_comment", commentPayload(1, "/retest", "maintainer", "MEMBER", 9002))).status).toBe(202);
    await waitFor("a second web build", () => buildsOf("web-ci", head).length === 2);
    expect(buildsOf("api-ci", head)).toHaveLength(1);
    await waitFor("web pending again", () => latest(head, "buildgate/web")?.state === "pending");
  });

  it("lands a status that GitHub refused twice with 500", async () => {
    const head = sha("e");
    pr(5, head, ["services/api/b.ts"]);
    github.failNext(2, { status: 500, message: "Server Error" }, { method: "POST", pathPrefix: `/repos/${REPO}/statuses/${head}` });
    await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(5, head));
    await waitFor("the status after two 500s", () => latest(head, "buildgate/api")?.state === "pending", 30_000);
    const failed = github.calls.filter((c) => c.method === "POST" && c.path === `/repos/${REPO}/statuses/${head}` && c.status === 500);
    expect(failed).toHaveLength(2);
  });

  it("waits out a secondary rate limit with retry-after before posting again", async () => {
    const head = sha("f");
    pr(6, head, ["services/api/c.ts"]);
    github.failNext(1, { status: 403, headers: { "retry-after": "2" }, message: "You have exceeded a secondary rate limit" }, { method: "POST", pathPrefix: `/repos/${REPO}/statuses/${head}` });
    await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(6, head));
    await waitFor("the status after the rate limit", () => latest(head, "buildgate/api")?.state === "pending", 30_000);
    // After the 403, no status at all is posted until retry-after has passed (a post already in
    // flight when the 403 came back may still land just after it).
    const posts = github.calls.filter((c) => c.method === "POST" && c.path.startsWith(`/repos/${REPO}/statuses/`));
    const limited = posts.find((c) => c.status === 403);
    expect(limited).toBeDefined();
    const after = posts.filter((c) => c.at > limited!.at + 250);
    expect(after.length).toBeGreaterThan(0);
    for (const c of after) expect(c.at - limited!.at).toBeGreaterThanOrEqual(1990);
  });
});

describe("e2e: reporting as a GitHub App", () => {
  it("exchanges the app's JWT for an installation token and posts with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buildgate-app-"));
    const github = await startGithubFake();
    const codebuild = await startCodeBuildFake();
    let gate: RunningBuildgate | undefined;
    try {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
      writeFileSync(join(dir, "app.pem"), privateKey);
      const config = writeConfig(dir, github.url, codebuild.url);
      writeFileSync(config, readFileSync(config, "utf8").replace(`auth: { token: "${TOKEN}" }`, `auth: { appId: 12345, installationId: 678, privateKeyPath: "${join(dir, "app.pem")}" }, report: statuses`));
      gate = await spawnBuildgate(config);
      const head = sha("9");
      github.setPullRequest(REPO, { number: 9, head: { ref: "f9", sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "OWNER", files: ["services/api/x.ts"] });
      await deliverGithub(gate, SECRET, "pull_request", pullRequestPayload(9, head));
      await waitFor("a status", () => github.latestStatus(REPO, head, "buildgate/api"));
      const exchange = github.calls.filter((c) => c.method === "POST" && c.path === "/app/installations/678/access_tokens");
      expect(exchange).toHaveLength(1);
      const post = github.calls.find((c) => c.method === "POST" && c.path === `/repos/${REPO}/statuses/${head}`);
      expect(String(post?.headers.authorization)).toMatch(/^token ghs_/);
    } finally {
      await gate?.kill9();
      await github.close();
      await codebuild.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
