import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { DeferJobError } from "../../../src/pipeline/job-errors.js";
import { createJobRunner, type JobHandler, type JobResult, type JobRunner } from "../../../src/pipeline/job-runner.js";
import { openStore } from "../../../src/store/open-store.js";
import type { Store } from "../../../src/store/store.js";

describe("job runner: results, log context and a bounded stop", () => {
  let dir: string;
  let store: Store;
  let runner: JobRunner | undefined;
  let lines: Array<Record<string, unknown>>;
  let finished: Array<[string, JobResult]>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "buildgate-runner-"));
    store = await openStore({ url: `sqlite:${join(dir, "bg.db")}`, maxAttempts: 2 });
    lines = [];
    finished = [];
  });
  afterEach(async () => {
    await runner?.stop(100);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(handlers: Record<string, JobHandler>, extra: { concurrency?: number; yieldToIntake?: () => boolean } = {}): JobRunner {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
        done();
      },
    });
    runner = createJobRunner({ queue: store.jobs, handlers, log: pino({ level: "debug" }, sink), workerId: "w", concurrency: extra.concurrency ?? 2, leaseMs: 10_000, idlePollMs: 10, backoffBaseMs: 5, onJobFinished: (kind, result) => finished.push([kind, result]), ...(extra.yieldToIntake ? { yieldToIntake: extra.yieldToIntake } : {}) });
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
});
