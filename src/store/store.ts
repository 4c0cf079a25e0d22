import type { Selectable } from "kysely";
import type { BuildState } from "../domain/build-state.js";
import type { BuildsTable, DeliveriesTable, JobsTable, RouteDecisionsTable, StatusReportsTable } from "./database.js";
import type { BoardQueries } from "./board-queries.js";
import type { Dialect } from "./dialect.js";
import type { RecoveryQueries } from "./recovery-queries.js";
import type { SessionRows } from "./session-rows.js";
import type { CheckRunRows } from "./check-run-rows.js";

export type DeliveryRow = Selectable<DeliveriesTable>;
export type JobRow = Selectable<JobsTable>;
/** A build as the store returns it: `state` parsed at the boundary (an unknown value throws). */
export type BuildRow = Omit<Selectable<BuildsTable>, "state"> & { state: BuildState };
export type DecisionRow = Selectable<RouteDecisionsTable>;

/** A verified delivery to put in the inbox. `ignoredReason` stores it as already ignored (no job). */
export interface NewDelivery {
  readonly source: string;
  readonly deliveryId: string;
  readonly event: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly bodySha256: string;
  readonly receivedAt: number;
  readonly ignoredReason?: string;
}

export type InsertOutcome = "accepted" | "duplicate";

/** A job to enqueue. `payload` is stored as JSON. */
export interface NewJob {
  readonly kind: string;
  readonly payload: unknown;
  readonly runAt?: number;
  /** At most one queued job per key. */
  readonly dedupeKey?: string;
}

/** A build the router planned, as stored. */
export interface NewBuild {
  readonly dedupeKey: string;
  readonly route: string;
  readonly provider: string;
  readonly repository: string;
  readonly eventKind: string;
  readonly ref: string;
  readonly sha: string;
  readonly pullRequest: number | null;
  readonly project: string;
  readonly context: string;
  readonly sourceVersion: string;
  readonly env: Readonly<Record<string, string>>;
  /** Builds with the same key supersede each other (null: the route does not cancel). */
  readonly supersedeKey: string | null;
  readonly eventAt: number | null;
  readonly headRef: string | null;
  readonly trigger: Readonly<Record<string, unknown>>;
  /** A route the change does not affect, reported as success without building. */
  readonly skipped?: boolean;
}

/** The outcome of routing one delivery, written in one transaction. */
export type RoutingRecord =
  | { readonly status: "ignored"; readonly reason: string; readonly jobs?: readonly NewJob[] }
  | {
      readonly status: "routed";
      readonly decisions: ReadonlyArray<{ route: string; matched: boolean; reason: string; build?: NewBuild }>;
      /** Written with the decisions (a host's report of a pull request waiting for approval). */
      readonly jobs?: readonly NewJob[];
    };

export interface RoutingOutcome {
  /** False when the delivery had been routed before (a retried job): nothing was written. */
  readonly recorded: boolean;
  readonly createdBuildIds: readonly number[];
  readonly duplicateBuildIds: readonly number[];
}

export type BuildPatch = Partial<
  Pick<BuildRow, "state" | "external_id" | "logs_url" | "error" | "started_at" | "external_status" | "current_phase" | "phases" | "ended_at" | "resolved_sha" | "polled_at" | "superseded_by" | "first_start_at">
>;

export type StatusReportRow = Selectable<StatusReportsTable>;

export interface QueueStats {
  /** Jobs by state for the states that stay small: queued, running, dead (each present, 0 when none). */
  readonly byState: Readonly<Record<"queued" | "running" | "dead", number>>;
  /** `run_at` of the oldest queued job due at the time asked; undefined when none is due. */
  readonly oldestDueAt: number | undefined;
}

/** The job queue: claimed with a lease, retried with backoff, buried after too many attempts. */
export interface JobQueue {
  /**
   * Claims up to `limit` jobs that are due, or whose lease expired, for `workerId`;
   * increments their attempt count. Safe against concurrent claimers (one transaction; SKIP
   * LOCKED on PostgreSQL). `completed` are jobs `workerId` finished: they are marked done in the
   * same transaction (as `complete` does, each only while `workerId` still holds it).
   */
  claim(workerId: string, now: number, leaseMs: number, limit: number, completed?: readonly number[]): Promise<JobRow[]>;
  /** Marks a job done if `workerId` still holds it; false when the lease was lost. */
  complete(id: number, workerId: string, now: number): Promise<boolean>;
  retry(id: number, workerId: string, runAt: number, error: string, now: number): Promise<boolean>;
  /** Puts a job back without counting the attempt (e.g. waiting for a rate limit). */
  defer(id: number, workerId: string, runAt: number, now: number): Promise<boolean>;
  bury(id: number, workerId: string, error: string, now: number): Promise<boolean>;
  /** Deletes up to `limit` finished (done) jobs last changed before `before`; returns how many. Dead letters stay. */
  pruneFinished(before: number, limit: number): Promise<number>;
  /** Requeues running jobs whose holder is gone (`isGone(leasedBy)`); returns how many. */
  releaseLeases(isGone: (leasedBy: string) => boolean, now: number): Promise<number>;
  /** When the next queued job is due, or the next lease expires; undefined when idle. */
  nextWakeAt(): Promise<number | undefined>;
  countByState(): Promise<Record<string, number>>;
  /**
   * Queue depth for metrics, cheap at any table size: counts of queued, running and dead jobs
   * (never the ever-growing done jobs; each an index range), and when the oldest queued job that
   * is due at `now` became due (undefined when none is due).
   */
  queueStats(now: number): Promise<QueueStats>;
  /**
   * Puts back every job `workerId` is running (graceful shutdown: another process or the next
   * start runs them), without counting the attempt; returns how many. A handler still running
   * then loses its fencing checks, so its completion is not recorded twice.
   */
  release(workerId: string, now: number): Promise<number>;
  /** Returns the new job's id, or undefined when a queued job with the same dedupeKey exists. */
  enqueue(job: NewJob, now: number): Promise<number | undefined>;
  /** Enqueues unless a job with the same dedupeKey is queued or running (singletons like the tracker). */
  ensure(job: NewJob, now: number): Promise<number | undefined>;
  deadLetters(limit: number): Promise<JobRow[]>;
}

/** The one persistence interface; the same on SQLite and PostgreSQL. */
export interface Store extends BoardQueries, SessionRows, RecoveryQueries, CheckRunRows {
  readonly dialect: Dialect;
  readonly jobs: JobQueue;
  /** Inserts deliveries (and their processing jobs) in one transaction; duplicates are reported, not errors. */
  insertDeliveries(rows: readonly NewDelivery[]): Promise<InsertOutcome[]>;
  getDelivery(id: number): Promise<DeliveryRow | undefined>;
  findDeliveries(deliveryId: string): Promise<DeliveryRow[]>;
  markDeliveryFailed(id: number, reason: string, now: number): Promise<void>;
  /** Writes decisions, builds (unique dedupe key) and their start jobs, and the delivery status, atomically. */
  recordRouting(deliveryRowId: number, record: RoutingRecord, now: number): Promise<RoutingOutcome>;
  listDecisions(deliveryRowId: number): Promise<DecisionRow[]>;
  getBuild(id: number): Promise<BuildRow | undefined>;
  listBuilds(filter: { deliveryRowId?: number; limit?: number }): Promise<BuildRow[]>;
  /**
   * Updates a build if it is in one of the `expected` states (compare-and-set: a stale poll or a
   * second replica cannot move it where `domain/build-lifecycle.ts` forbids; `allowedFrom(cause, to)`
   * gives the states to expect). `followUps` (e.g. a status report) are enqueued in the same
   * transaction, only when the write applied. Returns whether it applied.
   */
  updateBuild(id: number, expected: readonly BuildState[], patch: BuildPatch, now: number, followUps?: readonly NewJob[]): Promise<boolean>;
  /**
   * Records that a start attempt is about to be made (`first_start_at`), on disk before it returns
   * even where other commits are not (SQLite's synchronous=NORMAL): after a power loss the restart
   * must know a StartBuild may have gone out, or it would start the build a second time.
   */
  recordStartAttempt(buildId: number, at: number): Promise<void>;
  /** Started builds not yet finished (the tracker's work list), oldest poll first. */
  listInFlightBuilds(limit: number): Promise<BuildRow[]>;
  findBuildByExternalId(externalId: string): Promise<BuildRow | undefined>;
  /** The newest build reporting to a status target. */
  latestBuildForTarget(repository: string, sha: string, context: string): Promise<BuildRow | undefined>;
  listBuildsForCommit(repository: string, sha: string): Promise<BuildRow[]>;
  getStatusReport(target: string): Promise<StatusReportRow | undefined>;
  saveStatusReport(row: Omit<StatusReportRow, "id">): Promise<void>;
  /** Builds by state, one grouped count over the `builds_state` index: callers cache it (a million builds take a while). */
  countBuildsByState(): Promise<Record<string, number>>;
  /** Throws when the store cannot answer. */
  ping(): Promise<void>;
  /** True when every migration this version knows (`migrationsFor(dialect)`) is applied; throws when the store cannot answer. */
  schemaIsCurrent(): Promise<boolean>;
  close(): Promise<void>;
}
