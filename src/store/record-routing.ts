import type { Kysely } from "kysely";
import { allowedFrom, bornAs } from "../domain/build-lifecycle.js";
import { ACTIVE_STATES, parseBuildState } from "../domain/build-state.js";
import { updateBuildIn } from "./build-queries.js";
import { routingSummary } from "./delivery-outcome.js";
import type { Database } from "./database.js";
import type { Dialect } from "./dialect.js";
import { insertJob } from "./job-queue.js";
import type { NewBuild, NewJob, RoutingOutcome, RoutingRecord } from "./store.js";
import type { StoreJobs } from "./store-jobs.js";

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
    state: b.skipped ? bornAs("skip", "skipped") : bornAs("route", "pending"),
    supersede_key: b.supersedeKey,
    event_at: b.eventAt,
    head_ref: b.headRef,
    trigger: JSON.stringify(b.trigger),
    phases: "[]",
    created_at: now,
    updated_at: now,
  };
}

/** Keeps build_heads pointing at the newest build of each lane, so the dashboard reads a small table. */
export async function upsertHead(trx: Kysely<Database>, b: Pick<NewBuild, "repository" | "route" | "ref" | "pullRequest">, buildId: number, now: number): Promise<void> {
  const lane = b.pullRequest !== null ? `pr#${b.pullRequest}` : b.ref;
  await trx
    .insertInto("build_heads")
    .values({ repository: b.repository, lane, route: b.route, build_id: buildId, updated_at: now })
    .onConflict((oc) => oc.columns(["repository", "lane", "route"]).doUpdateSet({ build_id: buildId, updated_at: now }))
    .execute();
}

type Enqueue = (job: NewJob) => Promise<unknown>;

/**
 * A new build supersedes the older active builds of its group; a build for an older event than
 * one already in the group (a late delivery) is born superseded and never starts.
 * Returns true when the new build should start.
 */
async function supersede(trx: Kysely<Database>, b: NewBuild, buildId: number, now: number, enqueue: Enqueue, jobs: StoreJobs): Promise<boolean> {
  if (!b.supersedeKey) return true;
  const rows = await trx.selectFrom("builds").select(["id", "state", "event_at"]).where("supersede_key", "=", b.supersedeKey).where("id", "!=", buildId).execute();
  const group = rows.map((g) => ({ ...g, state: parseBuildState(g.state) }));
  const newer = group.filter((g) => b.eventAt !== null && g.event_at !== null && Number(g.event_at) > b.eventAt).sort((x, y) => Number(y.event_at) - Number(x.event_at))[0];
  if (newer) {
    await updateBuildIn(trx, buildId, allowedFrom("born_late", "stopped"), { state: "stopped", superseded_by: Number(newer.id), error: "a newer event of this pull request or branch arrived first" }, now);
    return false;
  }
  for (const old of group.filter((g) => ACTIVE_STATES.includes(g.state))) {
    const oldId = Number(old.id);
    // Compare-and-set: on PostgreSQL the tracker may have finished it since the read above.
    // A pending build is stopped; one in flight is only marked (it keeps its state) and the stop job stops it.
    const stop = old.state === "pending";
    const patch = stop ? { state: "stopped" as const, superseded_by: buildId } : { superseded_by: buildId };
    if (await updateBuildIn(trx, oldId, allowedFrom("supersede", stop ? "stopped" : old.state), patch, now)) await enqueue(stop ? jobs.reportStatus(oldId) : jobs.stopBuild(oldId));
  }
  return true;
}

/**
 * Writes one delivery's routing inside the caller's transaction. A build whose dedupe key
 * exists already is not created again; its decision points at the existing build.
 */
export async function recordRoutingIn(trx: Kysely<Database>, dialect: Dialect, deliveryRowId: number, record: RoutingRecord, jobs: StoreJobs, maxAttempts: number, now: number): Promise<RoutingOutcome> {
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
    for (const job of record.jobs ?? []) await insertJob(trx, job, maxAttempts, now);
    return { recorded: true, createdBuildIds: [], duplicateBuildIds: [] };
  }
  const enqueue: Enqueue = (job) => insertJob(trx, job, maxAttempts, now);
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
        // A newer commit supersedes older builds of the group even when this route skips it.
        const current = await supersede(trx, d.build, buildId, now, enqueue, jobs);
        if (current) await upsertHead(trx, d.build, buildId, now);
        if (current && !d.build.skipped) await enqueue(jobs.startBuild(buildId));
        else if (!current) reason = `${reason}; superseded before it started (a newer event arrived first)`;
        await enqueue(jobs.reportStatus(buildId));
      } else {
        const existing = await trx.selectFrom("builds").select("id").where("dedupe_key", "=", d.build.dedupeKey).executeTakeFirstOrThrow();
        buildId = Number(existing.id);
        duplicates.push(buildId);
        reason = `${reason}; already built as build #${buildId} (same route, event, ref and commit)`;
      }
    }
    await trx.insertInto("route_decisions").values({ delivery_row_id: deliveryRowId, route: d.route, matched: d.matched ? 1 : 0, reason, build_id: buildId }).execute();
  }
  for (const job of record.jobs ?? []) await enqueue(job);
  const matched = record.decisions.filter((d) => d.matched).length;
  const summary = routingSummary(matched, record.decisions.length, created.length, duplicates.length);
  await trx.updateTable("deliveries").set({ status: "routed", reason: summary, processed_at: now }).where("id", "=", deliveryRowId).execute();
  return { recorded: true, createdBuildIds: created, duplicateBuildIds: duplicates };
}
