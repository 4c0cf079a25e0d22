import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/** The GitHub check run a build reports to. */
export interface CheckRunRow {
  readonly buildId: number;
  readonly checkRunId: number;
  /** How many annotations were appended to it so far. */
  readonly annotationsSent: number;
}

/** Check runs by build: written once the run exists on GitHub, read before every report of the build. */
export interface CheckRunRows {
  getCheckRun(buildId: number): Promise<CheckRunRow | undefined>;
  /** Records the build's run (the first id recorded stays: a second create can never replace it). */
  saveCheckRun(buildId: number, checkRunId: number, now: number): Promise<void>;
  saveAnnotationsSent(buildId: number, annotationsSent: number, now: number): Promise<void>;
}

export function createCheckRunRows(db: Kysely<Database>): CheckRunRows {
  return {
    async getCheckRun(buildId) {
      const row = await db.selectFrom("check_runs").selectAll().where("build_id", "=", buildId).executeTakeFirst();
      return row && { buildId: Number(row.build_id), checkRunId: Number(row.check_run_id), annotationsSent: Number(row.annotations_sent) };
    },
    async saveCheckRun(buildId, checkRunId, now) {
      await db
        .insertInto("check_runs")
        .values({ build_id: buildId, check_run_id: checkRunId, annotations_sent: 0, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column("build_id").doNothing())
        .execute();
    },
    async saveAnnotationsSent(buildId, annotationsSent, now) {
      await db.updateTable("check_runs").set({ annotations_sent: annotationsSent, updated_at: now }).where("build_id", "=", buildId).execute();
    },
  };
}
