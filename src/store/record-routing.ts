import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import type { Dialect } from "./dialect.js";
import { insertJob } from "./job-queue.js";
import type { NewBuild, RoutingOutcome, RoutingRecord } from "./store.js";

export const START_BUILD_JOB = "start_build";

function buildValues(b: NewBuild, deliveryRowId: number, now: number) {
  return {
    dedupe_key: b.dedupeKey,
    delivery_row_id: deliveryRowId,
    route: b.route,
    provider: b.provider,
    repository: b.repository,
    event_kind: b.eventKind,
    ref: b.ref,
    sha: b.sha,
    pull_request: b.pullRequest,
    project: b.project,
    context: b.context,
    source_version: b.sourceVersion,
    env: JSON.stringify(b.env),
    state: "pending",
    created_at: now,
    updated_at: now,
  };
}

/**
 * Writes one delivery's routing inside the caller's transaction. A build whose dedupe key
 * exists already is not created again; its decision points at the existing build.
 */
export async function recordRoutingIn(trx: Kysely<Database>, dialect: Dialect, deliveryRowId: number, record: RoutingRecord, maxAttempts: number, now: number): Promise<RoutingOutcome> {
  // Two workers can run the same job (a lease expired); lock the row so only the first records it.
  // SQLite needs no lock: BEGIN IMMEDIATE already serializes writers.
  const delivery = await trx
    .selectFrom("deliveries")
    .select("status")
    .where("id", "=", deliveryRowId)
    .$if(dialect === "postgres", (q) => q.forUpdate())
    .executeTakeFirst();
  if (!delivery || delivery.status !== "received") return { recorded: false, createdBuildIds: [], duplicateBuildIds: [] };
  if (record.status === "ignored") {
    await trx.updateTable("deliveries").set({ status: "ignored", reason: record.reason, processed_at: now }).where("id", "=", deliveryRowId).execute();
    return { recorded: true, createdBuildIds: [], duplicateBuildIds: [] };
  }
  const created: number[] = [];
  const duplicates: number[] = [];
  for (const d of record.decisions) {
    let buildId: number | null = null;
    let reason = d.reason;
    if (d.build) {
      const inserted = await trx.insertInto("builds").values(buildValues(d.build, deliveryRowId, now)).onConflict((oc) => oc.column("dedupe_key").doNothing()).returning("id").executeTakeFirst();
      if (inserted) {
        buildId = Number(inserted.id);
        created.push(buildId);
        await insertJob(trx, { kind: START_BUILD_JOB, payload: { buildId } }, maxAttempts, now);
      } else {
        const existing = await trx.selectFrom("builds").select("id").where("dedupe_key", "=", d.build.dedupeKey).executeTakeFirstOrThrow();
        buildId = Number(existing.id);
        duplicates.push(buildId);
        reason = `${reason}; already built as build #${buildId} (same route, event, ref and commit)`;
      }
    }
    await trx.insertInto("route_decisions").values({ delivery_row_id: deliveryRowId, route: d.route, matched: d.matched ? 1 : 0, reason, build_id: buildId }).execute();
  }
  const matched = record.decisions.filter((d) => d.matched).length;
  const summary = `${matched} of ${record.decisions.length} routes matched; ${created.length} build(s) created${duplicates.length ? `, ${duplicates.length} already built` : ""}`;
  await trx.updateTable("deliveries").set({ status: "routed", reason: summary, processed_at: now }).where("id", "=", deliveryRowId).execute();
  return { recorded: true, createdBuildIds: created, duplicateBuildIds: duplicates };
}
