import { BUILD_STATES } from "../../../src/domain/build-state.js";
import { STORE_JOBS } from "../../../src/pipeline/job-kinds.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "../../../src/store/database.js";
import { createSqliteDeliveryWriter } from "../../../src/store/insert-deliveries.js";
import { createStore, migrate } from "../../../src/store/open-store.js";
import { newBuild, routeBuilds } from "../../helpers/store-fixtures.js";
import type { NewDelivery } from "../../../src/store/store.js";

// SQLite's durability levels: the store runs with synchronous=NORMAL (job bookkeeping survives a
// process crash without an fsync per commit), and the inbox's commit alone runs with FULL, so a
// delivery is on disk before its 2xx.

const delivery = (id: string): NewDelivery => ({ source: "github", deliveryId: id, event: "push", headers: {}, body: "{}", bodySha256: "0".repeat(64), receivedAt: 1 });
const NORMAL = 1;
const FULL = 2;

/**
 * A migrated SQLite store in WAL mode with synchronous=NORMAL, as open-store.ts makes it, that
 * records the level in force whenever a row changes: `trigger` names the change (an SQL trigger
 * event on a table), and each one calls a function that reads the level from the pragma calls
 * seen so far (the pragma itself cannot be read while a statement runs).
 */
async function watchedStore(path: string, trigger: string) {
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, "sqlite");
  const levels: number[] = [];
  const pragma = sqlite.pragma.bind(sqlite);
  const levelNow = () => Number(pragma("synchronous", { simple: true }));
  let level = levelNow();
  sqlite.pragma = ((source: string, options?: SqliteDatabase.PragmaOptions) => {
    const result = pragma(source, options);
    if (/^synchronous\s*=/i.test(source.trim())) level = levelNow();
    return result;
  }) as typeof sqlite.pragma;
  sqlite.function("bg_level", () => {
    levels.push(level);
    return null;
  });
  sqlite.exec(`create trigger bg_level_watch ${trigger} begin select bg_level(); end`);
  return { sqlite, db, levels, levelNow };
}

describe("SQLite durability levels", () => {
  let dir: string;
  let db: Kysely<Database> | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bg-durability-"));
  });
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits the inbox's batch with synchronous=FULL and returns to NORMAL after it", async () => {
    const w = await watchedStore(join(dir, "writer.db"), "after insert on deliveries");
    db = w.db;
    const write = createSqliteDeliveryWriter(w.db, w.sqlite, STORE_JOBS, 3);
    expect(await write([delivery("a"), delivery("b")])).toEqual(["accepted", "accepted"]);
    expect(w.levels).toEqual([FULL, FULL]);
    expect(w.levelNow()).toBe(NORMAL);

    // A failed batch (here: a constraint violation) also returns the level to NORMAL.
    w.sqlite.exec("create trigger bg_fail before insert on deliveries when new.delivery_id = 'boom' begin select raise(abort, 'boom'); end");
    // better-sqlite3's errors come from another realm under Jest's VM modules: match the message.
    const failure = await write([delivery("boom")]).then(() => undefined, (e: unknown) => e);
    expect(String((failure as Error | undefined)?.message)).toMatch(/boom/);
    expect(w.levelNow()).toBe(NORMAL);
    expect(w.sqlite.inTransaction).toBe(false);
  });

  it("records a start attempt with synchronous=FULL (a second StartBuild after a power loss needs it)", async () => {
    const w = await watchedStore(join(dir, "start.db"), "after update of first_start_at on builds");
    db = w.db;
    const store = createStore(w.db, "sqlite", STORE_JOBS, 3, w.sqlite);
    const [buildId = -1] = await routeBuilds(store, "d-start", [newBuild("ci", "k-1")], 10);

    await store.recordStartAttempt(buildId, 1234);
    expect(w.levels).toEqual([FULL]);
    expect(w.levelNow()).toBe(NORMAL);
    expect((await store.getBuild(buildId))?.first_start_at).toBe(1234);
    // An ordinary build update stays at NORMAL.
    await store.updateBuild(buildId, BUILD_STATES, { first_start_at: 1300 }, 20);
    expect(w.levels).toEqual([FULL, NORMAL]);
  });
});
