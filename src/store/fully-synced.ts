import type SqliteDatabase from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/**
 * Runs `write` on SQLite's one connection with `synchronous=FULL`: its commit waits for the disk,
 * and that fsync of the WAL makes every commit before it durable too. The store otherwise runs
 * with `NORMAL` (open-store.ts); the inbox's batch and the start attempt before StartBuild must
 * survive a power loss. SQLite refuses to change the level inside a transaction: only a failed
 * rollback can leave one open on the connection held here, and this write must not join it.
 */
export function fullySynced<T>(db: Kysely<Database>, sqlite: SqliteDatabase.Database, write: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    if (sqlite.inTransaction) sqlite.exec("rollback");
    sqlite.pragma("synchronous = FULL");
    try {
      return await write(conn);
    } finally {
      sqlite.pragma("synchronous = NORMAL");
    }
  });
}
