import { DeferJobError, PermanentJobError, RetryLaterError } from "../../../../src/pipeline/job-errors.js";
import type { JobHandler } from "../../../../src/pipeline/job-runner.js";
import { parsePayload } from "../../../../src/pipeline/runner/job-payload.js";
import { recordFailure, retryDelay, type FailureDeps } from "../../../../src/pipeline/runner/record-failure.js";
import { FakeJobQueue, recordingLog } from "./runner-fakes.js";

const NOW = 1_000_000;

describe("retry delay: exponential backoff with equal jitter", () => {
  it.each([
    { name: "attempt 1, no jitter", err: new Error("x"), attempt: 1, random: 0, baseMs: 100, want: 50 },
    { name: "attempt 1, full jitter", err: new Error("x"), attempt: 1, random: 1, baseMs: 100, want: 100 },
    { name: "attempt 3 doubles twice", err: new Error("x"), attempt: 3, random: 0.25, baseMs: 100, want: 250 },
    { name: "capped at 5 minutes", err: new Error("x"), attempt: 20, random: 0.5, baseMs: 1000, want: 225_000 },
    { name: "1 s by default", err: new Error("x"), attempt: 2, random: 0.5, baseMs: undefined, want: 1500 },
    { name: "RetryLaterError asks for longer", err: new RetryLaterError("slow down", 5000), attempt: 1, random: 0.5, baseMs: 100, want: 5000 },
    { name: "RetryLaterError shorter than the backoff", err: new RetryLaterError("soon", 10), attempt: 3, random: 0.25, baseMs: 100, want: 250 },
  ])("$name", ({ err, attempt, random, baseMs, want }) => {
    expect(retryDelay(err, attempt, random, baseMs)).toBe(want);
  });
});

describe("recording a failed run", () => {
  let queue: FakeJobQueue;
  let gaveUp: Array<[unknown, string]>;
  const handler: JobHandler = {
    run: async () => undefined,
    onGiveUp: async (payload, error) => void gaveUp.push([payload, error]),
  };
  const deps = (random = 0.5): FailureDeps => ({ queue, workerId: "w", now: () => NOW, random: () => random, backoffBaseMs: 100 });
  /** A job of `max` attempts, claimed by "w" for its `attempt`th attempt. */
  async function claimed(attempt: number, max = 3) {
    const id = await queue.enqueue({ kind: "work", payload: { n: 7 } }, NOW);
    Object.assign(queue.get(id), { attempts: attempt - 1, max_attempts: max });
    const [job] = await queue.claim("w", NOW, 10_000, 1);
    return job!;
  }
  const run = (job: Awaited<ReturnType<typeof claimed>>, h: JobHandler | undefined = handler) => ({ job, payload: parsePayload(job.payload), handler: h, log: recordingLog().log });
  beforeEach(() => {
    queue = new FakeJobQueue();
    gaveUp = [];
  });

  it.each([
    { name: "first attempt", attempt: 1, random: 0.5, err: new Error("boom"), wantDelay: 75 },
    { name: "second attempt, seeded jitter", attempt: 2, random: 0.9, err: new Error("boom"), wantDelay: 190 },
    { name: "RetryLaterError delay honoured", attempt: 2, random: 0.9, err: new RetryLaterError("rate limited", 60_000), wantDelay: 60_000 },
  ])("retries with backoff: $name", async ({ attempt, random, err, wantDelay }) => {
    const job = await claimed(attempt);
    expect(await recordFailure(deps(random), run(job), err)).toBe("retried");
    expect(queue.get(job.id)).toMatchObject({ state: "queued", run_at: NOW + wantDelay, attempts: attempt, last_error: `${err.name}: ${err.message}`, leased_by: null });
    expect(gaveUp).toEqual([]);
  });

  it("defers a DeferJobError without spending the attempt, even on the last one", async () => {
    const job = await claimed(3, 3);
    expect(await recordFailure(deps(), run(job), new DeferJobError("rate limit", 700))).toBe("deferred");
    expect(queue.get(job.id)).toMatchObject({ state: "queued", run_at: NOW + 700, attempts: 2, last_error: null });
  });

  it.each([
    { name: "the last attempt failed", attempt: 3, err: new Error("boom 3"), want: "Error: boom 3" },
    { name: "a PermanentJobError on the first attempt", attempt: 1, err: new PermanentJobError("bad payload"), want: "PermanentJobError: bad payload" },
  ])("moves the job to dead letters when $name, with the error, and gives up once", async ({ attempt, err, want }) => {
    const job = await claimed(attempt);
    expect(await recordFailure(deps(), run(job), err)).toBe("dead");
    expect(queue.get(job.id)).toMatchObject({ state: "dead", last_error: want });
    expect(gaveUp).toEqual([[{ n: 7 }, want]]);
  });

  it("does not give up for a job another worker holds now (the bury was fenced off)", async () => {
    const job = await claimed(3);
    Object.assign(queue.get(job.id), { leased_by: "other" });
    expect(await recordFailure(deps(), run(job), new Error("boom"))).toBe("dead");
    expect(queue.get(job.id)).toMatchObject({ state: "running", leased_by: "other", last_error: null });
    expect(gaveUp).toEqual([]);
  });

  it("buries a job nobody handles", async () => {
    const job = await claimed(1);
    expect(await recordFailure(deps(), run(job, undefined), new PermanentJobError("no handler for job kind work"))).toBe("dead");
    expect(queue.get(job.id)).toMatchObject({ state: "dead", last_error: "PermanentJobError: no handler for job kind work" });
  });

  it("logs an onGiveUp that fails, and the job stays dead", async () => {
    const job = await claimed(3);
    const { log, lines } = recordingLog();
    const failing: JobHandler = { run: async () => undefined, onGiveUp: () => Promise.reject(new Error("status API down")) };
    expect(await recordFailure(deps(), { job, payload: parsePayload(job.payload), handler: failing, log }, new Error("boom"))).toBe("dead");
    expect(lines.map((l) => [l.msg, l.err])).toEqual([
      ["job failed; moved to dead letters", "Error: boom"],
      ["giving up on job failed", "Error: status API down"],
    ]);
    expect(queue.get(job.id).state).toBe("dead");
  });
});
