import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake, type RecordedCheckRun } from "../fakes/github-fake.js";
import { exampleOf } from "../helpers/github-examples.js";
import { deliverGithub, sleep, waitFor } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";
import { CHECKS_SECRET, appKeys, failBuild, prPayload, startPhase, succeedBuild, writeChecksConfig } from "./checks-helpers.js";

const APP_ID = 12345;
const REPO = "Codertocat/Hello-World";
const OTHER = "Octo-Org/Other";
const INSTALLATIONS = { 678: ["Codertocat"], 910: ["Octo-Org"] };
const sha = (c: string) => c.repeat(40);

function retestPayload(number: number, id: number, installationId: number) {
  const payload = exampleOf("issue_comment", (e) => e.action === "created");
  const issue = payload.issue as Record<string, unknown>;
  issue.number = number;
  issue.state = "open";
  issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${number}` };
  const comment = payload.comment as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  comment.id = id;
  comment.body = "/retest";
  comment.author_association = "MEMBER";
  comment.user = { ...comment.user, login: "maintainer" };
  (payload.repository as Record<string, unknown>).full_name = REPO;
  payload.installation = { id: installationId };
  return payload;
}

describe("e2e: check runs as a GitHub App (real @octokit/auth-app and @octokit/rest, GitHub fake, CodeBuild fake)", () => {
  let dir: string;
  let github: GithubFake;
  let codebuild: CodeBuildFake;
  let gate: RunningBuildgate;

  const buildsOf = (project: string, head: string) => [...codebuild.builds.values()].filter((b) => b.projectName === project && b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === head));
  const runs = (repo: string, head: string, name: string) => github.runsOf(repo, head, name);
  const only = (repo: string, head: string, name: string): RecordedCheckRun | undefined => {
    const found = runs(repo, head, name);
    return found.length === 1 ? found[0] : undefined;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-checks-"));
    const { privateKey, publicKey } = appKeys();
    github = await startGithubFake({ app: { id: APP_ID, publicKey }, installations: INSTALLATIONS });
    codebuild = await startCodeBuildFake();
    gate = await spawnBuildgate(writeChecksConfig(dir, github.url, codebuild.url, privateKey));
  });
  afterAll(async () => {
    await gate?.kill9();
    await github?.close();
    await codebuild?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports a pull request's life as check runs: queued, in progress, failure with the command, then a rebuild's new run succeeds", async () => {
    const head = sha("a");
    github.setPullRequest(REPO, { number: 1, head: { ref: "feature-1", sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "OWNER" });
    expect((await deliverGithub(gate, CHECKS_SECRET, "pull_request", prPayload(REPO, 1, head, 678))).status).toBe(202);
    const build = await waitFor("the web build", () => buildsOf("web-ci", head)[0]);
    const run = await waitFor("a queued check run", () => only(REPO, head, "buildgate/web"));
    expect(run).toMatchObject({ status: "queued", head_sha: head, installation_id: 678, app_id: APP_ID });
    expect(run.details_url).toMatch(/^https:\/\/buildgate\.example\/builds\/\d+$/);
    expect(run.external_id).toEqual(expect.stringContaining("web"));
    // No status is posted in checks mode.
    expect(github.statuses).toHaveLength(0);

    const started = startPhase(build, 70);
    await waitFor("in progress", () => run.status === "in_progress");
    expect(run.output.title).toBe("Building: BUILD phase");
    expect(Date.parse(run.started_at ?? "")).toBe(Math.round(started * 1000));

    failBuild(build, started);
    await waitFor("completed", () => run.status === "completed");
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toBe("Failed in BUILD: npm test (exit status 1) after 1m05s");
    expect(run.output.summary).toContain("**Failing command** in BUILD: ` npm test ` (exit status 1)");
    expect(run.output.summary).toMatch(/\| BUILD \| ❌ FAILED \| 1m04s \|/);
    expect(run.output.summary).toContain(`(${run.details_url})`);
    // "Waiting to start" and "Build queued" may both show (as queued runs): each write is a change.
    const statuses = run.writes.map((w) => w.status);
    expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(["queued", "in_progress", "completed"]);
    expect(statuses.filter((s) => s === "completed")).toHaveLength(1);
    // Nothing more is sent for a state already shown.
    const writes = run.writes.length;
    await sleep(2500);
    expect(run.writes).toHaveLength(writes);

    expect((await deliverGithub(gate, CHECKS_SECRET, "issue_comment", retestPayload(1, 9002, 678))).status).toBe(202);
    const rebuild = await waitFor("the rebuild", () => buildsOf("web-ci", head)[1]);
    await waitFor("a second run", () => runs(REPO, head, "buildgate/web").length === 2);
    const second = runs(REPO, head, "buildgate/web")[1] as RecordedCheckRun;
    expect(second.external_id).not.toBe(run.external_id);
    succeedBuild(rebuild, startPhase(rebuild, 40));
    await waitFor("the rebuild's run succeeded", () => second.conclusion === "success");
    expect(second.output.title).toBe("Succeeded in 31s");
    // The first run is untouched by the rebuild: still the failure, completed once.
    expect(run.conclusion).toBe("failure");
    expect(run.writes.filter((w) => w.status === "completed")).toHaveLength(1);
  });

  it("asks for action on a pull request waiting for ok-to-test, and builds as a new run once labeled", async () => {
    const head = sha("d");
    const body = prPayload(REPO, 4, head, 678);
    (body.pull_request as Record<string, unknown>).author_association = "NONE";
    github.setPullRequest(REPO, { number: 4, head: { ref: "feature-4", sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "NONE" });
    expect((await deliverGithub(gate, CHECKS_SECRET, "pull_request", body)).status).toBe(202);
    const waiting = await waitFor("the action_required run", () => only(REPO, head, "buildgate/web"));
    expect(waiting).toMatchObject({ status: "completed", conclusion: "action_required", installation_id: 678 });
    expect(waiting.output.title).toBe("Waiting for approval (ok-to-test)");
    expect(waiting.output.summary).toContain("author is NONE");
    expect(waiting.output.summary).toContain("adds the label ` ok-to-test `, or someone with write access comments ` /ok-to-test `");
    expect(buildsOf("web-ci", head)).toHaveLength(0);
    // The same event again (a redelivery under a new id) adds no second waiting run.
    await deliverGithub(gate, CHECKS_SECRET, "pull_request", body);
    await sleep(1500);
    expect(runs(REPO, head, "buildgate/web")).toHaveLength(1);

    const labeled = { ...body, action: "labeled", label: { name: "ok-to-test" }, pull_request: { ...(body.pull_request as Record<string, unknown>), labels: [{ name: "ok-to-test" }] } };
    expect((await deliverGithub(gate, CHECKS_SECRET, "pull_request", labeled)).status).toBe(202);
    await waitFor("the build's run", () => runs(REPO, head, "buildgate/web").length === 2);
    const [, built] = runs(REPO, head, "buildgate/web");
    expect(built?.status).toBe("queued");
    expect(waiting.writes).toHaveLength(1);
  });

  it("gives each installation its own token: one App installed in two organizations", async () => {
    const head = sha("b");
    github.setPullRequest(OTHER, { number: 2, head: { ref: "feature-2", sha: head }, base: { ref: "main", sha: sha("0") }, authorAssociation: "OWNER" });
    github.setPullRequest(REPO, { number: 12, head: { ref: "feature-12", sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "OWNER" });
    expect((await deliverGithub(gate, CHECKS_SECRET, "pull_request", prPayload(OTHER, 2, head, 910))).status).toBe(202);
    expect((await deliverGithub(gate, CHECKS_SECRET, "pull_request", prPayload(REPO, 12, head, 678))).status).toBe(202);
    const run = await waitFor("the other organization's run", () => only(OTHER, head, "buildgate/other"));
    expect(run.installation_id).toBe(910);
    expect((await waitFor("the first organization's run", () => only(REPO, head, "buildgate/web"))).installation_id).toBe(678);
    const byInstallation = new Map<number, number>();
    for (const t of github.tokens) byInstallation.set(t.installationId, (byInstallation.get(t.installationId) ?? 0) + 1);
    // One token per installation, cached: every call as that installation (in every test) used the same one.
    expect(Object.fromEntries(byInstallation)).toEqual({ 678: 1, 910: 1 });
    const exchanges = github.calls.filter((c) => c.method === "POST" && c.path.startsWith("/app/installations/"));
    expect(exchanges.map((c) => c.path).sort()).toEqual(["/app/installations/678/access_tokens", "/app/installations/910/access_tokens"]);
    for (const c of exchanges) expect(String(c.headers.authorization)).toMatch(/^bearer /i);
  });

  it("retries check-run updates GitHub refused with 429 and a secondary-limit 403", async () => {
    const head = sha("c");
    github.setPullRequest(REPO, { number: 3, head: { ref: "feature-3", sha: head }, base: { ref: "master", sha: sha("0") }, authorAssociation: "OWNER" });
    await deliverGithub(gate, CHECKS_SECRET, "pull_request", prPayload(REPO, 3, head, 678));
    const build = await waitFor("the web build", () => buildsOf("web-ci", head)[0]);
    const run = await waitFor("the run", () => only(REPO, head, "buildgate/web"));
    const patches = `/repos/${REPO}/check-runs/${run.id}`;
    github.failNext(1, { status: 429, headers: { "retry-after": "1" }, message: "Too Many Requests" }, { method: "PATCH", pathPrefix: patches });
    github.failNext(1, { status: 403, headers: { "retry-after": "1" }, message: "You have exceeded a secondary rate limit" }, { method: "PATCH", pathPrefix: patches });
    succeedBuild(build, startPhase(build, 40));
    await waitFor("success after the refusals", () => run.conclusion === "success", 30_000);
    const refused = github.calls.filter((c) => c.method === "PATCH" && c.path === patches && (c.status === 429 || c.status === 403));
    expect(refused.map((c) => c.status)).toEqual([429, 403]);
    expect(only(REPO, head, "buildgate/web")).toBe(run);
  });
});
