import type { Logger } from "pino";
import { computeBackoff } from "../../domain/backoff.js";
import type { JobQueue, JobRow } from "../../store/store.js";
import { DeferJobError, PermanentJobError, RetryLaterError } from "../job-errors.js";
import type { JobHandler, JobResult } from "../job-runner.js";
import { describeError } from "./describe-error.js";
import { valueOf, type Payload } from "./job-payload.js";

export interface FailureDeps {
  /** Every write is fenced by the lease: it changes the job only while `workerId` holds it. */
  readonly queue: Pick<JobQueue, "defer" | "retry" | "bury">;
  readonly workerId: string;
  readonly now: () => number;
  readonly random: () => number;
  readonly backoffBaseMs?: number;
}

/** The run that failed. `handler` is undefined for a job kind nobody handles. */
export interface FailedRun {
  readonly job: JobRow;
  readonly payload: Payload;
  readonly handler: JobHandler | undefined;
  readonly log: Logger;
}

/** How long a failed attempt waits: exponential backoff with jitter, or longer when the error asks (RetryLaterError). */
export function retryDelay(err: unknown, attempt: number, random: number, backoffBaseMs?: number): number {
  return Math.max(err instanceof RetryLaterError ? err.delayMs : 0, computeBackoff(attempt, random, backoffBaseMs));
}

/**
 * Records how a failed run ends: deferred (a DeferJobError: waits without spending the attempt),
 * retried with backoff, or, for a PermanentJobError, a missing handler or the last attempt, moved
 * to dead letters with the error; `onGiveUp` runs only when this worker buried the job.
 */
export async function recordFailure(d: FailureDeps, run: FailedRun, err: unknown): Promise<JobResult> {
  const { job, handler, log } = run;
  if (err instanceof DeferJobError) {
    log.debug({ waitMs: err.delayMs, why: err.message }, "job deferred");
    await d.queue.defer(job.id, d.workerId, d.now() + err.delayMs, d.now());
    return "deferred";
  }
  const error = describeError(err);
  const permanent = err instanceof PermanentJobError || !handler;
  if (!permanent && job.attempts < job.max_attempts) {
    const delay = retryDelay(err, job.attempts, d.random(), d.backoffBaseMs);
    log.warn({ err: error, attempt: job.attempts, retryInMs: delay }, "job failed; will retry");
    await d.queue.retry(job.id, d.workerId, d.now() + delay, error, d.now());
    return "retried";
  }
  log.error({ err: error, attempt: job.attempts }, "job failed; moved to dead letters");
  if (await d.queue.bury(job.id, d.workerId, error, d.now())) {
    await handler?.onGiveUp?.(valueOf(run.payload), error, { job, log }).catch((e) => log.error({ err: describeError(e) }, "giving up on job failed"));
  }
  return "dead";
}
