import { sql, type Kysely } from "kysely";
import type { Database } from "./database.js";
import type { Dialect } from "./dialect.js";
import type { JobQueue, JobRow, NewJob } from "./store.js";
import { transact } from "./transact.js";

/**
 * Inserts a job; usable inside a transaction. A job with a `dedupeKey` is not inserted when a
 * queued job with the same key exists already (returns undefined): that one will do the work.
 */
export async function insertJob(db: Kysely<Database>, job: NewJob, maxAttempts: number, now: number): Promise<number | undefined> {
  if (job.dedupeKey !== undefined) {
    const queued = await db.selectFrom("jobs").select("id").where("dedupe_key", "=", job.dedupeKey).where("state", "=", "queued").executeTakeFirst();
    if (queued) return undefined;
  }
  const row = await db
    .insertInto("jobs")
    .values({ kind: job.kind, payload: JSON.stringify(job.payload), state: "queued", attempts: 0, max_attempts: maxAttempts, run_at: job.runAt ?? now, created_at: now, updated_at: now, dedupe_key: job.dedupeKey ?? null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** PostgreSQL advisory locks taken by `ensure` live in their own key space (the first of two int4 keys). */
const ENSURE_LOCK_SPACE = 0x6267; // "bg"

/** A dedupe key as a signed 32-bit int (FNV-1a): the second key of the advisory lock. */
function lockKeyOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function createJobQueue(db: Kysely<Database>, dialect: Dialect, maxAttempts: number): JobQueue {
  // The lease fence: a change to jobs only while `workerId` still holds them.
  const heldIn = (k: Kysely<Database>, ids: number | readonly number[], workerId: string) =>
    k.updateTable("jobs").where("id", "in", typeof ids === "number" ? [ids] : ids).where("leased_by", "=", workerId).where("state", "=", "running");
  const held = (id: number, workerId: string) => heldIn(db, id, workerId);
  const markDone = (k: Kysely<Database>, ids: number | readonly number[], workerId: string, now: number) => heldIn(k, ids, workerId).set({ state: "done", lease_until: null, updated_at: now });
  const changed = (r: { numUpdatedRows: bigint }) => r.numUpdatedRows > 0n;
  return {
    claim: (workerId, now, leaseMs, limit, completed = []) =>
      // Two index seeks, expired leases first, instead of one query with OR: that one read and
      // sorted every due job to return the first few, so a backlog made each claim slower.
      transact(db, dialect, async (trx) => {
        if (completed.length > 0) await markDone(trx, completed, workerId, now).execute();
        if (limit <= 0) return [];
        const lock = <Q extends { forUpdate(): Q; skipLocked(): Q }>(q: Q) => (dialect === "postgres" ? q.forUpdate().skipLocked() : q);
        const expired = await lock(trx.selectFrom("jobs").select("id").where("state", "=", "running").where("lease_until", "<", now).orderBy("lease_until").orderBy("id").limit(limit)).execute();
        const due =
          expired.length < limit
            ? await lock(trx.selectFrom("jobs").select("id").where("state", "=", "queued").where("run_at", "<=", now).orderBy("run_at").orderBy("id").limit(limit - expired.length)).execute()
            : [];
        const ids = [...expired, ...due].map((r) => Number(r.id));
        if (ids.length === 0) return [];
        const rows = await trx
          .updateTable("jobs")
          .set((eb) => ({ state: "running", lease_until: now + leaseMs, leased_by: workerId, attempts: eb("attempts", "+", 1), updated_at: now }))
          .where("id", "in", ids)
          .returningAll()
          .execute();
        return rows.map(normalizeJob).sort((a, b) => a.run_at - b.run_at || a.id - b.id);
      }),
    async complete(id, workerId, now) {
      return changed(await markDone(db, id, workerId, now).executeTakeFirst());
    },
    async retry(id, workerId, runAt, error, now) {
      return changed(await held(id, workerId).set({ state: "queued", run_at: runAt, lease_until: null, leased_by: null, last_error: error, updated_at: now }).executeTakeFirst());
    },
    async defer(id, workerId, runAt, now) {
      return changed(
        await held(id, workerId)
          .set((eb) => ({ state: "queued", run_at: runAt, lease_until: null, leased_by: null, attempts: eb("attempts", "-", 1), updated_at: now }))
          .executeTakeFirst(),
      );
    },
    async bury(id, workerId, error, now) {
      return changed(await held(id, workerId).set({ state: "dead", lease_until: null, last_error: error, updated_at: now }).executeTakeFirst());
    },
    async pruneFinished(before, limit) {
      // Oldest first on (state, updated_at): a seek to the old end, never a scan of every
      // finished job. One bounded statement per call, so a big backlog is pruned over several
      // calls instead of in one long lock.
      const old = db.selectFrom("jobs").select("id").where("state", "=", "done").where("updated_at", "<", before).orderBy("updated_at").limit(limit);
      const r = await db.deleteFrom("jobs").where("id", "in", old).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async releaseLeases(isGone, now) {
      const holders = await db.selectFrom("jobs").select("leased_by").distinct().where("state", "=", "running").execute();
      const gone = holders.map((h) => h.leased_by).filter((h): h is string => h !== null && isGone(h));
      if (gone.length === 0) return 0;
      const r = await db
        .updateTable("jobs")
        .set({ state: "queued", run_at: now, lease_until: null, leased_by: null, updated_at: now })
        .where("state", "=", "running")
        .where("leased_by", "in", gone)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async nextWakeAt() {
      // Two seeks on the (state, run_at) and (state, lease_until) indexes: the table keeps finished
      // jobs for days (jobs.keepFinishedDays), and an aggregate with FILTER would read them all.
      const [run, lease] = await Promise.all([
        db.selectFrom("jobs").select((eb) => eb.fn.min("run_at").as("at")).where("state", "=", "queued").executeTakeFirst(),
        db.selectFrom("jobs").select((eb) => eb.fn.min("lease_until").as("at")).where("state", "=", "running").executeTakeFirst(),
      ]);
      const times = [run?.at, lease?.at].filter((t) => t !== null && t !== undefined).map(Number);
      return times.length ? Math.min(...times) : undefined;
    },
    async countByState() {
      const rows = await db.selectFrom("jobs").select(["state", sql<number>`count(*)`.as("n")]).groupBy("state").execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
    async queueStats(now) {
      const rows = await db.selectFrom("jobs").select(["state", sql<number>`count(*)`.as("n")]).where("state", "in", ["queued", "running", "dead"]).groupBy("state").execute();
      const byState = { queued: 0, running: 0, dead: 0 };
      for (const r of rows) byState[r.state as keyof typeof byState] = Number(r.n);
      // On the (state, run_at) index: one seek.
      const due = await db.selectFrom("jobs").select((eb) => eb.fn.min("run_at").as("oldest")).where("state", "=", "queued").where("run_at", "<=", now).executeTakeFirst();
      return { byState, oldestDueAt: due?.oldest === null || due?.oldest === undefined ? undefined : Number(due.oldest) };
    },
    async release(workerId, now) {
      const r = await db
        .updateTable("jobs")
        .set((eb) => ({ state: "queued", run_at: now, lease_until: null, leased_by: null, attempts: eb("attempts", "-", 1), updated_at: now }))
        .where("state", "=", "running")
        .where("leased_by", "=", workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    enqueue: (job, now) => insertJob(db, job, maxAttempts, now),
    async ensure(job, now) {
      const key = job.dedupeKey;
      if (key === undefined) throw new Error("ensure needs a dedupeKey");
      // Look and insert as one step, for every replica: on SQLite the transaction takes the
      // write lock first (BEGIN IMMEDIATE); on PostgreSQL an advisory lock on the key makes a
      // second replica wait until the first one's insert is committed and visible. Otherwise
      // replicas starting together each see no tracker and each start one.
      return transact(db, dialect, async (trx) => {
        if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${ENSURE_LOCK_SPACE}, ${lockKeyOf(key)})`.execute(trx);
        const live = await trx.selectFrom("jobs").select("id").where("dedupe_key", "=", key).where("state", "in", ["queued", "running"]).executeTakeFirst();
        return live ? undefined : insertJob(trx, job, maxAttempts, now);
      });
    },
    async deadLetters(limit) {
      return (await db.selectFrom("jobs").selectAll().where("state", "=", "dead").orderBy("id", "desc").limit(limit).execute()).map(normalizeJob);
    },
  };
}

/** pg returns bigint columns as numbers only with a type parser; make sure ids are numbers everywhere. */
export function normalizeJob(row: JobRow): JobRow {
  return { ...row, id: Number(row.id) };
}
