import { createClaimLoop, wakeDelay, type ClaimLoop, type ClaimLoopOptions } from "../../../../src/pipeline/runner/claim-loop.js";
import type { JobRow } from "../../../../src/store/store.js";
import { FakeJobQueue, recordingLog, settle, until } from "./runner-fakes.js";

describe("wake delay", () => {
  it.each([
    { name: "idle queue: the poll interval", next: undefined, want: 1000 },
    { name: "due later: just past it", next: 10_300, want: 301 },
    { name: "due later than the poll interval: capped", next: 60_000, want: 1000 },
    { name: "due already: at once", next: 9_000, want: 0 },
    { name: "due already, no slot free: a finishing job wakes it; rechecked every 50 ms, not spun on", next: 9_000, free: 0, want: 50 },
    { name: "due later, no slot free: the later of the two", next: 10_300, free: 0, want: 301 },
    { name: "no slot free, a short poll interval: capped by it", next: 9_000, free: 0, idle: 20, want: 20 },
  ])("$name", ({ next, want, free, idle }) => {
    expect(wakeDelay(next, 10_000, idle ?? 1000, free ?? 1)).toBe(want);
  });
});

describe("claim loop", () => {
  let queue: FakeJobQueue;
  let launched: JobRow[];
  let loop: ClaimLoop | undefined;
  let lines: Array<Record<string, unknown>>;
  beforeEach(() => {
    queue = new FakeJobQueue();
    launched = [];
    lines = [];
  });
  afterEach(async () => {
    loop?.stop();
    await loop?.settled();
  });

  /** A loop over the fake queue; by default jobs launched keep running and take a slot each. */
  function startLoop(extra: Partial<ClaimLoopOptions> & { slots?: number } = {}): ClaimLoop {
    const recorded = recordingLog();
    lines = recorded.lines;
    const slots = extra.slots ?? 4;
    loop = createClaimLoop({
      queue,
      workerId: "w",
      now: Date.now,
      log: recorded.log,
      idlePollMs: 10_000,
      claim: (limit) => queue.claim("w", Date.now(), 60_000, limit),
      pending: () => 0,
      capacity: () => slots - launched.length,
      launch: (job) => void launched.push(job),
      ...extra,
    });
    loop.start();
    return loop;
  }
  const enqueue = async (n: number, runAt = Date.now()) => {
    for (let i = 0; i < n; i++) await queue.enqueue({ kind: "work", payload: { i }, runAt }, Date.now());
  };
  const limits = () => queue.claims.map((c) => c.limit);

  it("claims due jobs up to the free capacity, and no more while none is free", async () => {
    await enqueue(10);
    startLoop({ slots: 3 });
    await settle(20);
    expect(limits()).toEqual([3]);
    expect(launched.map((j) => j.id)).toEqual([1, 2, 3]);
    loop!.wake();
    await settle(20);
    expect(limits()).toEqual([3]);
  });

  it("with every slot taken and jobs due, looks at the queue every 50 ms instead of spinning", async () => {
    await enqueue(10);
    let looks = 0;
    startLoop({ slots: 2, idlePollMs: 1000, onNextWakeAt: () => void looks++ });
    await settle(300);
    expect(limits()).toEqual([2]);
    // A 0 ms timer made ~150 looks in 200 ms here; at 50 ms a look, about 6 in 300 ms.
    expect(looks).toBeGreaterThanOrEqual(2);
    expect(looks).toBeLessThanOrEqual(10);
  });

  it("claims again at once when a claim came back full", async () => {
    await enqueue(5);
    let looks = 0;
    // Slots that stay free (jobs that end at once): each full claim may have more behind it.
    startLoop({ capacity: () => 2, onNextWakeAt: () => void looks++ });
    await settle(20);
    expect(limits()).toEqual([2, 2, 2]);
    expect(launched).toHaveLength(5);
    // All in one round, before the loop looked at the queue to sleep.
    expect(looks).toBe(1);
  });

  it("shares one claim among the wakes of one event-loop turn", async () => {
    startLoop();
    for (let i = 0; i < 10; i++) loop!.wake();
    await settle(20);
    expect(limits()).toEqual([4]);
  });

  it("claims once more after a claim in flight for the wakes that came during it", async () => {
    let looks = 0;
    const release = queue.holdClaims();
    startLoop({ onNextWakeAt: () => void looks++ });
    await until(() => queue.claims.length === 1);
    // Due after the claim in flight read the queue.
    await enqueue(2);
    for (let i = 0; i < 5; i++) loop!.wake();
    release();
    await until(() => launched.length === 2);
    await settle(20);
    expect(limits()).toEqual([4, 4]);
    // The second claim is part of the same round (not the timer's).
    expect(looks).toBe(1);
  });

  it("sleeps until the next job is due, and tells when that is", async () => {
    const seen: Array<number | undefined> = [];
    const dueAt = Date.now() + 60;
    await enqueue(1, dueAt);
    startLoop({ onNextWakeAt: (at) => void seen.push(at) });
    // Woken by the due time, long before the 10 s poll.
    await until(() => launched.length === 1);
    expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
    expect(Date.now() - dueAt).toBeLessThan(2_000);
    expect(seen[0]).toBe(dueAt);
  });

  it("looks at the queue every idlePollMs when nothing is due (other replicas' jobs)", async () => {
    startLoop({ idlePollMs: 15 });
    await until(() => queue.claims.length >= 4);
  });

  it("claims for the completions alone when no job may start, and not at all when there are none", async () => {
    let pending = 0;
    await enqueue(1);
    // As the completion batcher does: a claim takes the pending completions along.
    const claim = (limit: number) => ((pending = 0), queue.claim("w", Date.now(), 60_000, limit));
    startLoop({ capacity: () => 0, pending: () => pending, claim });
    await settle(20);
    expect(limits()).toEqual([]);
    pending = 2;
    loop!.wake();
    await settle(20);
    expect(limits()).toEqual([0]);
    expect(launched).toEqual([]);
  });

  it("stop() with a claim in flight: the jobs it brings go back to the queue, attempt not counted, and nothing runs", async () => {
    await enqueue(3);
    const release = queue.holdClaims();
    startLoop();
    await until(() => queue.claims.length === 1);
    expect(loop!.claiming()).toBe(true);
    loop!.stop();
    release();
    await loop!.settled();
    expect(loop!.claiming()).toBe(false);
    expect(launched).toEqual([]);
    expect([...queue.rows.values()].map((j) => [j.state, j.attempts, j.leased_by])).toEqual([
      ["queued", 0, null],
      ["queued", 0, null],
      ["queued", 0, null],
    ]);
    loop!.wake();
    await settle(30);
    expect(queue.claims).toHaveLength(1);
  });

  it("does nothing before start()", async () => {
    await enqueue(1);
    loop = createClaimLoop({ queue, workerId: "w", now: Date.now, log: recordingLog().log, idlePollMs: 10, claim: (limit) => queue.claim("w", Date.now(), 60_000, limit), pending: () => 0, capacity: () => 1, launch: (job) => void launched.push(job) });
    loop.wake();
    await settle(30);
    expect(queue.claims).toEqual([]);
  });

  it("logs a claim that failed and claims again at the next look", async () => {
    await enqueue(1);
    queue.failClaims = 1;
    startLoop({ idlePollMs: 15 });
    await until(() => launched.length === 1);
    expect(lines.filter((l) => l.level === 50).map((l) => [l.msg, l.err])).toEqual([["could not claim jobs", "Error: store unavailable"]]);
  });

  it("logs a look at the queue that failed and polls again after idlePollMs", async () => {
    let failures = 1;
    const nextWakeAt = queue.nextWakeAt.bind(queue);
    queue.nextWakeAt = () => (failures-- > 0 ? Promise.reject(new Error("db down")) : nextWakeAt());
    startLoop({ idlePollMs: 15 });
    await until(() => queue.claims.length >= 2);
    expect(lines.filter((l) => l.level === 50).map((l) => [l.msg, l.err])).toEqual([["could not read the job queue", "Error: db down"]]);
  });
});
