import { sql, type Kysely, type Selectable } from "kysely";
import { IN_FLIGHT_STATES, parseBuildState, type BuildState } from "../domain/build-state.js";
import type { BuildsTable, Database } from "./database.js";
import type { Dialect } from "./dialect.js";
import { insertJob } from "./job-queue.js";
import type { BuildPatch, BuildRow, Store } from "./store.js";
import { transact } from "./transact.js";

const numOrNull = (v: number | null) => (v === null ? null : Number(v));

/**
 * A stored row as the rest of the code sees it: its state parsed (an unknown one throws), and
 * numbers kept numbers (pg may hand back bigint columns as strings without the type parser).
 */
export const asBuild = (r: Selectable<BuildsTable>): BuildRow => ({ ...r, state: parseBuildState(r.state), id: Number(r.id), delivery_row_id: Number(r.delivery_row_id), superseded_by: numOrNull(r.superseded_by) });

/** The compare-and-set of a build: writes `patch` only while the build is in one of `expected`; true when it did. */
export async function updateBuildIn(k: Kysely<Database>, id: number, expected: readonly BuildState[], patch: BuildPatch, now: number): Promise<boolean> {
  if (expected.length === 0) throw new Error(`build ${id}: an update must expect at least one state`);
  const r = await k.updateTable("builds").set({ ...patch, updated_at: now }).where("id", "=", id).where("state", "in", [...expected]).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

type BuildQueries = Pick<
  Store,
  | "getBuild"
  | "listBuilds"
  | "updateBuild"
  | "listInFlightBuilds"
  | "findBuildByExternalId"
  | "latestBuildForTarget"
  | "listBuildsForCommit"
  | "getStatusReport"
  | "saveStatusReport"
  | "countBuildsByState"
>;

export function createBuildQueries(db: Kysely<Database>, dialect: Dialect, maxAttempts: number): BuildQueries {
  return {
    async getBuild(id) {
      const row = await db.selectFrom("builds").selectAll().where("id", "=", id).executeTakeFirst();
      return row && asBuild(row);
    },
    async listBuilds({ deliveryRowId, limit = 100 }) {
      let q = db.selectFrom("builds").selectAll().orderBy("id", "desc").limit(limit);
      if (deliveryRowId !== undefined) q = q.where("delivery_row_id", "=", deliveryRowId);
      return (await q.execute()).map(asBuild);
    },
    async updateBuild(id, expected, patch, now, followUps = []) {
      const write = async (trx: Kysely<Database>) => {
        const applied = await updateBuildIn(trx, id, expected, patch, now);
        if (applied) for (const job of followUps) await insertJob(trx, job, maxAttempts, now);
        return applied;
      };
      return followUps.length === 0 ? write(db) : transact(db, dialect, write);
    },
    async listInFlightBuilds(limit) {
      const rows = await db
        .selectFrom("builds")
        .selectAll()
        .where("state", "in", [...IN_FLIGHT_STATES])
        .where("external_id", "is not", null)
        // Never polled is the oldest poll; PostgreSQL would sort NULLs last by default, SQLite first.
        .orderBy("polled_at", (ob) => ob.asc().nullsFirst())
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map(asBuild);
    },
    async findBuildByExternalId(externalId) {
      const row = await db.selectFrom("builds").selectAll().where("external_id", "=", externalId).executeTakeFirst();
      return row && asBuild(row);
    },
    async latestBuildForTarget(repository, sha, context) {
      const row = await db.selectFrom("builds").selectAll().where("repository", "=", repository).where("sha", "=", sha).where("context", "=", context).orderBy("id", "desc").limit(1).executeTakeFirst();
      return row && asBuild(row);
    },
    async listBuildsForCommit(repository, sha) {
      return (await db.selectFrom("builds").selectAll().where("repository", "=", repository).where("sha", "=", sha).orderBy("id").execute()).map(asBuild);
    },
    async getStatusReport(target) {
      const row = await db.selectFrom("status_reports").selectAll().where("target", "=", target).executeTakeFirst();
      return row && { ...row, id: Number(row.id), build_id: Number(row.build_id) };
    },
    async countBuildsByState() {
      const rows = await db.selectFrom("builds").select(["state", sql<number>`count(*)`.as("n")]).groupBy("state").execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
    async saveStatusReport(row) {
      await db
        .insertInto("status_reports")
        .values(row)
        .onConflict((oc) => oc.column("target").doUpdateSet({ build_id: row.build_id, state: row.state, description: row.description, target_url: row.target_url, reported_at: row.reported_at, posts: row.posts, error: row.error }))
        .execute();
    },
  };
}
