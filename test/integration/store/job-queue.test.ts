import type { Store } from "../../../src/store/store.js";
import { storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const T0 = 1_000_000;
const LEASE = 30_000;

describe.each(targets)("store on $name: job queue", (target) => {
  const open = trackStores();
  let url: string;
  let store: Store;
  beforeEach(async () => {
    url = await target.freshUrl();
    store = await open({ url, maxAttempts: 5 });
  });

  /** Enqueues `n` jobs one after another, so ids follow the order. */
  async function enqueue(n: number, runAt = T0): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await store.jobs.enqueue({ kind: "test", payload: { i }, runAt }, T0)) as number);
    return ids;
  }

  it("ensure: replicas starting together create one job for a key, not one each", async () => {
    // On PostgreSQL a second store is another replica (its own pool). SQLite has one writer process
    // (two stores in one process would block each other's event loop on the busy timeout).
    const other = target.name === "postgres" ? await open({ url, maxAttempts: 5 }) : store;
    const job = { kind: "singleton", payload: {}, dedupeKey: "tracker" };
    const inserted = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : other).jobs.ensure(job, T0)));
    expect(inserted.filter((id) => id !== undefined)).toHaveLength(1);
    expect(await store.jobs.countByState()).toEqual({ queued: 1 });
  });

  it("pruneFinished deletes old finished jobs in bounded steps and keeps everything else", async () => {
    const ids = await enqueue(6);
    const claimed = await store.jobs.claim("w1", T0, LEASE, 5);
    expect(claimed).toHaveLength(5);
    const [a = -1, b = -1, c = -1, d = -1, e = -1] = ids;
    // a, b, c finished long ago; d finished recently; e died; the sixth is still queued.
    await store.jobs.claim("w1", T0 + 1, LEASE, 0, [a, b, c]);
    await store.jobs.claim("w1", T0 + 50_000, LEASE, 0, [d]);
    await store.jobs.bury(e, "w1", "x", T0 + 1);
    expect(await store.jobs.pruneFinished(T0 + 10_000, 2)).toBe(2);
    expect(await store.jobs.pruneFinished(T0 + 10_000, 2)).toBe(1);
    expect(await store.jobs.pruneFinished(T0 + 10_000, 2)).toBe(0);
    expect(await store.jobs.countByState()).toEqual({ done: 1, dead: 1, queued: 1 });
    expect((await store.jobs.deadLetters(10)).map((j) => j.id)).toEqual([e]);
  });

  describe("claim", () => {
    it("marks the worker's finished jobs done in the same transaction, only those it still holds", async () => {
      const [a = -1, b = -1, c = -1] = await enqueue(4);
      const mine = await store.jobs.claim("w1", T0, LEASE, 2);
      expect(mine.map((j) => j.id)).toEqual([a, b]);
      // c is held by another worker: w1 cannot complete it.
      expect((await store.jobs.claim("w2", T0, LEASE, 1)).map((j) => j.id)).toEqual([c]);
      const next = await store.jobs.claim("w1", T0 + 1, LEASE, 1, [a, b, c]);
      expect(next).toHaveLength(1);
      expect(await store.jobs.countByState()).toEqual({ done: 2, running: 2 });
      // With nothing to claim (limit 0), it only completes.
      expect(await store.jobs.claim("w1", T0 + 2, LEASE, 0, [next[0]?.id ?? -1])).toEqual([]);
      expect(await store.jobs.countByState()).toEqual({ done: 3, running: 1 });
      // A lease that expired and was taken over is fenced: the old holder's completion is ignored.
      const taken = await store.jobs.claim("w3", T0 + LEASE + 10, LEASE, 1);
      expect(taken.map((j) => j.id)).toEqual([c]);
      await store.jobs.claim("w2", T0 + LEASE + 11, LEASE, 0, [c]);
      expect(await store.jobs.countByState()).toEqual({ done: 3, running: 1 });
    });

    it("takes expired leases back before due jobs", async () => {
      const stale = await store.jobs.enqueue({ kind: "stale", payload: {}, runAt: T0 + 50 }, T0);
      expect((await store.jobs.claim("crashed", T0 + 50, 10, 1)).map((j) => j.id)).toEqual([stale]);
      // Three jobs due long before the stale one's run_at: its expired lease still comes first.
      const due = await enqueue(3);
      const claimed = await store.jobs.claim("w1", T0 + 100, LEASE, 2);
      expect(claimed.map((j) => j.kind).sort()).toEqual(["stale", "test"]);
      expect(claimed.find((j) => j.kind === "stale")?.attempts).toBe(2);
      expect(claimed.find((j) => j.kind === "test")?.id).toBe(due[0]);
    });

    it("claims only due jobs, oldest run_at first", async () => {
      const later = await store.jobs.enqueue({ kind: "later", payload: {}, runAt: T0 + 5_000 }, T0);
      const now = await store.jobs.enqueue({ kind: "now", payload: { n: 1 } }, T0);

      expect((await store.jobs.claim("w1", T0, LEASE, 10)).map((j) => j.id)).toEqual([now]);
      expect(await store.jobs.claim("w1", T0 + 4_999, LEASE, 10)).toEqual([]);
      expect((await store.jobs.claim("w1", T0 + 5_000, LEASE, 10)).map((j) => j.id)).toEqual([later]);
    });

    it("respects the limit, increments attempts and sets the lease", async () => {
      const ids = await enqueue(3);
      const claimed = await store.jobs.claim("w1", T0 + 10, LEASE, 2);

      expect(claimed.map((j) => j.id)).toEqual(ids.slice(0, 2));
      for (const job of claimed) {
        expect(job).toMatchObject({ state: "running", attempts: 1, max_attempts: 5, leased_by: "w1", lease_until: T0 + 10 + LEASE, updated_at: T0 + 10 });
      }
      expect(JSON.parse(claimed[0]?.payload ?? "")).toEqual({ i: 0 });
      expect(await store.jobs.countByState()).toEqual({ queued: 1, running: 2 });
    });

    it("does not hand a job with an unexpired lease to another worker", async () => {
      await enqueue(1);
      await store.jobs.claim("w1", T0, LEASE, 10);

      expect(await store.jobs.claim("w2", T0 + LEASE - 1, LEASE, 10)).toEqual([]);
      expect(await store.jobs.claim("w2", T0 + LEASE, LEASE, 10)).toEqual([]);
    });

    it("hands a job whose lease expired to another worker, counting the attempt", async () => {
      const [id] = await enqueue(1);
      await store.jobs.claim("w1", T0, LEASE, 10);

      const [job] = await store.jobs.claim("w2", T0 + LEASE + 1, LEASE, 10);
      expect(job).toMatchObject({ id, leased_by: "w2", attempts: 2, lease_until: T0 + LEASE + 1 + LEASE });
    });
  });

  describe("fencing: only the lease holder finishes a job", () => {
    let id: number;
    beforeEach(async () => {
      [id = -1] = await enqueue(1);
      await store.jobs.claim("w1", T0, LEASE, 1);
      await store.jobs.claim("w2", T0 + LEASE + 1, LEASE, 1);
    });

    it.each([
      { op: "complete", call: (s: Store, w: string, id: number) => s.jobs.complete(id, w, T0 + 40_000), after: { done: 1 } },
      { op: "retry", call: (s: Store, w: string, id: number) => s.jobs.retry(id, w, T0 + 90_000, "boom", T0 + 40_000), after: { queued: 1 } },
      { op: "bury", call: (s: Store, w: string, id: number) => s.jobs.bury(id, w, "fatal", T0 + 40_000), after: { dead: 1 } },
      { op: "defer", call: (s: Store, w: string, id: number) => s.jobs.defer(id, w, T0 + 90_000, T0 + 40_000), after: { queued: 1 } },
    ])("$op is refused for the old holder and works for the current one, once", async ({ call, after }) => {
      expect(await call(store, "w1", id)).toBe(false);
      expect(await store.jobs.countByState()).toEqual({ running: 1 });
      expect(await call(store, "w2", id)).toBe(true);
      expect(await store.jobs.countByState()).toEqual(after);
      expect(await call(store, "w2", id)).toBe(false);
    });
  });

  it("retry requeues the job with its run_at and last error", async () => {
    const [id = -1] = await enqueue(1);
    await store.jobs.claim("w1", T0, LEASE, 1);
    expect(await store.jobs.retry(id, "w1", T0 + 5_000, "CodeBuild throttled", T0 + 100)).toBe(true);

    expect(await store.jobs.countByState()).toEqual({ queued: 1 });
    expect(await store.jobs.nextWakeAt()).toBe(T0 + 5_000);
    expect(await store.jobs.claim("w1", T0 + 4_999, LEASE, 1)).toEqual([]);
    const [job] = await store.jobs.claim("w2", T0 + 5_000, LEASE, 1);
    expect(job).toMatchObject({ id, run_at: T0 + 5_000, last_error: "CodeBuild throttled", attempts: 2, leased_by: "w2" });
  });

  it("bury moves the job to the dead letters, newest first", async () => {
    const [first = -1, second = -1] = await enqueue(3);
    await store.jobs.claim("w1", T0, LEASE, 2);
    expect(await store.jobs.bury(first, "w1", "bad input", T0 + 1)).toBe(true);
    expect(await store.jobs.bury(second, "w1", "still bad", T0 + 2)).toBe(true);

    expect(await store.jobs.countByState()).toEqual({ dead: 2, queued: 1 });
    const dead = await store.jobs.deadLetters(10);
    expect(dead.map((j) => [j.id, j.state, j.last_error])).toEqual([
      [second, "dead", "still bad"],
      [first, "dead", "bad input"],
    ]);
    expect(await store.jobs.deadLetters(1)).toHaveLength(1);
  });

  it("releaseLeases requeues only the jobs of holders that are gone", async () => {
    await enqueue(3);
    await store.jobs.claim("gone", T0, LEASE, 2);
    const [alive] = await store.jobs.claim("alive", T0, LEASE, 1);
    const asked: string[] = [];

    const released = await store.jobs.releaseLeases((holder) => {
      asked.push(holder);
      return holder === "gone";
    }, T0 + 10);

    expect(released).toBe(2);
    expect(asked.sort()).toEqual(["alive", "gone"]);
    expect(await store.jobs.countByState()).toEqual({ queued: 2, running: 1 });
    const reclaimed = await store.jobs.claim("new", T0 + 10, LEASE, 10);
    expect(reclaimed.map((j) => j.run_at)).toEqual([T0 + 10, T0 + 10]);
    expect(reclaimed.map((j) => j.id)).not.toContain(alive?.id);
    expect(await store.jobs.complete(alive?.id ?? -1, "alive", T0 + 20)).toBe(true);
    expect(await store.jobs.releaseLeases(() => false, T0 + 20)).toBe(0);
  });

  it("nextWakeAt is the earliest queued run_at or running lease end, ignoring finished jobs", async () => {
    expect(await store.jobs.nextWakeAt()).toBeUndefined();
    await store.jobs.enqueue({ kind: "a", payload: {}, runAt: T0 + 50_000 }, T0);
    await store.jobs.enqueue({ kind: "b", payload: {}, runAt: T0 + 20_000 }, T0);
    expect(await store.jobs.nextWakeAt()).toBe(T0 + 20_000);

    const [b] = await store.jobs.claim("w1", T0 + 20_000, 5_000, 1);
    expect(await store.jobs.nextWakeAt()).toBe(T0 + 25_000);
    await store.jobs.complete(b?.id ?? -1, "w1", T0 + 21_000);
    expect(await store.jobs.nextWakeAt()).toBe(T0 + 50_000);

    const [a] = await store.jobs.claim("w1", T0 + 50_000, 5_000, 1);
    await store.jobs.bury(a?.id ?? -1, "w1", "x", T0 + 50_001);
    expect(await store.jobs.nextWakeAt()).toBeUndefined();
  });

  it("countByState counts every state", async () => {
    expect(await store.jobs.countByState()).toEqual({});
    const [a = -1, b = -1] = await enqueue(4);
    await store.jobs.claim("w1", T0, LEASE, 3);
    await store.jobs.complete(a, "w1", T0);
    await store.jobs.bury(b, "w1", "x", T0);
    expect(await store.jobs.countByState()).toEqual({ queued: 1, running: 1, done: 1, dead: 1 });
  });

  describe("defer", () => {
    it("puts the job back for later without counting the attempt", async () => {
      const [id = -1] = await enqueue(1);
      await store.jobs.claim("w1", T0, LEASE, 1);
      await store.jobs.retry(id, "w1", T0 + 10, "GitHub answered 502", T0 + 1);
      await store.jobs.claim("w1", T0 + 10, LEASE, 1);

      expect(await store.jobs.defer(id, "w1", T0 + 60_000, T0 + 20)).toBe(true);

      expect(await store.jobs.countByState()).toEqual({ queued: 1 });
      expect(await store.jobs.nextWakeAt()).toBe(T0 + 60_000);
      expect(await store.jobs.claim("w2", T0 + 59_999, LEASE, 1)).toEqual([]);
      const [job] = await store.jobs.claim("w2", T0 + 60_000, LEASE, 1);
      // Two real attempts; the deferred claim did not count. The last error is kept.
      expect(job).toMatchObject({ id, attempts: 2, run_at: T0 + 60_000, leased_by: "w2", last_error: "GitHub answered 502" });
    });

    it("can defer a job many times without reaching max_attempts", async () => {
      const [id = -1] = await enqueue(1);
      for (let i = 0; i < 20; i++) {
        const [job] = await store.jobs.claim("w1", T0 + i, LEASE, 1);
        expect(job).toMatchObject({ id, attempts: 1 });
        expect(await store.jobs.defer(id, "w1", T0 + i + 1, T0 + i)).toBe(true);
      }
      expect(await store.jobs.countByState()).toEqual({ queued: 1 });
    });
  });

  describe("dedupe keys", () => {
    const job = (kind: string, dedupeKey?: string) => ({ kind, payload: { kind }, ...(dedupeKey ? { dedupeKey } : {}) });

    it("enqueue does not insert a second queued job with the same key", async () => {
      const first = await store.jobs.enqueue(job("report_status", "report:1"), T0);
      expect(first).toEqual(expect.any(Number));
      expect(await store.jobs.enqueue(job("report_status", "report:1"), T0 + 1)).toBeUndefined();
      expect(await store.jobs.countByState()).toEqual({ queued: 1 });
    });

    it("enqueue inserts again once the first is running, and once it is done", async () => {
      const first = await store.jobs.enqueue(job("report_status", "report:1"), T0);
      const [claimed] = await store.jobs.claim("w1", T0, LEASE, 10);
      expect(claimed?.id).toBe(first);

      // The running report may already have read the old state: a new one must follow.
      const second = await store.jobs.enqueue(job("report_status", "report:1"), T0 + 1);
      expect(second).toEqual(expect.any(Number));
      expect(second).not.toBe(first);
      expect(await store.jobs.enqueue(job("report_status", "report:1"), T0 + 2)).toBeUndefined();
      expect(await store.jobs.countByState()).toEqual({ queued: 1, running: 1 });

      await store.jobs.complete(first ?? -1, "w1", T0 + 3);
      await store.jobs.claim("w1", T0 + 3, LEASE, 10);
      expect(await store.jobs.enqueue(job("report_status", "report:1"), T0 + 4)).toEqual(expect.any(Number));
      expect(await store.jobs.countByState()).toEqual({ done: 1, running: 1, queued: 1 });
    });

    it("other keys and jobs without a key are never deduplicated", async () => {
      expect(await store.jobs.enqueue(job("report_status", "report:1"), T0)).toEqual(expect.any(Number));
      expect(await store.jobs.enqueue(job("report_status", "report:2"), T0)).toEqual(expect.any(Number));
      expect(await store.jobs.enqueue(job("start_build"), T0)).toEqual(expect.any(Number));
      expect(await store.jobs.enqueue(job("start_build"), T0)).toEqual(expect.any(Number));
      expect(await store.jobs.countByState()).toEqual({ queued: 4 });
    });

    it("stores the key and the job's run_at", async () => {
      const id = await store.jobs.enqueue({ ...job("track_builds", "tracker"), runAt: T0 + 15_000 }, T0);
      expect(await store.jobs.claim("w1", T0 + 14_999, LEASE, 10)).toEqual([]);
      const [claimed] = await store.jobs.claim("w1", T0 + 15_000, LEASE, 10);
      expect(claimed).toMatchObject({ id, kind: "track_builds", dedupe_key: "tracker", run_at: T0 + 15_000 });
    });

    it("ensure inserts only while no job with the key is queued or running", async () => {
      const tracker = job("track_builds", "tracker");
      const first = await store.jobs.ensure(tracker, T0);
      expect(first).toEqual(expect.any(Number));
      expect(await store.jobs.ensure(tracker, T0 + 1)).toBeUndefined();

      await store.jobs.claim("w1", T0, LEASE, 10);
      expect(await store.jobs.ensure(tracker, T0 + 2)).toBeUndefined(); // running counts too
      expect(await store.jobs.countByState()).toEqual({ running: 1 });

      await store.jobs.complete(first ?? -1, "w1", T0 + 3);
      const second = await store.jobs.ensure(tracker, T0 + 4);
      expect(second).toEqual(expect.any(Number));
      const [claimed] = await store.jobs.claim("w1", T0 + 4, LEASE, 10);
      await store.jobs.bury(claimed?.id ?? -1, "w1", "x", T0 + 5);
      expect(await store.jobs.ensure(tracker, T0 + 6)).toEqual(expect.any(Number)); // a dead one does not count
      expect(await store.jobs.countByState()).toEqual({ done: 1, dead: 1, queued: 1 });
    });

    it("ensure needs a key", async () => {
      await expect(store.jobs.ensure(job("track_builds"), T0)).rejects.toThrow("ensure needs a dedupeKey");
      expect(await store.jobs.countByState()).toEqual({});
    });
  });

  if (target.name === "postgres") {
    it("never gives the same job to two stores claiming at the same time (SKIP LOCKED)", async () => {
      const other = await open({ url, maxAttempts: 5 });
      for (let round = 0; round < 5; round++) {
        const now = T0 + round * 1_000;
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.jobs.enqueue({ kind: "race", payload: { round, i } }, now)));
        const [a, b] = await Promise.all([store.jobs.claim("a", now, LEASE, 5), other.jobs.claim("b", now, LEASE, 5)]);

        const ids = [...(a ?? []), ...(b ?? [])].map((j) => j.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(10);
        expect(await store.jobs.countByState()).toEqual({ running: 10 * (round + 1) });
      }
    });
  }
});
