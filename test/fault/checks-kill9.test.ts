import { rmSync } from "node:fs";
import { startCodeBuildFake, type CodeBuildFake, type FakeBuild } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { deliverGithub, waitFor } from "../e2e/e2e-helpers.js";
import { CHECKS_SECRET, appKeys, failBuild, prPayload, startPhase, succeedBuild, writeChecksConfig } from "../e2e/checks-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { seeded, sleep, summary, tempDir } from "./fault-helpers.js";

const REPO = "Codertocat/Hello-World";
const PULLS = 24;
const KILLS = 4;
const SEED = Number(process.env.BUILDGATE_FAULT_SEED ?? 11);
const head = (i: number) => `c4ec${i.toString(16).padStart(36, "0")}`;

describe("fault: kill -9 during check runs' lifecycle (SQLite)", () => {
  let dir: string;
  let github: GithubFake;
  let codebuild: CodeBuildFake;
  let gate: RunningBuildgate | undefined;
  let config: string;

  const buildOf = (sha: string): FakeBuild | undefined => [...codebuild.builds.values()].find((b) => b.environment.environmentVariables.some((v) => v.name === "BUILDGATE_SHA" && v.value === sha));
  const restart = async () => {
    await gate?.kill9();
    gate = await spawnBuildgate(config);
  };

  beforeAll(async () => {
    dir = tempDir("checks-kill9");
    const { privateKey, publicKey } = appKeys();
    github = await startGithubFake({ app: { id: 12345, publicKey }, installations: { 678: ["Codertocat"], 910: ["Octo-Org"] } });
    codebuild = await startCodeBuildFake();
    config = writeChecksConfig(dir, github.url, codebuild.url, privateKey);
    gate = await spawnBuildgate(config);
  });
  afterAll(async () => {
    await gate?.kill9();
    await github?.close();
    await codebuild?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a kill after GitHub created the run but before buildgate stored its id: the restart adopts the run, no second one", async () => {
    const sha = head(0xfff);
    github.setPullRequest(REPO, { number: 500, head: { ref: "held", sha }, base: { ref: "master", sha: "0".repeat(40) }, authorAssociation: "OWNER" });
    github.holdAnswers(1, { method: "POST", pathPrefix: `/repos/${REPO}/check-runs` });
    await deliverGithub(gate!, CHECKS_SECRET, "pull_request", prPayload(REPO, 500, sha, 678));
    await waitFor("the create, held", () => github.held.length === 1);
    await restart();
    const build = await waitFor("the build", () => buildOf(sha));
    failBuild(build, startPhase(build, 70));
    await waitFor("the run completed", () => github.runsOf(REPO, sha, "buildgate/web")[0]?.status === "completed", 30_000);
    const runs = github.runsOf(REPO, sha, "buildgate/web");
    expect(runs).toHaveLength(1);
    expect(runs[0]?.conclusion).toBe("failure");
    expect(runs[0]?.writes.filter((w) => w.status === "completed")).toHaveLength(1);
    // The retry looked for the run by its external id before creating one.
    expect(github.calls.some((c) => c.method === "GET" && c.path === `/repos/${REPO}/commits/${sha}/check-runs` && c.query.check_name === "buildgate/web")).toBe(true);
  }, 60_000);

  it("kill -9 at random moments: every build has exactly one check run, completed once with its result", async () => {
    const random = seeded(SEED);
    const shas = Array.from({ length: PULLS }, (_, i) => head(i));
    const started = Date.now();
    let kills = 0;
    // Some answers are held (the request took effect, the answer never came) right before a kill.
    const killSoon = async () => {
      if (random() < 0.5) github.holdAnswers(1, { method: random() < 0.5 ? "POST" : "PATCH", pathPrefix: `/repos/${REPO}/check-runs` });
      await sleep(Math.floor(random() * 400));
      await restart();
      kills++;
    };
    for (const [i, sha] of shas.entries()) {
      github.setPullRequest(REPO, { number: 600 + i, head: { ref: `f${i}`, sha }, base: { ref: "master", sha: "0".repeat(40) }, authorAssociation: "OWNER" });
      await waitFor("the delivery stored", async () => (await deliverGithub(gate!, CHECKS_SECRET, "pull_request", prPayload(REPO, 600 + i, sha, 678)).catch(() => ({ status: 0 }))).status === 202);
      if (i === Math.floor(PULLS / 3)) await killSoon();
    }
    const builds = await waitFor("every build started", () => (shas.every((s) => buildOf(s)) ? shas.map((s) => buildOf(s) as FakeBuild) : undefined), 60_000);
    await killSoon();
    for (const [i, b] of builds.entries()) {
      const at = startPhase(b, 60);
      if (i % 2 === 0) failBuild(b, at);
      else succeedBuild(b, at);
      if (i === Math.floor(PULLS / 2) || i === PULLS - 3) await killSoon();
    }
    await waitFor("every run completed", () => shas.every((s) => github.runsOf(REPO, s, "buildgate/web").some((r) => r.status === "completed")), 90_000);
    await sleep(1500);
    const outcome = shas.map((s, i) => ({ runs: github.runsOf(REPO, s, "buildgate/web"), want: i % 2 === 0 ? "failure" : "success" }));
    const duplicated = outcome.filter((o) => o.runs.length !== 1).length;
    const wrong = outcome.filter((o) => o.runs[0]?.status !== "completed" || o.runs[0]?.conclusion !== o.want).length;
    const completedTwice = outcome.filter((o) => (o.runs[0]?.writes.filter((w) => w.status === "completed").length ?? 0) !== 1).length;
    summary("kill -9 during check runs", { seed: SEED, pulls: PULLS, kills, held: github.held.length, duplicated, wrong, completedTwice, totalMs: Date.now() - started });
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(duplicated).toBe(0);
    expect(wrong).toBe(0);
    expect(completedTwice).toBe(0);
  }, 180_000);
});
