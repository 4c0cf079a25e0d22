import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from "kysely";
import pg from "pg";
import type { Database } from "./database.js";
import { dialectOf, type Dialect } from "./dialect.js";
import { JOB } from "./job-kinds.js";
import { createJobQueue, insertJob } from "./job-queue.js";
import { initialMigration } from "./migrations/001-initial.js";
import { trackingMigration } from "./migrations/002-tracking.js";
import { boardMigration } from "./migrations/003-board.js";
import { recordRoutingIn } from "./record-routing.js";
import { createBoardQueries } from "./board-queries.js";
import { createBuildQueries } from "./build-queries.js";
import { createSessionRows } from "./session-rows.js";
import { createSqliteDeliveryWriter } from "./sqlite-deliveries.js";
import type { DeliveryRow, InsertOutcome, Store } from "./store.js";
import { transact } from "./transact.js";


export interface StoreOptions {
  readonly url: string;
  readonly maxAttempts: number;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
}

function sqlitePath(url: string): string {
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  return path === "" ? ":memory:" : path;
}

// The better-sqlite3 handle behind a SQLite Kysely: the inbox writes through prepared statements.
const sqliteHandles = new WeakMap<Kysely<Database>, SqliteDatabase.Database>();

function createKysely(url: string, dialect: Dialect, poolSize: number): Kysely<Database> {
  if (dialect === "sqlite") {
    const path = sqlitePath(url);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new SqliteDatabase(path);
    db.pragma("journal_mode = WAL");
    // FULL: the inbox commit is fsync'd before a 2xx goes out.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
    sqliteHandles.set(kysely, db);
    return kysely;
  }
  const int8 = 20;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: { getTypeParser: (oid: number, format?: string) => (oid === int8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) },
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return { "001-initial": initialMigration(dialect), "002-tracking": trackingMigration(dialect), "003-board": boardMigration(dialect) };
}

/** Brings the schema up to date; returns the names of the migrations applied now. */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  // Unless told a schema, Kysely's Migrator finds its tables in *any* schema, so a database that
  // already holds them elsewhere (another app, another buildgate schema) fails to migrate.
  const migrationTableSchema = dialect === "postgres" ? await currentSchema(db) : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor(dialect) }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

const asDelivery = (r: DeliveryRow): DeliveryRow => ({ ...r, id: Number(r.id) });

/** Opens the store named by `url` (sqlite:PATH or postgres://…) and migrates it. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const dialect = dialectOf(options.url);
  const db = createKysely(options.url, dialect, options.poolSize ?? 10);
  try {
    await migrate(db, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createStore(db, dialect, options.maxAttempts);
}

export function createStore(db: Kysely<Database>, dialect: Dialect, maxAttempts: number): Store {
  const sqlite = sqliteHandles.get(db);
  const insertSqlite = sqlite && createSqliteDeliveryWriter(db, sqlite, maxAttempts);
  return {
    dialect,
    jobs: createJobQueue(db, dialect, maxAttempts),
    async insertDeliveries(rows) {
      if (insertSqlite) return insertSqlite(rows);
      return transact(db, dialect, async (trx) => {
        const outcomes: InsertOutcome[] = [];
        for (const d of rows) {
          const inserted = await trx
            .insertInto("deliveries")
            .values({
              source: d.source,
              delivery_id: d.deliveryId,
              event: d.event,
              received_at: d.receivedAt,
              headers: JSON.stringify(d.headers),
              body: d.body,
              body_sha256: d.bodySha256,
              status: d.ignoredReason === undefined ? "received" : "ignored",
              reason: d.ignoredReason ?? null,
              processed_at: d.ignoredReason === undefined ? null : d.receivedAt,
            })
            .onConflict((oc) => oc.columns(["source", "delivery_id"]).doNothing())
            .returning("id")
            .executeTakeFirst();
          if (inserted && d.ignoredReason === undefined) {
            await insertJob(trx, { kind: JOB.processDelivery, payload: { deliveryRowId: Number(inserted.id) } }, maxAttempts, d.receivedAt);
          }
          outcomes.push(inserted ? "accepted" : "duplicate");
        }
        return outcomes;
      });
    },
    async getDelivery(id) {
      const row = await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
      return row && asDelivery(row);
    },
    async findDeliveries(deliveryId) {
      return (await db.selectFrom("deliveries").selectAll().where("delivery_id", "=", deliveryId).orderBy("id").execute()).map(asDelivery);
    },
    async markDeliveryFailed(id, reason, now) {
      await db.updateTable("deliveries").set({ status: "failed", reason, processed_at: now }).where("id", "=", id).where("status", "=", "received").execute();
    },
    recordRouting: (deliveryRowId, record, now) => transact(db, dialect, (trx) => recordRoutingIn(trx, dialect, deliveryRowId, record, maxAttempts, now)),
    async listDecisions(deliveryRowId) {
      const rows = await db.selectFrom("route_decisions").selectAll().where("delivery_row_id", "=", deliveryRowId).orderBy("id").execute();
      return rows.map((r) => ({ ...r, id: Number(r.id), delivery_row_id: Number(r.delivery_row_id), build_id: r.build_id === null ? null : Number(r.build_id) }));
    },
    ...createBuildQueries(db, dialect, maxAttempts),
    ...createBoardQueries(db, dialect, maxAttempts),
    ...createSessionRows(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
