import { rmSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { startCodeBuildFake, type CodeBuildFake, type FakeFailure } from "../fakes/codebuild-fake.js";
import { waitFor } from "../e2e/e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { commit, envOf, exactlyOnce, post, pushDelivery, sleep, summary, tempDir, writeConfig } from "./fault-helpers.js";

const SECRET = "fault-codebuild-secret-0123456789";
const THROTTLED: FakeFailure = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
const SERVER_ERROR: FakeFailure = { status: 500, type: "InternalFailure", message: "An internal error occurred" };
const ACCOUNT_LIMIT: FakeFailure = { status: 400, type: "AccountLimitExceededException", message: "Cannot have more than 60 builds in queue for the account" };

interface ExplainedBuild {
  id: number;
  state: string;
  error: string | null;
}

describe("fault: CodeBuild misbehaves (real process, real AWS SDK, CodeBuild fake)", () => {
  let dir: string;
  let fake: CodeBuildFake;
  let gate: RunningBuildgate;
  let dbPath: string;

  beforeAll(async () => {
    dir = tempDir("codebuild-faults");
    dbPath = join(dir, "bg.db");
    fake = await startCodeBuildFake({ projects: ["hello-ci"] });
    const config = writeConfig(dir, {
      storeUrl: `sqlite:${dbPath}`,
      secret: SECRET,
      codebuildUrl: fake.url,
      awsMaxAttempts: 3,
      moreRoutes: `
  - name: ghost
    source: { github: "Codertocat/Hello-World" }
    on: [push]
    branches: [ghost]
    project: no-such-project`,
    });
    gate = await spawnBuildgate(config);
  });
  afterAll(async () => {
    await gate?.kill9();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startCalls = (sha?: string) =>
    fake.calls.filter((c) => c.op === "StartBuild" && (!sha || (c.body.environmentVariablesOverride as Array<{ name: string; value: string }>).some((v) => v.name === "BUILDGATE_SHA" && v.value === sha)));

  async function buildOf(deliveryId: string): Promise<ExplainedBuild | undefined> {
    const res = await fetch(`${gate.url}/api/deliveries/${deliveryId}/explain`);
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as { deliveries: Array<{ builds: ExplainedBuild[] }> };
    return body.deliveries[0]?.builds[0];
  }

  function startJobOf(buildId: number): { state: string; run_at: number; attempts: number; last_error: string | null } | undefined {
    const db = new SqliteDatabase(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("select state, run_at, attempts, last_error from jobs where kind = 'start_build' and json_extract(payload, '$.buildId') = ?").get(buildId) as never;
    } finally {
      db.close();
    }
  }

  it("rides out a storm of throttling, 500s and connection resets: every build starts exactly once", async () => {
    // 12 failed StartBuild requests in a row: more than the SDK's 3 attempts, so the job queue retries too.
    fake.failSequence([THROTTLED, THROTTLED, THROTTLED, THROTTLED, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, "reset", "reset", "reset", "reset"], { op: "StartBuild" });
    const deliveries = Array.from({ length: 6 }, (_, i) => pushDelivery(commit("57a", i)));
    const t0 = Date.now();
    const answers = await Promise.all(deliveries.map((d) => post(gate.url, SECRET, d)));
    expect(answers.map((a) => a.status)).toEqual(deliveries.map(() => 202));
    await waitFor("6 builds", () => deliveries.every((d) => startCalls(d.sha).some((c) => c.status === 200)), 60_000);
    const allStartedMs = Date.now() - t0;
    await sleep(1000);
    const check = exactlyOnce(fake, deliveries.map((d) => d.sha));
    const failed = startCalls().filter((c) => c.status !== 200);
    summary("CodeBuild storm", { deliveries: deliveries.length, failedStartBuildCalls: failed.length, startBuildCalls: startCalls().length, lost: check.lost.length, duplicated: check.duplicated, allStartedMs });
    expect(fake.pendingFailures()).toBe(0);
    expect(failed).toHaveLength(12);
    expect(failed.filter((c) => c.status === 0)).toHaveLength(4); // the resets
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toBe(0);
    expect(check.tokenReuse).toBe(0);
    expect(check.builds).toBe(6);
    // Each commit's attempts all carried the same idempotency token.
    for (const d of deliveries) expect(new Set(startCalls(d.sha).map((c) => c.body.idempotencyToken)).size).toBe(1);
  }, 90_000);

  it("waits at least 60 s after an account concurrency limit before trying again", async () => {
    fake.failNext(1, ACCOUNT_LIMIT, { op: "StartBuild" });
    const d = pushDelivery(commit("acc", 1));
    expect((await post(gate.url, SECRET, d)).status).toBe(202);
    const refused = await waitFor("the refused StartBuild", () => startCalls(d.sha).find((c) => c.status === 400), 20_000);
    const build = await waitFor("the build's recorded error", async () => {
      const b = await buildOf(d.id);
      return b?.error ? b : undefined;
    });
    expect(build.state).toBe("pending");
    expect(build.error).toMatch(/AccountLimitExceededException/);
    const job = await waitFor("the start job back in the queue", () => {
      const j = startJobOf(build.id);
      return j?.state === "queued" ? j : undefined;
    });
    expect(job.run_at - refused.at).toBeGreaterThanOrEqual(60_000);
    expect(job.last_error).toMatch(/AccountLimitExceededException/);
    // And nothing is tried meanwhile (the SDK does not retry it either).
    await sleep(3000);
    expect(startCalls(d.sha)).toHaveLength(1);
    expect([...fake.builds.values()].some((b) => envOf(b, "BUILDGATE_SHA") === d.sha)).toBe(false);
    summary("CodeBuild account limit", { startBuildCalls: startCalls(d.sha).length, retryInMs: job.run_at - refused.at });
  }, 45_000);

  it("marks a build for an unknown project errored at once, without retrying", async () => {
    const d = pushDelivery(commit("9a0", 1), undefined, "refs/heads/ghost");
    expect((await post(gate.url, SECRET, d)).status).toBe(202);
    const build = await waitFor("the errored build", async () => {
      const b = await buildOf(d.id);
      return b && b.state !== "pending" ? b : undefined;
    });
    expect(build.state).toBe("errored");
    expect(build.error).toMatch(/ResourceNotFoundException/);
    await sleep(1500);
    const calls = fake.calls.filter((c) => c.op === "StartBuild" && c.body.projectName === "no-such-project");
    expect(calls).toHaveLength(1);
    expect(startJobOf(build.id)).toMatchObject({ state: "done", attempts: 1 });
    summary("CodeBuild unknown project", { startBuildCalls: calls.length, state: build.state });
  }, 30_000);
});
