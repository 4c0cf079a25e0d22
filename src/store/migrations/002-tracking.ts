import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/** Build tracking, status reports, supersede groups and job dedupe keys. */
export function trackingMigration(dialect: Dialect): Migration {
  const time = dialect === "postgres" ? "bigint" : "integer";
  const id = dialect === "postgres" ? "bigserial" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      const builds: Array<[string, "text" | "integer" | "bigint"]> = [
        ["external_status", "text"],
        ["current_phase", "text"],
        ["phases", "text"],
        ["ended_at", time],
        ["resolved_sha", "text"],
        ["polled_at", time],
        ["superseded_by", time],
        ["supersede_key", "text"],
        ["event_at", time],
        ["head_ref", "text"],
        ["trigger", "text"],
      ];
      for (const [name, type] of builds) await db.schema.alterTable("builds").addColumn(name, type).execute();
      await db.schema.createIndex("builds_supersede_key").on("builds").columns(["supersede_key", "id"]).execute();
      await db.schema.createIndex("builds_repository_sha").on("builds").columns(["repository", "sha"]).execute();
      await db.schema.createIndex("builds_external_id").on("builds").column("external_id").execute();

      await db.schema.alterTable("jobs").addColumn("dedupe_key", "text").execute();
      await db.schema.createIndex("jobs_dedupe_key").on("jobs").columns(["dedupe_key", "state"]).execute();

      let reports = db.schema.createTable("status_reports");
      reports = dialect === "postgres" ? reports.addColumn("id", id, (c) => c.primaryKey()) : reports.addColumn("id", id, (c) => c.primaryKey().autoIncrement());
      await reports
        .addColumn("target", "text", (c) => c.notNull().unique())
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("build_id", time, (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("target_url", "text")
        .addColumn("reported_at", time)
        .addColumn("posts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("status_reports_build").on("status_reports").column("build_id").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("status_reports").execute();
    },
  };
}
