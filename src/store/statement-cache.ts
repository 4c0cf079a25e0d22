import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqliteDatabase } from "kysely";

/**
 * The better-sqlite3 handle as Kysely sees it, with its prepared statements kept for reuse.
 * Kysely prepares every query it runs, and preparing costs more than running most of ours (a
 * profile under load: 10 % of the server's CPU in `prepare`). The same few dozen SQL texts run
 * all the time, so the newest `max` are kept, least recently used first out. A statement still
 * being iterated (Kysely's `stream()`) is busy and cannot run twice at once: such a text gets a
 * fresh statement. SQLite re-prepares a cached statement itself when the schema changes.
 */
export function withStatementCache(db: SqliteDatabase.Database, max = 200): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Map order is insertion order: move it to the newest end.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      if (hit) return stmt;
      cache.set(sql, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}
