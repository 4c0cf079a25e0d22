import type { Logger } from "pino";
import type { Builder } from "../domain/builder.js";
import { allowedFrom } from "../domain/build-lifecycle.js";
import { chunk } from "../domain/snapshot-patch.js";
import { decideSweep, silentAfterMs, type SweepAction, type SweepPolicy } from "../domain/stuck-builds.js";
import { JOB, reportJob } from "./job-kinds.js";
import type { SweepCandidate } from "../store/recovery-queries.js";
import type { NewJob, Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";

// Finished builds whose report may have been lost are looked for this far back.
const FINAL_LOOKBACK_MS = 24 * 3600_000;
// Builds of each kind (finished, pending, in flight) looked at per sweep; the rest wait a sweep.
const MAX_PER_KIND = 500;

/** The sweep is one job that re-enqueues itself, like the tracker: one replica sweeps at a time. */
export const sweeperJob = (runAt?: number): NewJob => ({ kind: JOB.sweepStuck, payload: {}, dedupeKey: "sweeper", ...(runAt !== undefined ? { runAt } : {}) });

export interface SweepStuckDeps {
  readonly store: Pick<Store, "listSweepCandidates" | "updateBuild" | "jobs">;
  readonly builder: Pick<Builder, "maxPollBatch">;
  readonly policy: SweepPolicy;
  /** Between sweeps (`tracking.sweepIntervalSeconds`). */
  readonly intervalMs: number;
  /** Wakes the job runner for the jobs a sweep enqueued. */
  readonly wake?: () => void;
  readonly now?: () => number;
}

export type SweepSummary = Readonly<Record<Exclude<SweepAction["kind"], "none">, number>>;

const factsOf = (c: SweepCandidate) => ({
  state: c.build.state,
  createdAt: c.build.created_at,
  updatedAt: c.build.updated_at,
  startedAt: c.build.started_at,
  polledAt: c.build.polled_at,
  externalId: c.build.external_id,
  startJobAlive: c.startJobAlive,
  reportState: c.reportState,
});

/**
 * One pass of the stuck-build sweep: (a) a finished build whose status still says pending is
 * reported again; (b) an in-flight build nobody polled lately, or (d) one in flight past the
 * queue timeout, is polled (a build the builder does not know is then errored and reported);
 * (c) a pending build without a start job is started (the start looks for an earlier attempt's
 * build first); (d) one in flight past the queue timeout without a build id is errored.
 */
export async function sweepStuck(deps: SweepStuckDeps, log: Logger): Promise<SweepSummary> {
  const now = (deps.now ?? Date.now)();
  const p = deps.policy;
  const candidates = await deps.store.listSweepCandidates({
    pendingBefore: now - p.pendingGraceMs,
    silentBefore: now - silentAfterMs(p),
    stuckBefore: now - p.stuckAfterMs,
    finalAfter: now - FINAL_LOOKBACK_MS,
    finalBefore: now - p.reportGraceMs,
    limit: MAX_PER_KIND,
  });
  const summary = { report: 0, poll: 0, start: 0, error: 0 };
  const polls: string[] = [];
  for (const c of candidates) {
    const action = decideSweep(factsOf(c), now, p);
    if (action.kind === "none") continue;
    summary[action.kind]++;
    const buildId = c.build.id;
    if (action.kind === "poll") {
      polls.push(c.build.external_id as string);
      log.debug({ buildId, reason: action.reason }, "stuck build: polling it");
      continue;
    }
    if (action.kind === "report") await deps.store.jobs.enqueue(reportJob(buildId), now);
    else if (action.kind === "start") await deps.store.jobs.enqueue({ kind: JOB.startBuild, payload: { buildId }, dedupeKey: `start:${buildId}` }, now);
    else if (!(await deps.store.updateBuild(buildId, allowedFrom("sweep", "errored"), { state: "errored", error: action.reason, ended_at: now }, now, [reportJob(buildId)]))) {
      log.info({ buildId, reason: action.reason }, "stuck build changed since the sweep read it; left as it is");
      continue;
    }
    log.warn({ buildId, action: action.kind, reason: action.reason }, `stuck build: ${action.kind === "error" ? "errored" : `${action.kind} enqueued`}`);
  }
  // One poll job per batch; a batch whose job from the last sweep still waits is not queued twice.
  for (const [i, externalIds] of chunk(polls, deps.builder.maxPollBatch).entries()) {
    await deps.store.jobs.enqueue({ kind: JOB.pollBuilds, payload: { externalIds }, dedupeKey: `sweep-poll:${i}` }, now);
  }
  if (candidates.length > 0) deps.wake?.();
  return summary;
}

/** `sweep_stuck`: one sweep, then the next one scheduled. */
export function createSweepStuck(deps: SweepStuckDeps): JobHandler {
  const now = deps.now ?? Date.now;
  return {
    async run(_payload, { log }) {
      try {
        const summary = await sweepStuck(deps, log);
        if (Object.values(summary).some((n) => n > 0)) log.info(summary, "stuck-build sweep");
      } catch (err) {
        log.error({ err }, "stuck-build sweep failed; next sweep as usual");
      }
      // Not in a finally: when this fails the job is retried, and no second sweep was scheduled.
      await deps.store.jobs.enqueue(sweeperJob(now() + deps.intervalMs), now());
    },
  };
}
