import { rmSync } from "node:fs";
import { join } from "node:path";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubCall, type GithubFake } from "../fakes/github-fake.js";
import { waitFor } from "../e2e/e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { commit, envOf, post, pushDelivery, REPO, sleep, summary, tempDir, writeConfig, type Delivery } from "./fault-helpers.js";

const SECRET = "fault-github-secret-0123456789";
const TOKEN = "ghp_fault_github_token_0123456789";
const CONTEXT = "buildgate/hello";
// A post already on the wire when the limit answer came back may still land just after it.
const IN_FLIGHT_SLACK_MS = 250;

describe("fault: GitHub refuses status posts (real process, real Octokit, GitHub fake)", () => {
  let dir: string;
  let github: GithubFake;
  let codebuild: CodeBuildFake;
  let gate: RunningBuildgate;
  const numbers: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = tempDir("github-faults");
    github = await startGithubFake({ token: TOKEN });
    codebuild = await startCodeBuildFake({ projects: ["hello-ci"] });
    gate = await spawnBuildgate(writeConfig(dir, { storeUrl: `sqlite:${join(dir, "bg.db")}`, secret: SECRET, codebuildUrl: codebuild.url, github: { apiUrl: github.url, token: TOKEN }, pollIntervalSeconds: 1 }));
  });
  afterAll(async () => {
    await gate?.kill9();
    await github?.close();
    await codebuild?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const posts = (sha?: string): GithubCall[] => github.calls.filter((c) => c.method === "POST" && c.path.startsWith(`/repos/${REPO}/statuses/${sha ?? ""}`));
  const landed = (sha: string) => posts(sha).filter((c) => c.status === 201);
  const statusPath = (sha: string) => ({ method: "POST", pathPrefix: `/repos/${REPO}/statuses/${sha}` });

  async function deliver(tag: string): Promise<Delivery> {
    const d = pushDelivery(commit(tag, 1));
    expect((await post(gate.url, SECRET, d)).status).toBe(202);
    return d;
  }

  /** After `limited` (a 403/429 telling buildgate to wait until `until`), no status post at all reaches GitHub before `until`. */
  function expectNothingBefore(limited: GithubCall, until: number): void {
    const after = github.calls.filter((c) => c.at > limited.at + IN_FLIGHT_SLACK_MS);
    expect(after.length).toBeGreaterThan(0);
    for (const c of after) expect(c.at).toBeGreaterThanOrEqual(until);
  }

  it("retries 500 and 502 with backoff until the status lands", async () => {
    const sha = commit("5e0", 1);
    github.failNext(2, { status: 500, message: "Server Error" }, statusPath(sha));
    github.failNext(1, { status: 502, message: "Bad Gateway" }, statusPath(sha));
    const t0 = Date.now();
    await deliver("5e0");
    await waitFor("the status after 500, 500, 502", () => landed(sha).length > 0, 30_000);
    const failed = posts(sha).filter((c) => c.status >= 500);
    expect(failed.map((c) => c.status)).toEqual([500, 500, 502]);
    // Backed off: the post that landed came at least one backoff (≥ 0.5 s) after the last failure.
    expect((landed(sha)[0] as GithubCall).at - (failed.at(-1) as GithubCall).at).toBeGreaterThanOrEqual(450);
    numbers["5xxRetriedMs"] = (landed(sha)[0] as GithubCall).at - t0;
  });

  it("waits out a secondary rate limit (403 with retry-after)", async () => {
    const sha = commit("403", 1);
    github.failNext(1, { status: 403, headers: { "retry-after": "2" }, message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, statusPath(sha));
    await deliver("403");
    await waitFor("the status after the secondary limit", () => landed(sha).length > 0, 30_000);
    const limited = posts(sha).find((c) => c.status === 403) as GithubCall;
    expectNothingBefore(limited, limited.at + 2000);
    numbers["403RetryAfterWaitedMs"] = (landed(sha)[0] as GithubCall).at - limited.at;
  });

  it("waits out a 429 with retry-after", async () => {
    const sha = commit("429", 1);
    github.failNext(1, { status: 429, headers: { "retry-after": "2" }, message: "Too Many Requests" }, statusPath(sha));
    await deliver("429");
    await waitFor("the status after the 429", () => landed(sha).length > 0, 30_000);
    const limited = posts(sha).find((c) => c.status === 429) as GithubCall;
    expectNothingBefore(limited, limited.at + 2000);
    numbers["429RetryAfterWaitedMs"] = (landed(sha)[0] as GithubCall).at - limited.at;
  });

  it("waits for x-ratelimit-reset when the primary limit is exhausted, and asks only once", async () => {
    const sha = commit("e0", 1);
    const reset = Math.floor(Date.now() / 1000) + 3;
    github.setRateLimit(0, reset);
    await deliver("e0");
    await waitFor("the status after the reset", () => landed(sha).length > 0, 30_000);
    const limited = posts(sha).filter((c) => c.status === 403);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    const first = limited[0] as GithubCall;
    // Only posts already in flight may have met the exhausted limit; nothing asked again before the reset.
    for (const c of limited) expect(c.at).toBeLessThanOrEqual(first.at + IN_FLIGHT_SLACK_MS);
    expectNothingBefore(first, reset * 1000);
    numbers["primaryLimitWaitedMs"] = (landed(sha)[0] as GithubCall).at - first.at;
    numbers["primaryLimit403s"] = limited.length;
  });

  it("gives up on a plain 403 (no permission) without retrying, and still reports the next state", async () => {
    const sha = commit("de1", 1);
    github.failNext(1, { status: 403, message: "Resource not accessible by personal access token" }, statusPath(sha));
    await deliver("de1");
    await waitFor("a build", () => [...codebuild.builds.values()].some((b) => envOf(b, "BUILDGATE_SHA") === sha), 20_000);
    await waitFor("the refused post", () => posts(sha).some((c) => c.status === 403), 20_000);
    await sleep(1500);
    const refused = posts(sha).filter((c) => c.status === 403);
    expect(refused).toHaveLength(1);
    // Posts after the refusal are for newer states only, never the refused one again.
    const refusedBody = refused[0]?.body as { state: string; description: string };
    expect(posts(sha).filter((c) => c.status === 201).some((c) => (c.body as { description: string }).description === refusedBody.description)).toBe(false);
  });

  it("lands every final status, once per state", async () => {
    const shas = ["5e0", "403", "429", "e0", "de1"].map((t) => commit(t, 1));
    for (const b of codebuild.builds.values()) finishFakeBuild(b, "SUCCEEDED");
    await waitFor("every final status", () => shas.every((sha) => github.latestStatus(REPO, sha, CONTEXT)?.state === "success"), 30_000);
    await sleep(2000);
    for (const sha of shas) {
      const states = github.statuses.filter((s) => s.sha === sha).map((s) => `${s.state}|${s.description}`);
      expect({ sha, states: [...new Set(states)] }).toEqual({ sha, states });
    }
    summary("GitHub faults", { statusesLanded: github.statuses.length, postsRefused: posts().filter((c) => c.status !== 201).length, ...numbers });
  });
});
