import type { Logger } from "pino";
import type { JobQueue, JobRow } from "../store/store.js";
import { createClaimLoop } from "./runner/claim-loop.js";
import { createCompletionBatcher } from "./runner/completion-batcher.js";
import { createIntakeGate } from "./runner/intake-gate.js";
import { runJob, type RunJobDeps } from "./runner/run-job.js";

export interface JobContext {
  readonly job: JobRow;
  /**
   * This job's logger: it carries jobId, jobKind and the buildId / deliveryRowId of the payload.
   * A handler that learns more (the delivery id) adds it with `log.setBindings`, so every later
   * line about the job carries it, the runner's retry and dead-letter lines included.
   */
  readonly log: Logger;
}

/** How a job's run ended: `done`, `retried` (back to the queue with backoff), `deferred` (waited without counting the attempt) or `dead`. */
export type JobResult = "done" | "retried" | "deferred" | "dead";

/** How one kind of job runs. `onGiveUp` runs when the job goes to dead letters, so nothing stays stuck. */
export interface JobHandler {
  run(payload: unknown, ctx: JobContext): Promise<void>;
  onGiveUp?(payload: unknown, error: string, ctx: JobContext): Promise<void>;
}

export interface JobRunnerOptions {
  readonly queue: JobQueue;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly log: Logger;
  readonly workerId: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** Longest sleep between looks at the queue (other replicas' jobs, timed retries). */
  readonly idlePollMs?: number;
  readonly backoffBaseMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told of every run that ended (metrics). */
  readonly onJobFinished?: (kind: string, result: JobResult, seconds: number) => void;
  /**
   * While true, run a quarter of `concurrency` at a time (at least one, so jobs always move): the
   * intake has the CPU during a burst of webhooks (see intake-pressure.ts).
   */
  readonly yieldToIntake?: () => boolean;
  /** A due job waiting longer than this ends the yielding until it has run (default 10 s). */
  readonly maxYieldMs?: number;
}

export interface JobRunner {
  start(): void;
  /** New jobs are due: claim them now instead of at the next poll. */
  wake(): void;
  /**
   * Stops claiming and waits for the jobs in flight, at most `timeoutMs` when given; resolves
   * with how many were still running then (the caller releases them to the queue).
   */
  stop(timeoutMs?: number): Promise<number>;
  readonly inFlight: () => number;
}

/** Waits for `work` to settle, at most `timeoutMs` when given. */
async function settleWithin(work: ReadonlyArray<Promise<unknown>>, timeoutMs: number | undefined): Promise<void> {
  const all = Promise.allSettled(work);
  if (timeoutMs === undefined) {
    await all;
    return;
  }
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (bound = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(bound);
}

/**
 * The runner: a claim loop (runner/claim-loop.ts) starts the jobs it claims, as many as the
 * intake gate allows (runner/intake-gate.ts); each runs with its handler (runner/run-job.ts), and
 * the ones that finished are marked done by the next claim (runner/completion-batcher.ts).
 */
export function createJobRunner(o: JobRunnerOptions): JobRunner {
  const now = o.now ?? Date.now;
  const running = new Set<Promise<void>>();
  const gate = createIntakeGate({ concurrency: o.concurrency, yieldToIntake: o.yieldToIntake, maxYieldMs: o.maxYieldMs, now });
  const completions = createCompletionBatcher({ queue: o.queue, workerId: o.workerId, leaseMs: o.leaseMs, now, log: o.log });
  const runDeps: RunJobDeps = {
    queue: o.queue,
    workerId: o.workerId,
    handlers: o.handlers,
    log: o.log,
    now,
    random: o.random ?? Math.random,
    backoffBaseMs: o.backoffBaseMs,
    finished: completions.finished,
    onJobFinished: o.onJobFinished,
  };
  const launch = (job: JobRow): void => {
    const p = runJob(runDeps, job).finally(() => {
      running.delete(p);
      loop.wake();
    });
    running.add(p);
  };
  const loop = createClaimLoop({
    queue: o.queue,
    workerId: o.workerId,
    log: o.log,
    now,
    idlePollMs: o.idlePollMs ?? 1000,
    claim: completions.claim,
    pending: completions.pending,
    capacity: () => gate.limit() - running.size,
    launch,
    onNextWakeAt: gate.observe,
  });
  return {
    start: loop.start,
    wake: loop.wake,
    async stop(timeoutMs) {
      loop.stop();
      completions.stop();
      // The jobs in flight, and a claim in progress (it holds finished jobs and may bring back
      // jobs to put back), within the one bound.
      await settleWithin([...running, loop.settled()], timeoutMs);
      if (!loop.claiming()) await completions.flush();
      return running.size;
    },
    inFlight: () => running.size,
  };
}
