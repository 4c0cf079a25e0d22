import { BUILD_STATES } from "../../../src/domain/build-state.js";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import type { Store } from "../../../src/store/store.js";
import { insertAccepted, newBuild } from "../../helpers/store-fixtures.js";
import { storeTargets, trackStores } from "../../helpers/store-targets.js";

const targets = await storeTargets();
const T0 = 1_000_000;
const LEASE = 30_000;

/** Runs one statement against a store URL outside the store (what no Store method may do: break its schema). */
async function execRaw(url: string, text: string): Promise<void> {
  if (url.startsWith("sqlite:")) {
    const db = new SqliteDatabase(url.slice("sqlite:".length));
    try {
      db.exec(text);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe.each(targets)("store on $name: queries for metrics, readiness and shutdown", (target) => {
  const open = trackStores();
  let url: string;
  let store: Store;
  beforeEach(async () => {
    url = await target.freshUrl();
    store = await open({ url, maxAttempts: 5 });
  });

  it("queueStats counts queued, running and dead jobs (never done) and finds the oldest due job", async () => {
    expect(await store.jobs.queueStats(T0)).toEqual({ byState: { queued: 0, running: 0, dead: 0 }, oldestDueAt: undefined });
    for (const [kind, runAt] of [["done", T0 - 9_000], ["running", T0 - 8_000], ["dead", T0 - 7_000]] as const) await store.jobs.enqueue({ kind, payload: {}, runAt }, T0);
    const [done, running, dead] = await store.jobs.claim("w1", T0, LEASE, 3);
    expect([done?.kind, running?.kind, dead?.kind]).toEqual(["done", "running", "dead"]);
    await store.jobs.complete(done!.id, "w1", T0);
    await store.jobs.bury(dead!.id, "w1", "boom", T0);
    await store.jobs.enqueue({ kind: "later", payload: {}, runAt: T0 + 60_000 }, T0);
    await store.jobs.enqueue({ kind: "waiting", payload: {}, runAt: T0 - 2_000 }, T0);

    expect(await store.jobs.queueStats(T0)).toEqual({ byState: { queued: 2, running: 1, dead: 1 }, oldestDueAt: T0 - 2_000 });
    // The job due later does not count as waiting until it is due.
    expect((await store.jobs.queueStats(T0 - 3_000)).oldestDueAt).toBeUndefined();
  });

  it("release puts back only this worker's running jobs, due now, without counting the attempt", async () => {
    await store.jobs.enqueue({ kind: "mine", payload: {} }, T0);
    await store.jobs.enqueue({ kind: "theirs", payload: {} }, T0);
    const [mine] = await store.jobs.claim("w1", T0, LEASE, 1);
    const [theirs] = await store.jobs.claim("w2", T0, LEASE, 1);

    expect(await store.jobs.release("w1", T0 + 10)).toBe(1);
    expect(await store.jobs.release("w1", T0 + 10)).toBe(0);
    // The released job's late completion is fenced off; the other worker's job is untouched.
    expect(await store.jobs.complete(mine!.id, "w1", T0 + 20)).toBe(false);
    expect(await store.jobs.complete(theirs!.id, "w2", T0 + 20)).toBe(true);
    const [again] = await store.jobs.claim("w3", T0 + 30, LEASE, 5);
    expect(again).toMatchObject({ id: mine!.id, kind: "mine", attempts: 1, run_at: T0 + 10, leased_by: "w3" });
  });

  it("countBuildsByState groups every build by state", async () => {
    expect(await store.countBuildsByState()).toEqual({});
    const rowId = await insertAccepted(store, "d-1");
    const decisions = ["a", "b", "c"].map((route) => ({ route, matched: true, reason: "matched", build: newBuild(route, `key-${route}`) }));
    const { createdBuildIds } = await store.recordRouting(rowId, { status: "routed", decisions }, T0);
    await store.updateBuild(createdBuildIds[0]!, BUILD_STATES, { state: "running" }, T0);
    await store.updateBuild(createdBuildIds[1]!, BUILD_STATES, { state: "succeeded" }, T0);

    expect(await store.countBuildsByState()).toEqual({ pending: 1, running: 1, succeeded: 1 });
  });

  it("schemaIsCurrent: true after migrating, false when a migration is missing, throws when the store is gone", async () => {
    expect(await store.schemaIsCurrent()).toBe(true);
    await execRaw(url, "delete from kysely_migration where name = '003-board'");
    expect(await store.schemaIsCurrent()).toBe(false);
    await execRaw(url, "drop table kysely_migration");
    expect(await store.schemaIsCurrent()).toBe(false);
    await store.close();
    await expect(store.schemaIsCurrent()).rejects.toThrow();
  });
});
