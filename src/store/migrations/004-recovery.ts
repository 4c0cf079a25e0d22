import type { Kysely, Migration } from "kysely";
import type { Dialect } from "../dialect.js";

/**
 * Recovery: when a build's first start attempt began (so a start retried after CodeBuild's
 * 5-minute idempotency window looks for the build an earlier attempt started, instead of starting
 * a second one).
 */
export function recoveryMigration(dialect: Dialect): Migration {
  const time = dialect === "postgres" ? "bigint" : "integer";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("builds").addColumn("first_start_at", time).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("builds").dropColumn("first_start_at").execute();
    },
  };
}
