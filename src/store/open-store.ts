import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from "kysely";
import pg from "pg";
import type { Database } from "./database.js";
import { dialectOf, type Dialect } from "./dialect.js";
import { createJobQueue } from "./job-queue.js";
import { initialMigration } from "./migrations/001-initial.js";
import { trackingMigration } from "./migrations/002-tracking.js";
import { boardMigration } from "./migrations/003-board.js";
import { recoveryMigration } from "./migrations/004-recovery.js";
import { boardIndexesMigration } from "./migrations/005-board-indexes.js";
import { jobRetentionMigration } from "./migrations/006-job-retention.js";
import { boardLookupsMigration } from "./migrations/008-board-lookups.js";
import { checkRunsMigration } from "./migrations/011-check-runs.js";
import { createCheckRunRows } from "./check-run-rows.js";
import { recordRoutingIn } from "./record-routing.js";
import { createBoardQueries } from "./board-queries.js";
import { createBuildQueries } from "./build-queries.js";
import { createRecoveryQueries } from "./recovery-queries.js";
import { createSessionRows } from "./session-rows.js";
import { createSqliteDeliveryWriter, insertDeliveriesIn } from "./insert-deliveries.js";
import type { DeliveryRow, Store } from "./store.js";
import type { StoreJobs } from "./store-jobs.js";
import { fullySynced } from "./fully-synced.js";
import { withStatementCache } from "./statement-cache.js";
import { transact } from "./transact.js";


export interface StoreOptions {
  readonly url: string;
  readonly maxAttempts: number;
  /** The jobs the store enqueues in its own transactions (`STORE_JOBS` of pipeline/job-kinds.ts). */
  readonly jobs: StoreJobs;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /** A PostgreSQL connection was lost (server restart, failover, terminated backend); the pool opens a new one. */
  readonly onConnectionError?: (err: Error) => void;
}

function sqlitePath(url: string): string {
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  return path === "" ? ":memory:" : path;
}

// The better-sqlite3 handle behind a SQLite Kysely: the inbox writes through prepared statements.
const sqliteHandles = new WeakMap<Kysely<Database>, SqliteDatabase.Database>();

function createKysely(url: string, dialect: Dialect, poolSize: number, onConnectionError: (err: Error) => void = () => undefined): Kysely<Database> {
  if (dialect === "sqlite") {
    const path = sqlitePath(url);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new SqliteDatabase(path);
    db.pragma("journal_mode = WAL");
    // NORMAL for everything but the inbox: in WAL mode a commit survives a crash of the process
    // either way, and only a power loss can roll back the newest ones. The inbox's writer switches
    // to FULL for its own commit (see insert-deliveries.ts), so a delivery is fsync'd before its
    // 2xx, and that fsync of the WAL also makes every earlier commit durable.
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    // Checkpoint the WAL every 8,000 pages (32 MB) rather than 1,000: pages written again and
    // again (the jobs table and its indexes) are copied to the database once per checkpoint, and
    // each checkpoint stalls the commit that runs it.
    db.pragma("wal_autocheckpoint = 8000");
    db.pragma("foreign_keys = ON");
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
    sqliteHandles.set(kysely, db);
    return kysely;
  }
  const int8 = 20;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: { getTypeParser: (oid: number, format?: string) => (oid === int8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) },
  });
  // A connection the server drops emits 'error' on its client (idle or checked out) and then on
  // the pool; unhandled, either kills the process. pg discards such clients and the next query
  // connects again, so a restarted or failed-over server costs only the queries in flight.
  pool.on("connect", (client) => client.on("error", onConnectionError));
  pool.on("error", () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return { "001-initial": initialMigration(dialect), "002-tracking": trackingMigration(dialect), "003-board": boardMigration(dialect), "004-recovery": recoveryMigration(dialect), "005-board-indexes": boardIndexesMigration(), "006-job-retention": jobRetentionMigration(), "008-board-lookups": boardLookupsMigration(), "011-check-runs": checkRunsMigration(dialect) };
}

/** Brings the schema up to date; returns the names of the migrations applied now. */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  // Unless told a schema, Kysely's Migrator finds its tables in *any* schema, so a database that
  // already holds them elsewhere (another app, another buildgate schema) fails to migrate.
  const migrationTableSchema = dialect === "postgres" ? await currentSchema(db) : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor(dialect) }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  // Kysely's migrator introspects every schema of the database; one dropped by someone else
  // meanwhile (another application, a parallel test) fails that look with 3F000: look again.
  const run = () => migrator.migrateToLatest().catch((error: unknown) => ({ error, results: undefined }));
  let outcome = await run();
  for (let attempt = 1; attempt < 5 && outcome.error && (outcome.error as { code?: string }).code === "3F000"; attempt++) {
    await new Promise((r) => setTimeout(r, 50 * attempt));
    outcome = await run();
  }
  const { error, results } = outcome;
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
  const db = createKysely(options.url, dialect, options.poolSize ?? 10, options.onConnectionError);
  try {
    await migrateRetrying(db, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createStore(db, dialect, options.jobs, options.maxAttempts);
}

/**
 * Kysely's Migrator looks for its tables with a catalog query over every schema of the database
 * (pg_get_serial_sequence per column); when another client drops a schema or table meanwhile,
 * it fails with "schema … does not exist". That is the other client's business: try again.
 */
async function migrateRetrying(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrate(db, dialect);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const catalogRace = code === "3F000" || code === "42P01"; // invalid_schema_name, undefined_table
      if (dialect !== "postgres" || !catalogRace || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** The store on `db`; `sqlite` is the better-sqlite3 handle behind a SQLite `db` (found by itself for one opened here). */
export function createStore(db: Kysely<Database>, dialect: Dialect, jobs: StoreJobs, maxAttempts: number, sqlite = sqliteHandles.get(db)): Store {
  const insertSqlite = sqlite && createSqliteDeliveryWriter(db, sqlite, jobs, maxAttempts);
  return {
    dialect,
    jobs: createJobQueue(db, dialect, maxAttempts),
    async insertDeliveries(rows) {
      if (insertSqlite) return insertSqlite(rows);
      return transact(db, dialect, (trx) => insertDeliveriesIn(trx, rows, jobs, maxAttempts));
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
    async recordStartAttempt(buildId, at) {
      const write = (k: Kysely<Database>) => k.updateTable("builds").set({ first_start_at: at, updated_at: at }).where("id", "=", buildId).execute();
      // As the inbox does: this one commit waits for the disk (and so do all before it).
      await (sqlite ? fullySynced(db, sqlite, write) : write(db));
    },
    recordRouting: (deliveryRowId, record, now) => transact(db, dialect, (trx) => recordRoutingIn(trx, dialect, deliveryRowId, record, jobs, maxAttempts, now)),
    async listDecisions(deliveryRowId) {
      const rows = await db.selectFrom("route_decisions").selectAll().where("delivery_row_id", "=", deliveryRowId).orderBy("id").execute();
      return rows.map((r) => ({ ...r, id: Number(r.id), delivery_row_id: Number(r.delivery_row_id), build_id: r.build_id === null ? null : Number(r.build_id) }));
    },
    ...createBuildQueries(db, dialect, maxAttempts),
    ...createBoardQueries(db, dialect, jobs, maxAttempts),
    ...createSessionRows(db),
    ...createCheckRunRows(db),
    ...createRecoveryQueries(db, jobs.startBuildKind),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async schemaIsCurrent() {
      let applied: Set<string>;
      try {
        // Kysely's migration table, in the schema `migrate` used (the current one on PostgreSQL).
        const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
        applied = new Set(rows.map((r) => r.name));
      } catch {
        // An unreachable store throws here; a reachable one lacks the migration table.
        await sql`select 1`.execute(db);
        return false;
      }
      return Object.keys(migrationsFor(dialect)).every((name) => applied.has(name));
    },
    close: () => db.destroy(),
  };
}
