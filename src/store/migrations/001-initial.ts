import type { CreateTableBuilder, Kysely, Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/** The first schema: inbox, jobs, builds, route decisions. Portable between SQLite and PostgreSQL. */
export function initialMigration(dialect: Dialect): Migration {
  const time = dialect === "postgres" ? "bigint" : "integer";
  const id = <T extends string>(t: CreateTableBuilder<T, never>) =>
    dialect === "postgres" ? t.addColumn("id", "bigserial", (c) => c.primaryKey()) : t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>) {
      await id(db.schema.createTable("deliveries"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("delivery_id", "text", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("received_at", time, (c) => c.notNull())
        .addColumn("headers", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("body_sha256", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("processed_at", time)
        .addUniqueConstraint("deliveries_source_delivery_id", ["source", "delivery_id"])
        .execute();
      await db.schema.createIndex("deliveries_received_at").on("deliveries").column("received_at").execute();
      await db.schema.createIndex("deliveries_delivery_id").on("deliveries").column("delivery_id").execute();

      await id(db.schema.createTable("jobs"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("max_attempts", "integer", (c) => c.notNull())
        .addColumn("run_at", time, (c) => c.notNull())
        .addColumn("lease_until", time)
        .addColumn("leased_by", "text")
        .addColumn("last_error", "text")
        .addColumn("created_at", time, (c) => c.notNull())
        .addColumn("updated_at", time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("jobs_state_run_at").on("jobs").columns(["state", "run_at"]).execute();
      await db.schema.createIndex("jobs_state_lease").on("jobs").columns(["state", "lease_until"]).execute();

      await id(db.schema.createTable("builds"))
        .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
        .addColumn("delivery_row_id", time, (c) => c.notNull().references("deliveries.id"))
        .addColumn("route", "text", (c) => c.notNull())
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("event_kind", "text", (c) => c.notNull())
        .addColumn("ref", "text", (c) => c.notNull())
        .addColumn("sha", "text", (c) => c.notNull())
        .addColumn("pull_request", "integer")
        .addColumn("project", "text", (c) => c.notNull())
        .addColumn("context", "text", (c) => c.notNull())
        .addColumn("source_version", "text", (c) => c.notNull())
        .addColumn("env", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("external_id", "text")
        .addColumn("logs_url", "text")
        .addColumn("error", "text")
        .addColumn("created_at", time, (c) => c.notNull())
        .addColumn("updated_at", time, (c) => c.notNull())
        .addColumn("started_at", time)
        .execute();
      await db.schema.createIndex("builds_repository_ref").on("builds").columns(["repository", "ref", "id"]).execute();
      await db.schema.createIndex("builds_state").on("builds").columns(["state", "id"]).execute();

      await id(db.schema.createTable("route_decisions"))
        .addColumn("delivery_row_id", time, (c) => c.notNull().references("deliveries.id"))
        .addColumn("route", "text", (c) => c.notNull())
        .addColumn("matched", "integer", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("build_id", time)
        .execute();
      await db.schema.createIndex("route_decisions_delivery").on("route_decisions").column("delivery_row_id").execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ["route_decisions", "builds", "jobs", "deliveries"]) await db.schema.dropTable(t).execute();
    },
  };
}
