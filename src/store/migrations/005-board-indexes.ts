import type { Kysely, Migration } from "kysely";

/**
 * Indexes that let every board read stop after the rows it shows (issue #8: board p95 ≤ 50 ms at a
 * million builds). Each `(…, id)` index serves `WHERE … ORDER BY id DESC LIMIT n` as one index
 * walk: no sort, and no scan past rows of other repositories, branches or routes.
 *
 * On an existing store this builds each index over the whole table (SQLite: a few seconds per
 * index at a million builds; PostgreSQL blocks writes to the table while it builds).
 */
export function boardIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // /builds?repository=… (builds_repository_sha sorted all of a repository's builds).
      await db.schema.createIndex("builds_repository_id").on("builds").columns(["repository", "id"]).execute();
      // "Failed builds of this repository".
      await db.schema.createIndex("builds_repository_state_id").on("builds").columns(["repository", "state", "id"]).execute();
      // /builds?ref=… (else a scan of the table) and ?route=…&ref=…, badges (latestOnBranch).
      await db.schema.createIndex("builds_ref_id").on("builds").columns(["ref", "id"]).execute();
      await db.schema.createIndex("builds_route_ref_id").on("builds").columns(["route", "ref", "id"]).execute();
      // /deliveries?source=…&status=… (else a scan of every delivery of the source).
      await db.schema.createIndex("deliveries_source_status_id").on("deliveries").columns(["source", "status", "id"]).execute();
      // The dashboard walks the heads newest first to find the newest lanes. Unique (it holds the
      // primary key), so the walk can resume after any row; covering, so it never reads the table.
      await db.schema.createIndex("build_heads_recent").on("build_heads").columns(["updated_at", "repository", "lane", "route"]).execute();
      await db.schema.dropIndex("build_heads_updated").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex("build_heads_updated").on("build_heads").column("updated_at").execute();
      for (const name of ["build_heads_recent", "deliveries_source_status_id", "builds_route_ref_id", "builds_ref_id", "builds_repository_state_id", "builds_repository_id"]) {
        await db.schema.dropIndex(name).execute();
      }
    },
  };
}
