import { sql, type Kysely } from "kysely";
import type { Database } from "./database.js";
import type { Dialect } from "./dialect.js";

/**
 * Runs `fn` in one transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that
 * later upgrades to a write lock fails with SQLITE_BUSY at once, whatever the busy timeout.
 */
export async function transact<T>(db: Kysely<Database>, dialect: Dialect, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (dialect === "postgres") return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
