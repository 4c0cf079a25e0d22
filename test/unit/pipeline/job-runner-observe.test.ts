import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { DeferJobError } from "../../../src/pipeline/job-errors.js";
import { createJobRunner, type JobHandler, type JobResult, type JobRunner } from "../../../src/pipeline/job-runner.js";
import { STORE_JOBS } from "../../../src/pipeline/job-kinds.js";
import { openStore } from "../../../src/store/open-store.js";
import type { JobQueue, Store } from "../../../src/store/store.js";

describe("job runner: results, log context and a bounded stop", () => {
  let dir: string;
  let store: Store;
  let runner: JobRunner | undefined;
  let lines: Array<Record<string, unknown>>;
  let finished: Array<[string, JobResult]>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-runner-"));
    store = await openStore({ url: `sqlite:${join(dir, "bg.db")}`, maxAttempts: 2, jobs: STORE_JOBS });
    lines = [];
    finished = [];
  });
  afterEach(async () => {
    await runner?.stop(100);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Extra {
    concurrency?: number;
    yieldToIntake?: () => boolean;
    maxYieldMs?: number;
    queue?: JobQueue;
    onFinished?: (kind: string) => void;
  }
  function start(handlers: Record<string, JobHandler>, extra: Extra = {}): JobRunner {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
        done();
      },
    });
    runner = createJobRunner({ queue: extra.queue ?? store.jobs, handlers, log: pino({ level: "debug" }, sink), workerId: "w", concurrency: extra.concurrency ?? 2, leaseMs: 10_000, idlePollMs: 10, backoffBaseMs: 5, onJobFinished: (kind, result) => {
        finished.push([kind, result]);
        extra.onFinished?.(kind);
      }, ...(extra.yieldToIntake ? { yieldToIntake: extra.yieldToIntake } : {}), ...(extra.maxYieldMs !== undefined ? { maxYieldMs: extra.maxYieldMs } : {}) });
    runner.start();
    return runner;
  }
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it("reports deferred, retried, dead and done runs by kind", async () => {
    let deferrals = 0;
    start({
      waits: {
        async run() {
          if (deferrals++ === 0) throw new DeferJobError("rate limit", 5);
        },
      },
      fails: {
        async run() {
          throw new Error("boom");
        },
      },
    });
    await store.jobs.enqueue({ kind: "waits", payload: {} }, Date.now());
    await store.jobs.enqueue({ kind: "fails", payload: {} }, Date.now());
    runner!.wake();
    await until(() => finished.length === 4);
    expect(finished.filter(([k]) => k === "waits")).toEqual([["waits", "deferred"], ["waits", "done"]]);
    expect(finished.filter(([k]) => k === "fails")).toEqual([["fails", "retried"], ["fails", "dead"]]);
  });

  it("logs every line of a job with the ids of its payload, and with what the handler binds", async () => {
    start({
      build: {
        async run(_payload, { log }) {
          log.setBindings({ deliveryId: "d-42" });
          log.info("working");
          throw new Error("boom");
        },
      },
    });
    await store.jobs.enqueue({ kind: "build", payload: { buildId: 7 } }, Date.now());
    runner!.wake();
    await until(() => finished.length === 2);
    const jobLines = lines.filter((l) => l.jobKind === "build");
    expect(jobLines.map((l) => l.msg)).toEqual(["working", "job failed; will retry", "working", "job failed; moved to dead letters"]);
    for (const line of jobLines) expect(line).toMatchObject({ buildId: 7, deliveryId: "d-42" });
  });

  it("stop(timeout) stops claiming and resolves with the jobs still running after the bound", async () => {
    let release!: () => void;
    const hang = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const r = start({ slow: { run: () => (runs++, hang) } });
    await store.jobs.enqueue({ kind: "slow", payload: {} }, Date.now());
    r.wake();
    await until(() => runs === 1);
    const began = Date.now();
    expect(await r.stop(100)).toBe(1);
    expect(Date.now() - began).toBeLessThan(1_000);
    await store.jobs.enqueue({ kind: "slow", payload: {} }, Date.now());
    r.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(1);
    release();
    expect(await r.stop(1_000)).toBe(0);
  });

  it("runs one job at a time while the intake has the CPU, and all of them again after", async () => {
    let pressure = true;
    let running = 0;
    let peak = 0;
    let peakAfter = 0;
    const ran: number[] = [];
    start(
      {
        work: {
          async run(payload) {
            running++;
            if (pressure) peak = Math.max(peak, running);
            else peakAfter = Math.max(peakAfter, running);
            await new Promise((r) => setTimeout(r, 15));
            ran.push((payload as { n: number }).n);
            running--;
          },
        },
      },
      { concurrency: 4, yieldToIntake: () => pressure },
    );
    for (let n = 0; n < 12; n++) await store.jobs.enqueue({ kind: "work", payload: { n } }, Date.now());
    runner?.wake();
    // Under pressure the jobs still move (never starved), one at a time.
    await until(() => ran.length >= 4);
    expect(peak).toBe(1);
    pressure = false;
    runner?.wake();
    await until(() => ran.length === 12);
    expect(peakAfter).toBeGreaterThan(1);
    expect(peakAfter).toBeLessThanOrEqual(4);
  });

  it("marks a finished job done with the next claim, and keeps it when that claim fails", async () => {
    let failNext = true;
    const queue: JobQueue = {
      ...store.jobs,
      claim: async (...args) => {
        const completed = args[4] ?? [];
        if (failNext && completed.length > 0) {
          failNext = false;
          throw new Error("store unavailable");
        }
        return store.jobs.claim(...args);
      },
    };
    let runs = 0;
    start({ work: { run: async () => void runs++ } }, { queue });
    await store.jobs.enqueue({ kind: "work", payload: {} }, Date.now());
    runner?.wake();
    await until(() => lines.some((l) => l.msg === "could not claim jobs"));
    // The failed claim did not lose the completion: a later one writes it, and the job ran once.
    for (let i = 0; i < 100 && (await store.jobs.countByState()).done !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await store.jobs.countByState()).toEqual({ done: 1 });
    expect(runs).toBe(1);
  });

  it("stop() writes the completions it holds, and a job that ends after the bound is still marked done", async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    let stopping: Promise<number> | undefined;
    // stop() the moment "quick" finished, before any claim could carry its completion.
    start({ quick: { run: async () => undefined }, slow: { run: () => slow } }, { onFinished: (kind) => void (kind === "quick" && (stopping = runner?.stop(30))) });
    await store.jobs.enqueue({ kind: "slow", payload: {} }, Date.now());
    runner?.wake();
    await until(() => (runner?.inFlight() ?? 0) === 1);
    await store.jobs.enqueue({ kind: "quick", payload: {} }, Date.now());
    runner?.wake();
    await until(() => stopping !== undefined);
    expect(await stopping).toBe(1);
    expect(await store.jobs.countByState()).toEqual({ done: 1, running: 1 });
    // "slow" ends after stop() returned: marked done at once (no claim will follow), not left to be released.
    release();
    await until(() => finished.some(([kind]) => kind === "slow"));
    for (let i = 0; i < 100 && (await store.jobs.countByState()).running; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await store.jobs.countByState()).toEqual({ done: 2 });
  });

  it("stops yielding to the intake once a due job has waited longer than maxYieldMs", async () => {
    let running = 0;
    let peak = 0;
    start(
      {
        work: {
          async run() {
            peak = Math.max(peak, ++running);
            await new Promise((r) => setTimeout(r, 20));
            running--;
          },
        },
      },
      { concurrency: 4, yieldToIntake: () => true, maxYieldMs: 50 },
    );
    // Due a second ago: overdue at the runner's first look at the queue.
    for (let n = 0; n < 12; n++) await store.jobs.enqueue({ kind: "work", payload: { n }, runAt: Date.now() - 1000 }, Date.now());
    runner?.wake();
    await until(() => finished.length === 12);
    expect(peak).toBeGreaterThan(1);
  });
});
