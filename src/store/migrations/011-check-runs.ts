import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/**
 * GitHub check runs: the run each build reports to (one per build; a rebuild is a new build and
 * a new run) and how many of its annotations were sent, so a retried report continues the same
 * run instead of creating a second one.
 */
export function checkRunsMigration(dialect: Dialect): Migration {
  const big = dialect === "postgres" ? "bigint" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("check_runs")
        .addColumn("build_id", big, (c) => c.primaryKey())
        .addColumn("check_run_id", big, (c) => c.notNull())
        .addColumn("annotations_sent", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", big, (c) => c.notNull())
        .addColumn("updated_at", big, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("check_runs").execute();
    },
  };
}
