import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "../../../src/store/database.js";
import { createSqliteDeliveryWriter } from "../../../src/store/insert-deliveries.js";
import { createStore, migrate } from "../../../src/store/open-store.js";
import { insertAccepted, newBuild } from "../../helpers/store-fixtures.js";
import type { NewDelivery } from "../../../src/store/store.js";

// SQLite's durability levels: the store runs with synchronous=NORMAL (job bookkeeping survives a
// process crash without an fsync per commit), and the inbox's commit alone runs with FULL, so a
// delivery is on disk before its 2xx.

const delivery = (id: string): NewDelivery => ({ source: "github", deliveryId: id, event: "push", headers: {}, body: "{}", bodySha256: "0".repeat(64), receivedAt: 1 });
const NORMAL = 1;
const FULL = 2;

describe("SQLite durability levels", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bg-durability-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("commits the inbox's batch with synchronous=FULL and returns to NORMAL after it", async () => {
    const sqlite = new SqliteDatabase(join(dir, "writer.db"));
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      await migrate(db, "sqlite");
      // The level in force when each row is written: a trigger calls a function that reads it
      // from the log below (the pragma cannot be read while a statement runs).
      const events: string[] = [];
      let level = Number(sqlite.pragma("synchronous", { simple: true }));
      const pragma = sqlite.pragma.bind(sqlite);
      sqlite.pragma = ((source: string, options?: SqliteDatabase.PragmaOptions) => {
        const result = pragma(source, options);
        const set = /^synchronous\s*=\s*(\w+)$/i.exec(source.trim());
        if (set) level = Number(pragma("synchronous", { simple: true }));
        return result;
      }) as typeof sqlite.pragma;
      sqlite.function("bg_level", () => {
        events.push(`insert at ${level}`);
        return null;
      });
      sqlite.exec("create trigger bg_level_on_insert after insert on deliveries begin select bg_level(); end");

      const write = createSqliteDeliveryWriter(db, sqlite, 3);
      expect(await write([delivery("a"), delivery("b")])).toEqual(["accepted", "accepted"]);
      expect(events).toEqual([`insert at ${FULL}`, `insert at ${FULL}`]);
      expect(Number(pragma("synchronous", { simple: true }))).toBe(NORMAL);

      // A failed batch (here: a constraint violation) also returns the level to NORMAL.
      sqlite.exec("create trigger bg_fail before insert on deliveries when new.delivery_id = 'boom' begin select raise(abort, 'boom'); end");
      // better-sqlite3's errors come from another realm under Jest's VM modules: match the message.
      const failure = await write([delivery("boom")]).then(() => undefined, (e: unknown) => e);
      expect(String((failure as Error | undefined)?.message)).toMatch(/boom/);
      expect(Number(pragma("synchronous", { simple: true }))).toBe(NORMAL);
      expect(sqlite.inTransaction).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it("records a start attempt with synchronous=FULL (a second StartBuild after a power loss needs it)", async () => {
    const sqlite = new SqliteDatabase(join(dir, "start.db"));
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      await migrate(db, "sqlite");
      const store = createStore(db, "sqlite", 3, sqlite);
      const delivery = await insertAccepted(store, "d-start");
      const { createdBuildIds } = await store.recordRouting(delivery, { status: "routed", decisions: [{ route: "ci", matched: true, reason: "m", build: newBuild("ci", "k-1") }] }, 10);
      const buildId = createdBuildIds[0] as number;

      const levels: number[] = [];
      const pragma = sqlite.pragma.bind(sqlite);
      let level = NORMAL;
      sqlite.pragma = ((source: string, options?: SqliteDatabase.PragmaOptions) => {
        const result = pragma(source, options);
        if (/^synchronous\s*=/i.test(source.trim())) level = Number(pragma("synchronous", { simple: true }));
        return result;
      }) as typeof sqlite.pragma;
      sqlite.function("bg_level", () => {
        levels.push(level);
        return null;
      });
      sqlite.exec("create trigger bg_start after update of first_start_at on builds begin select bg_level(); end");

      await store.recordStartAttempt(buildId, 1234);
      expect(levels).toEqual([FULL]);
      expect(Number(pragma("synchronous", { simple: true }))).toBe(NORMAL);
      expect((await store.getBuild(buildId))?.first_start_at).toBe(1234);
      // An ordinary build update stays at NORMAL.
      await store.updateBuild(buildId, { first_start_at: 1300 }, 20);
      expect(levels).toEqual([FULL, NORMAL]);
    } finally {
      await db.destroy();
    }
  });
});
