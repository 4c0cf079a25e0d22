import { DeferJobError } from "../../../../src/pipeline/job-errors.js";
import type { JobHandler, JobResult } from "../../../../src/pipeline/job-runner.js";
import { runJob, type RunJobDeps } from "../../../../src/pipeline/runner/run-job.js";
import type { JobRow, Store } from "../../../../src/store/store.js";
import { recordingLog, tempStore } from "./runner-fakes.js";

const LEASE_MS = 1_000;

describe("running one job (SQLite store: real leases)", () => {
  let store: Store;
  let remove: () => Promise<void>;
  let now: number;
  let results: JobResult[];
  let marked: Array<[string, number, boolean]>;
  beforeEach(async () => {
    ({ store, remove } = await tempStore(3));
    now = 1_000_000;
    results = [];
    marked = [];
  });
  afterEach(() => remove());

  /** Deps for `workerId`; a job that ran to success is completed at once (and the answer recorded). */
  const deps = (handlers: Record<string, JobHandler>, workerId = "w"): RunJobDeps => ({
    queue: store.jobs,
    workerId,
    handlers,
    log: recordingLog().log,
    now: () => now,
    random: () => 0.5,
    backoffBaseMs: 100,
    finished: async (id) => void marked.push([workerId, id, await store.jobs.complete(id, workerId, now)]),
    onJobFinished: (_kind, result) => void results.push(result),
  });
  const claimOne = async (workerId = "w"): Promise<JobRow | undefined> => (await store.jobs.claim(workerId, now, LEASE_MS, 1))[0];
  const job = async (id: number) => (await store.jobs.deadLetters(10)).find((j) => j.id === id);

  it("dead-letters a job after its last attempt, with the last error, and gives up once", async () => {
    const gaveUp: Array<[unknown, string]> = [];
    const handlers = {
      work: {
        run: async (_p: unknown, { job: j }: { job: JobRow }) => {
          throw new Error(`boom ${j.attempts}`);
        },
        onGiveUp: async (payload: unknown, error: string) => void gaveUp.push([payload, error]),
      },
    };
    const id = (await store.jobs.enqueue({ kind: "work", payload: { buildId: 9 } }, now))!;
    for (let claimed = await claimOne(); claimed; claimed = await claimOne()) {
      await runJob(deps(handlers), claimed);
      now += 10 * 60_000; // past any backoff
    }
    expect(results).toEqual(["retried", "retried", "dead"]);
    expect(await job(id)).toMatchObject({ state: "dead", attempts: 3, last_error: "Error: boom 3" });
    expect(gaveUp).toEqual([[{ buildId: 9 }, "Error: boom 3"]]);
  });

  it("retries at the backoff the seeded jitter gives: not due before, due at", async () => {
    const handlers = { work: { run: () => Promise.reject(new Error("flaky")) } };
    await store.jobs.enqueue({ kind: "work", payload: {} }, now);
    await runJob(deps(handlers), (await claimOne())!);
    // Attempt 1, base 100 ms, random 0.5: 50 + 25.
    expect(await store.jobs.nextWakeAt()).toBe(now + 75);
    now += 74;
    expect(await claimOne()).toBeUndefined();
    now += 1;
    expect(await claimOne()).toMatchObject({ attempts: 2, last_error: "Error: flaky" });
  });

  it("a DeferJobError puts the job back without spending an attempt", async () => {
    let runs = 0;
    const handlers = {
      work: {
        run: async () => {
          if (runs++ < 5) throw new DeferJobError("rate limit", 50);
        },
      },
    };
    const id = (await store.jobs.enqueue({ kind: "work", payload: {} }, now))!;
    for (let claimed = await claimOne(); claimed; claimed = await claimOne()) {
      expect(claimed.attempts).toBe(1);
      await runJob(deps(handlers), claimed);
      now += 50;
    }
    // Six runs of a job with three attempts: the five deferrals spent none.
    expect(results).toEqual(["deferred", "deferred", "deferred", "deferred", "deferred", "done"]);
    expect(marked).toEqual([["w", id, true]]);
    expect(await store.jobs.countByState()).toEqual({ done: 1 });
  });

  it("a job whose lease expired is claimed by another worker, and the first worker's writes are fenced off", async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const handlers = { work: { run: () => slow }, fails: { run: () => slow.then(() => Promise.reject(new Error("late"))) } };
    const done = (await store.jobs.enqueue({ kind: "work", payload: {} }, now))!;
    const failed = (await store.jobs.enqueue({ kind: "fails", payload: {} }, now))!;
    const first = await store.jobs.claim("a", now, LEASE_MS, 2);
    const running = first.map((j) => runJob(deps(handlers, "a"), j));
    now += LEASE_MS + 1;
    const taken = await store.jobs.claim("b", now, LEASE_MS, 2);
    expect(taken.map((j) => [j.id, j.leased_by, j.attempts])).toEqual([
      [done, "b", 2],
      [failed, "b", 2],
    ]);
    release();
    await Promise.all(running);
    // "a"'s complete returned false; its retry changed nothing: both jobs are still "b"'s.
    expect(marked).toEqual([["a", done, false]]);
    expect(await store.jobs.countByState()).toEqual({ running: 2 });
    expect(await store.jobs.nextWakeAt()).toBe(now + LEASE_MS);
    expect(await store.jobs.complete(done, "b", now)).toBe(true);
    expect(await store.jobs.complete(failed, "b", now)).toBe(true);
  });

  it("gives up without running a job whose leases expired more often than its attempts allow", async () => {
    let runs = 0;
    const gaveUp: string[] = [];
    const handlers = { work: { run: async () => void runs++, onGiveUp: async (_p: unknown, error: string) => void gaveUp.push(error) } };
    const id = (await store.jobs.enqueue({ kind: "work", payload: {} }, now))!;
    for (let i = 0; i < 3; i++) {
      await claimOne(`crashed-${i}`);
      now += LEASE_MS + 1;
    }
    await runJob(deps(handlers), (await claimOne())!);
    expect(runs).toBe(0);
    const want = "PermanentJobError: gave up after 3 attempts (leases expired)";
    expect(await job(id)).toMatchObject({ state: "dead", attempts: 4, last_error: want });
    expect(gaveUp).toEqual([want]);
  });

  it("dead-letters a kind nobody handles at its first attempt", async () => {
    const id = (await store.jobs.enqueue({ kind: "unknown", payload: {} }, now))!;
    await runJob(deps({ work: { run: async () => undefined } }), (await claimOne())!);
    expect(results).toEqual(["dead"]);
    expect(await job(id)).toMatchObject({ attempts: 1, last_error: "PermanentJobError: no handler for job kind unknown" });
  });
});
