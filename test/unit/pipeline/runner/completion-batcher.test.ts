import { createCompletionBatcher, type CompletionBatcher } from "../../../../src/pipeline/runner/completion-batcher.js";
import type { JobQueue, Store } from "../../../../src/store/store.js";
import { FakeJobQueue, recordingLog, tempStore } from "./runner-fakes.js";

const LEASE_MS = 1_000;

describe("completion batcher (SQLite store: completions fenced by the lease)", () => {
  let store: Store;
  let remove: () => Promise<void>;
  let now: number;
  beforeEach(async () => {
    ({ store, remove } = await tempStore(3));
    now = 1_000_000;
  });
  afterEach(() => remove());

  const batcher = (workerId = "w", queue: JobQueue = store.jobs): CompletionBatcher => createCompletionBatcher({ queue, workerId, leaseMs: LEASE_MS, now: () => now, log: recordingLog().log });
  const enqueue = async (n: number) => {
    for (let i = 0; i < n; i++) await store.jobs.enqueue({ kind: "work", payload: { i } }, now);
  };

  it("holds finished jobs and marks them done with the next claim, which claims in the same call", async () => {
    const b = batcher();
    await enqueue(3);
    const [first, second] = await b.claim(2);
    await b.finished(first!.id);
    await b.finished(second!.id);
    expect(b.pending()).toBe(2);
    expect(await store.jobs.countByState()).toEqual({ queued: 1, running: 2 });
    const next = await b.claim(5);
    expect(next.map((j) => j.id)).toEqual([3]);
    expect(b.pending()).toBe(0);
    expect(await store.jobs.countByState()).toEqual({ done: 2, running: 1 });
  });

  it("does not mark done a job whose lease another worker took", async () => {
    const a = batcher("a");
    await enqueue(2);
    const [lost, kept] = await a.claim(2);
    // Both leases expire; "b" takes over the first job, "a" still holds the other.
    now += LEASE_MS + 1;
    const taken = await store.jobs.claim("b", now, LEASE_MS, 1);
    expect(taken.map((j) => j.id)).toEqual([lost!.id]);
    await a.finished(lost!.id);
    await a.finished(kept!.id);
    await a.claim(0);
    // "a" marked its own job done, not "b"'s: that one is still running, and "b" can complete it.
    expect(await store.jobs.countByState()).toEqual({ done: 1, running: 1 });
    expect(await store.jobs.complete(lost!.id, "b", now)).toBe(true);
    expect(await store.jobs.countByState()).toEqual({ done: 2 });
  });

  it("keeps the completions of a claim that failed for the next claim", async () => {
    const queue = new FakeJobQueue();
    const b = batcher("w", queue);
    await queue.enqueue({ kind: "work", payload: {} }, now);
    const [job] = await b.claim(1);
    await b.finished(job!.id);
    queue.failClaims = 1;
    await expect(b.claim(1)).rejects.toThrow("store unavailable");
    expect(b.pending()).toBe(1);
    await b.claim(1);
    expect(queue.claims.map((c) => c.completed)).toEqual([[], [job!.id], [job!.id]]);
    expect(queue.get(job!.id).state).toBe("done");
  });

  it("once stopped, writes a completion at once, while the lease is held", async () => {
    const b = batcher();
    await enqueue(1);
    const [job] = await b.claim(1);
    b.stop();
    await b.finished(job!.id);
    expect(b.pending()).toBe(0);
    expect(await store.jobs.countByState()).toEqual({ done: 1 });
  });

  it("flushes what it holds with one claim of no jobs", async () => {
    const b = batcher();
    await enqueue(3);
    const jobs = await b.claim(2);
    for (const j of jobs) await b.finished(j.id);
    b.stop();
    await b.flush();
    expect(await store.jobs.countByState()).toEqual({ done: 2, queued: 1 });
  });

  it("flushes one by one when that claim fails, and logs how many could not be marked", async () => {
    const queue = new FakeJobQueue();
    const { log, lines } = recordingLog();
    const b = createCompletionBatcher({ queue, workerId: "w", leaseMs: LEASE_MS, now: () => now, log });
    for (let i = 0; i < 3; i++) await queue.enqueue({ kind: "work", payload: {} }, now);
    const jobs = await b.claim(3);
    for (const j of jobs) await b.finished(j.id);
    queue.failClaims = 1;
    const complete = queue.complete.bind(queue);
    queue.complete = (id, workerId, at) => (id === jobs[1]!.id ? Promise.reject(new Error("gone")) : complete(id, workerId, at));
    await b.flush();
    expect(jobs.map((j) => queue.get(j.id).state)).toEqual(["done", "running", "done"]);
    expect(lines.filter((l) => l.level === 50).map((l) => [l.msg, l.jobs, l.err])).toEqual([["could not mark finished jobs done; they will run again", 1, "Error: store unavailable"]]);
    expect(b.pending()).toBe(0);
  });

  it("does not touch the store to flush nothing", async () => {
    const queue = new FakeJobQueue();
    await batcher("w", queue).flush();
    expect(queue.claims).toEqual([]);
  });
});
