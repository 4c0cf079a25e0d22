import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { withStatementCache } from "../../../src/store/statement-cache.js";

describe("withStatementCache (SQLite prepared statements reused by Kysely)", () => {
  let raw: SqliteDatabase.Database;
  let prepared: string[];
  beforeEach(() => {
    raw = new SqliteDatabase(":memory:");
    raw.exec("create table t (id integer primary key, v text)");
    prepared = [];
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((source: string) => {
      prepared.push(source);
      return prepare(source);
    }) as typeof raw.prepare;
  });
  afterEach(() => {
    if (raw.open) raw.close();
  });

  it("prepares a SQL text once and runs it again with new parameters", async () => {
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    for (let i = 1; i <= 5; i++) await db.insertInto("t").values({ id: i, v: `v${i}` }).execute();
    const rows = await Promise.all([1, 3, 5].map((id) => db.selectFrom("t").select("v").where("id", "=", id).executeTakeFirstOrThrow()));
    expect(rows.map((r) => r.v)).toEqual(["v1", "v3", "v5"]);
    expect(prepared.filter((s) => s.startsWith("insert"))).toHaveLength(1);
    expect(prepared.filter((s) => s.startsWith("select"))).toHaveLength(1);
    await db.destroy();
    expect(raw.open).toBe(false);
  });

  it("keeps a statement usable after it failed", async () => {
    const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    await db.insertInto("t").values({ id: 1, v: "a" }).execute();
    // better-sqlite3's errors come from another realm under Jest's VM modules: match the message.
    const failure = await db.insertInto("t").values({ id: 1, v: "b" }).execute().then(() => undefined, (e: unknown) => e);
    expect(String((failure as Error | undefined)?.message)).toMatch(/UNIQUE/);
    await db.insertInto("t").values({ id: 2, v: "c" }).execute();
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0]?.n).toBe(2);
  });

  it("evicts the least recently used text beyond its bound", () => {
    const cache = withStatementCache(raw, 2);
    const a = cache.prepare("select 1");
    cache.prepare("select 2");
    expect(cache.prepare("select 1")).toBe(a); // now the newest
    cache.prepare("select 3"); // evicts "select 2"
    expect(cache.prepare("select 1")).toBe(a);
    const before = prepared.length;
    cache.prepare("select 2");
    expect(prepared.length).toBe(before + 1);
  });

  it("gives a fresh statement while the cached one is still being iterated", () => {
    raw.exec("insert into t values (1, 'a'), (2, 'b')");
    const cache = withStatementCache(raw);
    const first = cache.prepare("select v from t order by id");
    const it = first.iterate([]);
    it.next();
    const second = cache.prepare("select v from t order by id");
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ v: "a" }, { v: "b" }]);
    it.return?.();
    expect(cache.prepare("select v from t order by id")).toBe(first);
  });
});
