import { sql, type Kysely } from "kysely";
import { FINAL_STATES, IN_FLIGHT_STATES } from "../domain/build-state.js";
import { chunk } from "../domain/snapshot-patch.js";
import { IN_PROGRESS_REPORT_STATES } from "../domain/stuck-builds.js";
import { asBuild } from "./build-queries.js";
import type { Database } from "./database.js";
import type { BuildRow } from "./store.js";

/** A build the stuck-build sweep should look at, with what it needs to decide. */
export interface SweepCandidate {
  readonly build: BuildRow;
  /** A start_build job for it is queued or running (pending builds only; false otherwise). */
  readonly startJobAlive: boolean;
  /** The state recorded for its status target (final builds only; null otherwise). */
  readonly reportState: string | null;
}

/** Which builds the sweep reads: coarse, index-friendly bounds; the domain decides per build. */
export interface SweepWindow {
  /** Pending builds not updated since before this. */
  readonly pendingBefore: number;
  /** In-flight builds not polled (or started, or updated) since before this… */
  readonly silentBefore: number;
  /** …or started before this. */
  readonly stuckBefore: number;
  /** Finished builds updated in [finalAfter, finalBefore) whose status target still says in progress. */
  readonly finalAfter: number;
  readonly finalBefore: number;
  /** At most this many builds of each kind. */
  readonly limit: number;
}

export interface RecoveryQueries {
  /** Records that these builds were just polled (polled_at only: updated_at stays, nothing changed). */
  markPolled(buildIds: readonly number[], now: number): Promise<void>;
  /** Pending, in-flight and finished builds the stuck-build sweep should decide about, oldest first. */
  listSweepCandidates(window: SweepWindow): Promise<SweepCandidate[]>;
  /** Which of these delivery ids of `source` are in the inbox. */
  knownDeliveryIds(source: string, deliveryIds: readonly string[]): Promise<Set<string>>;
}

// Large IN lists are split: SQLite allows 32,766 parameters, PostgreSQL 65,535; stay far below.
const IN_LIST = 500;

/** `startBuildKind`: the kind of start jobs (job kinds belong to pipeline/). */
export function createRecoveryQueries(db: Kysely<Database>, startBuildKind: string): RecoveryQueries {
  async function pending(w: SweepWindow): Promise<SweepCandidate[]> {
    const rows = (await db.selectFrom("builds").selectAll().where("state", "=", "pending").where("updated_at", "<", w.pendingBefore).orderBy("id").limit(w.limit).execute()).map(asBuild);
    if (rows.length === 0) return [];
    // Start jobs carry `{"buildId":N}` exactly as JSON.stringify wrote it.
    const payloads = rows.map((b) => JSON.stringify({ buildId: b.id }));
    const alive = new Set<string>();
    for (const part of chunk(payloads, IN_LIST)) {
      const jobs = await db.selectFrom("jobs").select("payload").where("kind", "=", startBuildKind).where("state", "in", ["queued", "running"]).where("payload", "in", part).execute();
      for (const j of jobs) alive.add(j.payload);
    }
    return rows.map((build) => ({ build, startJobAlive: alive.has(JSON.stringify({ buildId: build.id })), reportState: null }));
  }

  async function inFlight(w: SweepWindow): Promise<SweepCandidate[]> {
    const rows = await db
      .selectFrom("builds")
      .selectAll()
      .where("state", "in", [...IN_FLIGHT_STATES])
      .where((eb) => eb.or([eb(eb.fn.coalesce("polled_at", "started_at", "updated_at"), "<", w.silentBefore), eb(eb.fn.coalesce("started_at", "created_at"), "<", w.stuckBefore)]))
      .orderBy("id")
      .limit(w.limit)
      .execute();
    return rows.map((r) => ({ build: asBuild(r), startJobAlive: false, reportState: null }));
  }

  async function finished(w: SweepWindow): Promise<SweepCandidate[]> {
    // The newest build of its target whose target still shows an in-progress report (its own or an older build's).
    const rows = await db
      .selectFrom("builds as b")
      .innerJoin("status_reports as r", (join) => join.on(sql<boolean>`r.target = b.provider || '|' || b.repository || '|' || b.sha || '|' || b.context`))
      .selectAll("b")
      .select("r.state as report_state")
      .where("b.state", "in", [...FINAL_STATES])
      .where("b.updated_at", ">=", w.finalAfter)
      .where("b.updated_at", "<", w.finalBefore)
      .where("r.state", "in", [...IN_PROGRESS_REPORT_STATES])
      .where((eb) => eb("r.build_id", "<=", eb.ref("b.id")))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("builds as n").select("n.id").whereRef("n.repository", "=", "b.repository").whereRef("n.sha", "=", "b.sha").whereRef("n.context", "=", "b.context").whereRef("n.id", ">", "b.id"))),
      )
      .orderBy("b.id")
      .limit(w.limit)
      .execute();
    return rows.map(({ report_state, ...build }) => ({ build: asBuild(build), startJobAlive: false, reportState: report_state }));
  }

  return {
    async markPolled(buildIds, now) {
      for (const part of chunk([...buildIds], IN_LIST)) await db.updateTable("builds").set({ polled_at: now }).where("id", "in", part).execute();
    },
    async listSweepCandidates(w) {
      return [...(await finished(w)), ...(await pending(w)), ...(await inFlight(w))];
    },
    async knownDeliveryIds(source, deliveryIds) {
      const known = new Set<string>();
      for (const part of chunk([...new Set(deliveryIds)], IN_LIST)) {
        const rows = await db.selectFrom("deliveries").select("delivery_id").where("source", "=", source).where("delivery_id", "in", part).execute();
        for (const r of rows) known.add(r.delivery_id);
      }
      return known;
    },
  };
}
