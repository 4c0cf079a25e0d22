import { BUILD_STATES } from "../../src/domain/build-state.js";
import { randomUUID } from "node:crypto";
import SqliteDatabase from "better-sqlite3";
import pino from "pino";
import request from "supertest";
import { CLOCK_SKEW_MS } from "../../src/domain/start-attempt.js";
import { DEFAULT_SWEEP_POLICY } from "../../src/domain/stuck-builds.js";
import { createSweepStuck, sweepStuck, type SweepSummary } from "../../src/pipeline/sweep-stuck.js";
import { JOB } from "../../src/pipeline/job-kinds.js";
import type { CommitStatus } from "../../src/domain/commit-status.js";
import type { GithubApi } from "../../src/providers/github/github-api.js";
import type { BuildRow } from "../../src/store/store.js";
import { pushExample } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { insertAccepted, newBuild } from "../helpers/store-fixtures.js";
import { createTestGate, SECRET, type TestGate } from "../helpers/test-gate.js";

const SHA = "e".repeat(40);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const log = pino({ level: "silent" });

/** A GithubApi that records statuses (the only call the sweep's outcomes make). */
class RecordingGithub implements GithubApi {
  readonly statuses: Array<{ sha: string; status: CommitStatus }> = [];
  async createStatus(_repository: string, sha: string, status: CommitStatus) {
    this.statuses.push({ sha, status });
  }
  listPullRequestFiles = async () => undefined;
  getPullRequest = async () => Promise.reject(new Error("not in this test"));
  getPermission = async () => "none";
  listHooks = async () => [];
  listHookDeliveries = async () => [];
  redeliverHookDelivery = async () => undefined;
}

describe("stuck-build sweep: outcomes on the real pipeline", () => {
  let gate: TestGate;
  let github: RecordingGithub;
  beforeEach(async () => {
    github = new RecordingGithub();
    gate = await createTestGate({ github });
  });
  afterEach(async () => {
    await gate.close();
  });

  /**
   * As if `ms` passed (every build's times moved back: the store rows fake the clock, so the jobs
   * the sweep queues are due now), one sweep, then every job it queued run to the end.
   */
  async function sweepAfter(ms: number): Promise<SweepSummary> {
    for (const b of await gate.store.listBuilds({})) {
      const back = (t: number | null) => (t === null ? null : t - ms);
      await gate.store.updateBuild(b.id, BUILD_STATES, { started_at: back(b.started_at), polled_at: back(b.polled_at), ended_at: back(b.ended_at), first_start_at: back(b.first_start_at) }, b.updated_at - ms);
    }
    const policy = { ...DEFAULT_SWEEP_POLICY, pollIntervalMs: 15_000, stuckAfterMs: 8 * HOUR };
    const summary = await sweepStuck({ store: gate.store, builder: gate.builder, policy, intervalMs: MINUTE, wake: () => gate.runner.wake() }, log);
    await gate.settle();
    return summary;
  }

  async function deliverPush(): Promise<BuildRow> {
    gate.runner.start();
    const body = JSON.stringify(pushExample({ after: SHA }));
    await request(gate.app).post("/webhooks/github").set("content-type", "application/json").set("x-github-event", "push").set("x-github-delivery", randomUUID()).set("x-hub-signature-256", signGithub(SECRET, body)).send(body).expect(202);
    await gate.settle();
    const [build] = await gate.store.listBuilds({});
    if (!build) throw new Error("no build");
    return build;
  }

  /** A pending build whose jobs were lost (claimed and completed without running), as after a bad crash. */
  async function lostPendingBuild(dedupeKey = "github|Codertocat/Hello-World|hello|push|refs/heads/main|lost"): Promise<BuildRow> {
    const deliveryRowId = await insertAccepted(gate.store, randomUUID());
    const build = newBuild("hello", dedupeKey, { repository: "Codertocat/Hello-World", project: "hello-ci", env: { STAGE: "ci", BUILDGATE_BUILD_KEY: dedupeKey } });
    const { createdBuildIds } = await gate.store.recordRouting(deliveryRowId, { status: "routed", decisions: [{ route: "hello", matched: true, reason: "matched", build }] }, Date.now());
    for (const job of await gate.store.jobs.claim("lost:1:x", Date.now(), 60_000, 100)) await gate.store.jobs.complete(job.id, "lost:1:x", Date.now());
    gate.runner.start();
    return (await gate.store.getBuild(createdBuildIds[0] as number)) as BuildRow;
  }

  it("(a) reports again a finished build whose status still says pending", async () => {
    const build = await deliverPush();
    const posted = github.statuses.length;
    expect(github.statuses.at(-1)?.status.state).toBe("pending");
    // The build ended, but its report job was lost (dead-lettered, or the process died in between).
    gate.builder.advance(build.external_id as string, { status: "SUCCEEDED", currentPhase: "COMPLETED", endedAt: Date.now() });
    await gate.store.updateBuild(build.id, BUILD_STATES, { state: "succeeded", external_status: "SUCCEEDED", current_phase: "COMPLETED", ended_at: Date.now() }, Date.now());

    expect(await sweepAfter(0)).toEqual({ report: 0, poll: 0, start: 0, error: 0 }); // too early: the usual report may be on its way
    expect(await sweepAfter(5 * MINUTE)).toMatchObject({ report: 1 });
    expect(github.statuses.slice(posted).map((s) => s.status.state)).toEqual(["success"]);
    expect(await sweepAfter(6 * MINUTE)).toMatchObject({ report: 0 });
    expect(github.statuses).toHaveLength(posted + 1);
  });

  it("(b) polls an in-flight build nobody polled lately, and stores what it finds", async () => {
    const build = await deliverPush();
    expect(await sweepAfter(30_000)).toMatchObject({ poll: 0 });
    expect(gate.builder.polls).toEqual([]);

    gate.builder.advance(build.external_id as string, { status: "SUCCEEDED", currentPhase: "COMPLETED", endedAt: Date.now() });
    expect(await sweepAfter(10 * MINUTE)).toMatchObject({ poll: 1 });
    expect(gate.builder.polls).toEqual([[build.external_id]]);
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "succeeded" });
    expect(github.statuses.at(-1)?.status.state).toBe("success");
  });

  it("(b) records every poll, changed or not, so a build polled lately is left alone", async () => {
    const build = await deliverPush();
    expect(await sweepAfter(10 * MINUTE)).toMatchObject({ poll: 1 });
    const polled = (await gate.store.getBuild(build.id))?.polled_at;
    expect(polled).toEqual(expect.any(Number));
    expect(polled).toBeGreaterThanOrEqual(build.started_at as number);
    expect(await sweepAfter(30_000)).toMatchObject({ poll: 0 });
  });

  it("(c) starts a pending build without a start job, once", async () => {
    const build = await lostPendingBuild();
    expect(await sweepAfter(0)).toMatchObject({ start: 0 });
    expect(await sweepAfter(6 * MINUTE)).toMatchObject({ start: 1 });
    expect(gate.builder.starts).toHaveLength(1);
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "queued", external_id: "hello-ci:1" });
    expect(await sweepAfter(MINUTE)).toMatchObject({ start: 0 });
    expect(gate.builder.starts).toHaveLength(1);
  });

  it("(c) a start after the token's window adopts the build an earlier attempt started, instead of starting another", async () => {
    const build = await lostPendingBuild();
    // The first attempt, 10 minutes ago, reached the builder; its answer never got stored.
    const earlier = await gate.builder.start({ route: "hello", project: "hello-ci", sourceVersion: build.source_version, env: JSON.parse(build.env) as Record<string, string>, idempotencyToken: "first-attempt" });
    await gate.store.updateBuild(build.id, BUILD_STATES, { first_start_at: Date.now() - 10 * MINUTE, error: "socket hang up" }, Date.now());

    expect(await sweepAfter(6 * MINUTE)).toMatchObject({ start: 1 });
    expect(gate.builder.starts).toHaveLength(1);
    expect(gate.builder.finds).toEqual([{ project: "hello-ci", key: build.dedupe_key, since: expect.any(Number), route: "hello" }]);
    expect(gate.builder.finds[0]?.since).toBeLessThan(Date.now() - 10 * MINUTE);
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "queued", external_id: earlier.buildId, error: null });
  });

  it("(c) a late start that finds no earlier build starts one", async () => {
    const build = await lostPendingBuild();
    await gate.store.updateBuild(build.id, BUILD_STATES, { first_start_at: Date.now() - 10 * MINUTE }, Date.now());
    await sweepAfter(6 * MINUTE);
    expect(gate.builder.finds).toHaveLength(1);
    expect(gate.builder.starts).toHaveLength(1);
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "queued", external_id: "hello-ci:1" });
  });

  it("the sweep_stuck job schedules the next sweep, one at a time", async () => {
    const before = Date.now();
    const policy = { ...DEFAULT_SWEEP_POLICY, pollIntervalMs: 15_000, stuckAfterMs: 8 * HOUR };
    const handler = createSweepStuck({ store: gate.store, builder: gate.builder, policy, intervalMs: MINUTE });
    await handler.run({}, { job: {} as never, log });
    await handler.run({}, { job: {} as never, log });
    const queued = await gate.store.jobs.claim("t", Number.MAX_SAFE_INTEGER - 1, 1, 10);
    expect(queued.map((j) => [j.kind, j.dedupe_key])).toEqual([[JOB.sweepStuck, "sweeper"]]);
    expect(queued[0]!.run_at).toBeGreaterThanOrEqual(before + MINUTE);
  });

  it("(c) a build from before first_start_at existed, whose earlier attempt failed, is looked for back to its creation", async () => {
    const build = await lostPendingBuild();
    const earlier = await gate.builder.start({ route: "hello", project: "hello-ci", sourceVersion: build.source_version, env: JSON.parse(build.env) as Record<string, string>, idempotencyToken: "old-attempt" });
    const db = new SqliteDatabase(gate.config.store.url.slice("sqlite:".length));
    db.prepare("update builds set created_at = created_at - ?, error = 'socket hang up' where id = ?").run(10 * MINUTE, build.id);
    db.close();
    await sweepAfter(6 * MINUTE);
    expect(gate.builder.starts).toHaveLength(1);
    expect(gate.builder.finds[0]?.since).toBe(build.created_at - 10 * MINUTE - CLOCK_SKEW_MS);
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "queued", external_id: earlier.buildId });
  });

  it("records the first start attempt's time once, before starting", async () => {
    const before = Date.now();
    const build = await deliverPush();
    expect(build.first_start_at).toBeGreaterThanOrEqual(before);
    expect(build.first_start_at).toBeLessThanOrEqual(build.started_at as number);
    expect(gate.builder.finds).toEqual([]);
  });

  it("(d) errors a build in flight past the queue timeout that no builder id names, and reports it", async () => {
    const build = await lostPendingBuild();
    await gate.store.updateBuild(build.id, BUILD_STATES, { state: "queued", started_at: Date.now() - 9 * HOUR }, Date.now());
    expect(await sweepAfter(0)).toMatchObject({ error: 1 });
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "errored", error: expect.stringMatching(/^in flight for 540 min without a build id/) });
    expect(github.statuses.map((s) => s.status.state)).toEqual(["error"]);
  });

  it("(d) polls a build in flight past the queue timeout; one the builder does not know is errored and reported", async () => {
    const build = await deliverPush();
    gate.builder.snapshots.delete(build.external_id as string); // CodeBuild has no such build (any more)
    await gate.store.updateBuild(build.id, BUILD_STATES, { started_at: Date.now() - 9 * HOUR }, Date.now());
    await gate.store.markPolled([build.id], Date.now());
    expect(await sweepAfter(0)).toMatchObject({ poll: 1 });
    expect(await gate.store.getBuild(build.id)).toMatchObject({ state: "errored", error: `the builder does not know build ${build.external_id}` });
    expect(github.statuses.at(-1)?.status.state).toBe("error");
  });
});
