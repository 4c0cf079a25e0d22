import { sql, type Kysely, type Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/**
 * The board: sessions, the latest build per lane (so the dashboard never scans all builds),
 * and indexes for keyset pagination and live updates.
 */
export function boardMigration(dialect: Dialect): Migration {
  const time = dialect === "postgres" ? "bigint" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("sessions")
        .addColumn("sid", "text", (c) => c.primaryKey())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("expires_at", time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();

      // One row per (repository, lane, route): lane is the branch/tag ref or `pr#N`.
      await db.schema
        .createTable("build_heads")
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("lane", "text", (c) => c.notNull())
        .addColumn("route", "text", (c) => c.notNull())
        .addColumn("build_id", time, (c) => c.notNull())
        .addColumn("updated_at", time, (c) => c.notNull())
        .addPrimaryKeyConstraint("build_heads_pk", ["repository", "lane", "route"])
        .execute();
      await db.schema.createIndex("build_heads_updated").on("build_heads").column("updated_at").execute();
      await sql`insert into build_heads (repository, lane, route, build_id, updated_at)
        select repository, case when pull_request is null then ref else 'pr#' || pull_request end as lane, route, max(id), max(updated_at)
        from builds group by repository, case when pull_request is null then ref else 'pr#' || pull_request end, route`.execute(db);

      await db.schema.createIndex("builds_route_id").on("builds").columns(["route", "id"]).execute();
      await db.schema.createIndex("builds_updated_at").on("builds").column("updated_at").execute();
      await db.schema.createIndex("deliveries_status_id").on("deliveries").columns(["status", "id"]).execute();
      await db.schema.createIndex("deliveries_source_id").on("deliveries").columns(["source", "id"]).execute();
      await db.schema.createIndex("jobs_state_id").on("jobs").columns(["state", "id"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("build_heads").execute();
      await db.schema.dropTable("sessions").execute();
    },
  };
}
