import { sql, type Kysely } from "kysely";
import { STOPPABLE_STATES } from "../domain/build-lifecycle.js";
import { ACTIVE_STATES, FAILURE_STATES, parseBuildState } from "../domain/build-state.js";
import { installationOfTrigger, REBUILD_RESET, rebuildBase, rebuildOf } from "../domain/rebuild.js";
import { asBuild } from "./build-queries.js";
import { dashboardLanes, type DashboardLane } from "./dashboard-lanes.js";
import type { Database } from "./database.js";
import type { Dialect } from "./dialect.js";
import { insertJob } from "./job-queue.js";
import { upsertHead } from "./record-routing.js";
import type { BuildRow, DeliveryRow, JobRow, StatusReportRow } from "./store.js";
import type { StoreJobs } from "./store-jobs.js";
import { transact } from "./transact.js";

export type { DashboardLane } from "./dashboard-lanes.js";

export interface BuildFilter {
  /** Compared case-insensitively (`lower(repository)`, on an index of its own: migration 008). */
  readonly repository?: string;
  readonly route?: string;
  /** A full ref, or several: builds on any of them (a lane name is a branch or a tag). */
  readonly ref?: string | readonly string[];
  /** Builds of this pull request number (the `#12` lanes); null: no pull request's builds (a branch or tag lane). */
  readonly pullRequest?: number | null;
  readonly state?: string;
  /** Keyset pagination: builds with a smaller id. */
  readonly before?: number;
  readonly limit: number;
}

export interface DeliveryFilter {
  readonly source?: string;
  readonly status?: string;
  readonly before?: number;
  readonly limit: number;
}

/** Reads and actions for the board. Every list is keyset-paginated on an index: fast at a million rows. */
export interface BoardQueries {
  listBuildsPage(f: BuildFilter): Promise<BuildRow[]>;
  listDeliveriesPage(f: DeliveryFilter): Promise<DeliveryRow[]>;
  /** The newest lanes (branches, tags, pull requests) with the latest build of each route. */
  dashboard(lanes: number): Promise<DashboardLane[]>;
  inFlight(limit: number): Promise<BuildRow[]>;
  recentFailures(limit: number): Promise<BuildRow[]>;
  statusReportsOf(buildId: number): Promise<StatusReportRow[]>;
  buildsChangedSince(updatedAfter: number, limit: number): Promise<BuildRow[]>;
  /** The newest build of a route on a branch (for badges). */
  latestOnBranch(route: string, ref: string): Promise<BuildRow | undefined>;
  deadJobs(before: number | undefined, limit: number): Promise<JobRow[]>;
  /** Requeues a dead job with fresh attempts; false when it is not dead. */
  retryDeadJob(id: number, now: number): Promise<boolean>;
  /** A new build of the same commit and route (a new dedupe key), started by a person. */
  rebuild(buildId: number, actor: string, now: number): Promise<number | undefined>;
  /** Stores the delivery again under a new id, to be routed again (e.g. after a config change). */
  replayDelivery(deliveryRowId: number, now: number): Promise<number | undefined>;
  stopBuild(buildId: number, now: number): Promise<boolean>;
}

const numberOr = (v: number | undefined) => v !== undefined && Number.isFinite(v);

/**
 * The newest `limit` builds in any of `states`: the ids from one `(state, id)` index walk per
 * state, then those rows. (`state IN (…) ORDER BY id DESC` is not an ordered walk of one index:
 * the planner sorts every matching build or scans ids newest first hoping to meet them.)
 */
async function newestInStates(db: Kysely<Database>, states: readonly string[], limit: number): Promise<BuildRow[]> {
  const perState = await Promise.all(states.map((state) => db.selectFrom("builds").select("id").where("state", "=", state).orderBy("id", "desc").limit(limit).execute()));
  const ids = perState
    .flat()
    .map((r) => Number(r.id))
    .sort((a, b) => b - a)
    .slice(0, limit);
  if (ids.length === 0) return [];
  return (await db.selectFrom("builds").selectAll().where("id", "in", ids).orderBy("id", "desc").execute()).map(asBuild);
}

// ---- Build list filters (issue 13: filters accept what the pages show) ----

/**
 * One keyset page of builds. Several refs (a lane name: the branch or the tag) are one ordered
 * index walk each, merged, like `newestInStates`: `ref IN (…) ORDER BY id DESC` is not one walk.
 */
async function listBuildsPage(db: Kysely<Database>, f: BuildFilter): Promise<BuildRow[]> {
  const refs = f.ref === undefined ? [undefined] : typeof f.ref === "string" ? [f.ref] : [...new Set(f.ref)];
  if (refs.length === 0) return [];
  const pages = await Promise.all(refs.map((ref) => buildsPageOn(db, f, ref)));
  if (pages.length === 1) return pages[0] as BuildRow[];
  return pages
    .flat()
    .sort((a, b) => b.id - a.id)
    .slice(0, f.limit);
}

function buildsPageOn(db: Kysely<Database>, f: BuildFilter, ref: string | undefined): Promise<BuildRow[]> {
  let q = db.selectFrom("builds").selectAll().orderBy("id", "desc").limit(f.limit);
  // The same expression as the indexes of migration 008, so both engines walk them.
  if (f.repository) q = q.where(sql<string>`lower(repository)`, "=", sql<string>`lower(${f.repository})`);
  if (f.route) q = q.where("route", "=", f.route);
  if (ref !== undefined) q = q.where("ref", "=", ref);
  if (f.pullRequest === null) q = q.where("pull_request", "is", null);
  else if (f.pullRequest !== undefined) q = q.where("pull_request", "=", f.pullRequest);
  if (f.state) q = q.where("state", "=", f.state);
  if (numberOr(f.before)) q = q.where("id", "<", f.before as number);
  return q.execute().then((rows) => rows.map(asBuild));
}

/** A rebuild keeps the pull request's title and author (the board's cards show them). */
function cardOf(trigger: string | null): { title?: string; author?: string } {
  try {
    const t = trigger ? (JSON.parse(trigger) as { title?: unknown; author?: unknown }) : {};
    return { ...(typeof t.title === "string" ? { title: t.title } : {}), ...(typeof t.author === "string" ? { author: t.author } : {}) };
  } catch {
    return {};
  }
}

export function createBoardQueries(db: Kysely<Database>, dialect: Dialect, jobs: StoreJobs, maxAttempts: number): BoardQueries {
  const asDelivery = (r: DeliveryRow): DeliveryRow => ({ ...r, id: Number(r.id) });
  return {
    listBuildsPage: (f) => listBuildsPage(db, f),
    async listDeliveriesPage(f) {
      let q = db.selectFrom("deliveries").selectAll().orderBy("id", "desc").limit(f.limit);
      if (f.source) q = q.where("source", "=", f.source);
      if (f.status) q = q.where("status", "=", f.status);
      if (numberOr(f.before)) q = q.where("id", "<", f.before as number);
      return (await q.execute()).map(asDelivery);
    },
    dashboard: (lanes) => dashboardLanes(db, lanes),
    inFlight: (limit) => newestInStates(db, ACTIVE_STATES, limit),
    recentFailures: (limit) => newestInStates(db, FAILURE_STATES, limit),
    async statusReportsOf(buildId) {
      return (await db.selectFrom("status_reports").selectAll().where("build_id", "=", buildId).orderBy("id").execute()).map((r) => ({ ...r, id: Number(r.id), build_id: Number(r.build_id) }));
    },
    async buildsChangedSince(updatedAfter, limit) {
      return (await db.selectFrom("builds").selectAll().where("updated_at", ">", updatedAfter).orderBy("updated_at").limit(limit).execute()).map(asBuild);
    },
    async latestOnBranch(route, ref) {
      const row = await db.selectFrom("builds").selectAll().where("route", "=", route).where("ref", "=", ref).where("pull_request", "is", null).where("state", "!=", "skipped").orderBy("id", "desc").limit(1).executeTakeFirst();
      return row && asBuild(row);
    },
    async deadJobs(before, limit) {
      let q = db.selectFrom("jobs").selectAll().where("state", "=", "dead").orderBy("id", "desc").limit(limit);
      if (numberOr(before)) q = q.where("id", "<", before as number);
      return (await q.execute()).map((j) => ({ ...j, id: Number(j.id) }));
    },
    async retryDeadJob(id, now) {
      const r = await db.updateTable("jobs").set({ state: "queued", attempts: 0, run_at: now, lease_until: null, leased_by: null, updated_at: now }).where("id", "=", id).where("state", "=", "dead").executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    rebuild: (buildId, actor, now) =>
      transact(db, dialect, async (trx) => {
        const old = await trx.selectFrom("builds").selectAll().where("id", "=", buildId).executeTakeFirst();
        if (!old) return undefined;
        const { count } = await trx
          .selectFrom("builds")
          .select(sql<number>`count(*)`.as("count"))
          .where("dedupe_key", "like", `${rebuildBase(old.dedupe_key)}%`)
          .executeTakeFirstOrThrow();
        const { id: _id, ...rest } = old;
        const installationId = installationOfTrigger(old.trigger);
        const next = rebuildOf({ id: Number(old.id), dedupeKey: old.dedupe_key, env: JSON.parse(old.env) as Record<string, string>, ...(installationId !== undefined ? { installationId } : {}) }, Number(count), actor);
        const inserted = await trx
          .insertInto("builds")
          .values({ ...rest, ...REBUILD_RESET, dedupe_key: next.dedupeKey, env: JSON.stringify(next.env), state: next.state, trigger: JSON.stringify({ ...cardOf(old.trigger), ...next.trigger }), created_at: now, updated_at: now })
          .returning("id")
          .executeTakeFirstOrThrow();
        const newId = Number(inserted.id);
        await upsertHead(trx, { repository: old.repository, route: old.route, ref: old.ref, pullRequest: old.pull_request }, newId, now);
        await insertJob(trx, jobs.startBuild(newId), maxAttempts, now);
        await insertJob(trx, jobs.reportStatus(newId), maxAttempts, now);
        return newId;
      }),
    replayDelivery: (deliveryRowId, now) =>
      transact(db, dialect, async (trx) => {
        const d = await trx.selectFrom("deliveries").selectAll().where("id", "=", deliveryRowId).executeTakeFirst();
        if (!d) return undefined;
        const { id: _id, ...rest } = d;
        const inserted = await trx
          .insertInto("deliveries")
          .values({ ...rest, delivery_id: `${d.delivery_id.replace(/#replay-\d+$/, "")}#replay-${now}`, received_at: now, status: "received", reason: null, processed_at: null })
          .returning("id")
          .executeTakeFirstOrThrow();
        const newId = Number(inserted.id);
        await insertJob(trx, jobs.processDelivery(newId), maxAttempts, now);
        return newId;
      }),
    async stopBuild(buildId, now) {
      const build = await db.selectFrom("builds").select(["state"]).where("id", "=", buildId).executeTakeFirst();
      if (!build || !STOPPABLE_STATES.includes(parseBuildState(build.state))) return false;
      await insertJob(db, jobs.requestStop(buildId), maxAttempts, now);
      return true;
    },
  };
}
