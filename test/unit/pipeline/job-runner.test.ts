import { createJobRunner, type JobHandler, type JobResult, type JobRunner, type JobRunnerOptions } from "../../../src/pipeline/job-runner.js";
import { FakeJobQueue, recordingLog, settle, until } from "./runner/runner-fakes.js";

/** A handler whose runs wait until `release()`; counts the runs and how many run at once. */
function gatedHandler() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const g = {
    runs: 0,
    running: 0,
    release: () => release(),
    handler: {
      async run() {
        g.runs++;
        g.running++;
        await gate;
        g.running--;
      },
    } satisfies JobHandler,
  };
  return g;
}

describe("job runner (the parts together, on the fake queue)", () => {
  let queue: FakeJobQueue;
  let runner: JobRunner | undefined;
  let finished: Array<[string, JobResult]>;
  beforeEach(() => {
    queue = new FakeJobQueue(3);
    finished = [];
  });
  afterEach(async () => {
    await runner?.stop(100);
  });

  function start(handlers: Record<string, JobHandler>, extra: Partial<JobRunnerOptions> = {}): JobRunner {
    runner = createJobRunner({
      queue,
      handlers,
      log: recordingLog().log,
      workerId: "w",
      concurrency: 4,
      leaseMs: 60_000,
      idlePollMs: 10_000,
      onJobFinished: (kind, result) => void finished.push([kind, result]),
      ...extra,
    });
    runner.start();
    return runner;
  }
  const enqueue = async (n: number, kind = "work", runAt = Date.now()) => {
    for (let i = 0; i < n; i++) await queue.enqueue({ kind, payload: { i }, runAt }, Date.now());
  };
  const states = () => [...queue.rows.values()].map((j) => j.state);

  it("marks the jobs that finished in one turn done with one claim", async () => {
    await enqueue(3);
    start({ work: { run: async () => undefined } });
    await until(() => states().every((s) => s === "done"));
    expect(queue.claims.filter((c) => c.completed.length > 0).map((c) => c.completed)).toEqual([[1, 2, 3]]);
  });

  it("does not mark done a job whose lease another worker took while it ran", async () => {
    const g = gatedHandler();
    await enqueue(1);
    start({ work: g.handler });
    await until(() => g.runs === 1);
    Object.assign(queue.get(1), { leased_by: "other" });
    g.release();
    await until(() => queue.claims.some((c) => c.completed.includes(1)));
    expect(queue.get(1)).toMatchObject({ state: "running", leased_by: "other" });
    expect(finished).toEqual([["work", "done"]]);
  });

  it("retries at exact backoff delays from the seeded random, then dead-letters with the last error and gives up once", async () => {
    let t = 1_000_000;
    const randoms = [0.1, 0.9, 0.5];
    const gaveUp: string[] = [];
    await queue.enqueue({ kind: "work", payload: {} }, t);
    const handler: JobHandler = {
      run: async (_p, { job }) => Promise.reject(new Error(`boom ${job.attempts}`)),
      onGiveUp: async (_p, error) => void gaveUp.push(error),
    };
    start({ work: handler }, { now: () => t, random: () => randoms.shift()!, backoffBaseMs: 100 });
    // Attempt 1: 100 ms base, 50 + 0.1 × 50.
    await until(() => queue.get(1).state === "queued" && queue.get(1).attempts === 1);
    expect(queue.get(1)).toMatchObject({ run_at: t + 55, last_error: "Error: boom 1" });
    t += 55;
    runner!.wake();
    // Attempt 2: doubled, 100 + 0.9 × 100.
    await until(() => queue.get(1).attempts === 2 && queue.get(1).state === "queued");
    expect(queue.get(1).run_at).toBe(t + 190);
    t += 190;
    runner!.wake();
    await until(() => queue.get(1).state === "dead");
    expect(queue.get(1)).toMatchObject({ attempts: 3, last_error: "Error: boom 3" });
    expect(gaveUp).toEqual(["Error: boom 3"]);
    expect(finished.map(([, r]) => r)).toEqual(["retried", "retried", "dead"]);
  });

  it("stop(timeoutMs) resolves after the bound with how many still run; they are marked done at once when they end", async () => {
    const g = gatedHandler();
    await enqueue(3);
    start({ work: g.handler });
    await until(() => g.running === 3);
    const began = Date.now();
    expect(await runner!.stop(50)).toBe(3);
    expect(Date.now() - began).toBeLessThan(1_000);
    g.release();
    await until(() => states().every((s) => s === "done"));
    expect(queue.claims.every((c) => c.completed.length === 0)).toBe(true);
    expect(await runner!.stop()).toBe(0);
  });

  it("stop() with a claim in flight puts the claimed jobs back, attempts not counted, and runs nothing after", async () => {
    const g = gatedHandler();
    await enqueue(2);
    const release = queue.holdClaims();
    start({ work: g.handler });
    await until(() => queue.claims.length === 1);
    const stopping = runner!.stop();
    release();
    expect(await stopping).toBe(0);
    expect([...queue.rows.values()].map((j) => [j.state, j.attempts])).toEqual([
      ["queued", 0],
      ["queued", 0],
    ]);
    runner!.wake();
    await settle(30);
    expect(g.runs).toBe(0);
    expect(queue.claims).toHaveLength(1);
  });

  it.each([
    { name: "a quarter of 8 while the intake has the CPU", concurrency: 8, yieldToIntake: true, want: 2 },
    { name: "at least one of 3 while the intake has the CPU", concurrency: 3, yieldToIntake: true, want: 1 },
    { name: "all 8 when the intake is idle", concurrency: 8, yieldToIntake: false, want: 8 },
  ])("runs $name", async ({ concurrency, yieldToIntake, want }) => {
    const g = gatedHandler();
    await enqueue(12);
    start({ work: g.handler }, { concurrency, yieldToIntake: () => yieldToIntake });
    await until(() => g.running === want);
    await settle(30);
    expect(g.running).toBe(want);
    g.release();
    await until(() => states().every((s) => s === "done"));
  });

  it("ends the yielding when a due job waited longer than maxYieldMs", async () => {
    const g = gatedHandler();
    await enqueue(12, "work", Date.now() - 1_000);
    start({ work: g.handler }, { concurrency: 8, yieldToIntake: () => true, maxYieldMs: 50 });
    await until(() => g.running === 8);
    g.release();
  });
});
