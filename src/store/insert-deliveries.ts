import type SqliteDatabase from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { fullySynced } from "./fully-synced.js";
import type { InsertOutcome, NewDelivery, NewJob } from "./store.js";
import type { StoreJobs } from "./store-jobs.js";

// The inbox's write, the ingest hot path: each delivery (ON CONFLICT DO NOTHING on its source and
// id) and, unless it is stored as ignored, its process_delivery job — one transaction per batch.

const deliveryRow = (d: NewDelivery) => ({
  source: d.source,
  delivery_id: d.deliveryId,
  event: d.event,
  received_at: d.receivedAt,
  headers: JSON.stringify(d.headers),
  body: d.body,
  body_sha256: d.bodySha256,
  status: d.ignoredReason === undefined ? "received" : "ignored",
  reason: d.ignoredReason ?? null,
  processed_at: d.ignoredReason === undefined ? null : d.receivedAt,
});

const jobRow = (job: NewJob, d: NewDelivery, maxAttempts: number) => ({
  kind: job.kind,
  payload: JSON.stringify(job.payload),
  state: "queued",
  attempts: 0,
  max_attempts: maxAttempts,
  run_at: job.runAt ?? d.receivedAt,
  created_at: d.receivedAt,
  updated_at: d.receivedAt,
  dedupe_key: job.dedupeKey ?? null,
});

/**
 * Inside a transaction (PostgreSQL): one multi-row insert for the deliveries and one for their
 * jobs, two round trips per batch instead of two per delivery. A delivery id that is already
 * stored, or repeated within the batch, is a duplicate after its first copy.
 */
export async function insertDeliveriesIn(trx: Kysely<Database>, rows: readonly NewDelivery[], jobs: StoreJobs, maxAttempts: number): Promise<InsertOutcome[]> {
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto("deliveries")
    .values(rows.map(deliveryRow))
    .onConflict((oc) => oc.columns(["source", "delivery_id"]).doNothing())
    .returning(["id", "source", "delivery_id"])
    .execute();
  const ids = new Map(inserted.map((r) => [`${r.source}\n${r.delivery_id}`, Number(r.id)]));
  const jobRows: Array<ReturnType<typeof jobRow>> = [];
  const outcomes = rows.map((d): InsertOutcome => {
    const key = `${d.source}\n${d.deliveryId}`;
    const id = ids.get(key);
    if (id === undefined) return "duplicate";
    ids.delete(key);
    if (d.ignoredReason === undefined) jobRows.push(jobRow(jobs.processDelivery(id), d, maxAttempts));
    return "accepted";
  });
  if (jobRows.length > 0) await trx.insertInto("jobs").values(jobRows).execute();
  return outcomes;
}

/**
 * SQLite: two prepared statements and one synchronous `BEGIN IMMEDIATE` transaction per batch,
 * run while holding Kysely's connection so it never lands inside another transaction on it.
 * Preparing the SQL once instead of building and preparing it per row halves a batch's cost.
 * A delivery must be on disk before its 2xx: the batch commits with `synchronous=FULL`
 * (fully-synced.ts), where the rest of the store runs with `NORMAL`.
 */
export function createSqliteDeliveryWriter(db: Kysely<Database>, sqlite: SqliteDatabase.Database, jobs: StoreJobs, maxAttempts: number): (rows: readonly NewDelivery[]) => Promise<InsertOutcome[]> {
  let write: SqliteDatabase.Transaction<(rows: readonly NewDelivery[]) => InsertOutcome[]> | undefined;
  // Prepared on first use: the tables exist only once the store is migrated.
  const prepare = () => {
    const delivery = sqlite.prepare<unknown[], { id: number }>(
      "insert into deliveries (source, delivery_id, event, received_at, headers, body, body_sha256, status, reason, processed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (source, delivery_id) do nothing returning id",
    );
    const job = sqlite.prepare("insert into jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at, dedupe_key) values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    return sqlite.transaction((rows: readonly NewDelivery[]) =>
      rows.map((d): InsertOutcome => {
        const r = deliveryRow(d);
        const inserted = delivery.get(r.source, r.delivery_id, r.event, r.received_at, r.headers, r.body, r.body_sha256, r.status, r.reason, r.processed_at);
        if (!inserted) return "duplicate";
        if (d.ignoredReason === undefined) {
          const j = jobRow(jobs.processDelivery(Number(inserted.id)), d, maxAttempts);
          job.run(j.kind, j.payload, j.state, j.attempts, j.max_attempts, j.run_at, j.created_at, j.updated_at, j.dedupe_key);
        }
        return "accepted";
      }),
    );
  };
  return (rows) =>
    fullySynced(db, sqlite, async () => {
      write ??= prepare();
      return write.immediate(rows);
    });
}
