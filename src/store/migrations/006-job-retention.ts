import type { Kysely, Migration } from "kysely";

/**
 * Job retention: finished jobs are deleted oldest first by when they finished (`pruneFinished`);
 * without this index that look reads every finished job.
 */
export function jobRetentionMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex("jobs_state_updated").on("jobs").columns(["state", "updated_at"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("jobs_state_updated").execute();
    },
  };
}
