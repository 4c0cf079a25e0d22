import type { Logger } from "pino";
import { computeBackoff } from "../domain/backoff.js";
import type { JobQueue, JobRow } from "../store/store.js";
import { DeferJobError, PermanentJobError, RetryLaterError } from "./job-errors.js";

export interface JobContext {
  readonly job: JobRow;
  readonly log: Logger;
}

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
}

export interface JobRunner {
  start(): void;
  /** New jobs are due: claim them now instead of at the next poll. */
  wake(): void;
  /** Stops claiming and waits for the jobs in flight. */
  stop(): Promise<void>;
  readonly inFlight: () => number;
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);

export function createJobRunner(o: JobRunnerOptions): JobRunner {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const idlePollMs = o.idlePollMs ?? 1000;
  const running = new Set<Promise<void>>();
  let started = false;
  let stopped = false;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function finish(job: JobRow, handler: JobHandler | undefined, err: unknown, log: Logger): Promise<void> {
    if (err instanceof DeferJobError) {
      log.debug({ waitMs: err.delayMs, why: err.message }, "job deferred");
      await o.queue.defer(job.id, o.workerId, now() + err.delayMs, now());
      return;
    }
    const error = describe(err);
    const permanent = err instanceof PermanentJobError || !handler;
    if (!permanent && job.attempts < job.max_attempts) {
      const delay = Math.max(err instanceof RetryLaterError ? err.delayMs : 0, computeBackoff(job.attempts, random(), o.backoffBaseMs));
      log.warn({ err: error, attempt: job.attempts, retryInMs: delay }, "job failed; will retry");
      await o.queue.retry(job.id, o.workerId, now() + delay, error, now());
      return;
    }
    log.error({ err: error, attempt: job.attempts }, "job failed; moved to dead letters");
    if (await o.queue.bury(job.id, o.workerId, error, now())) {
      await handler?.onGiveUp?.(JSON.parse(job.payload), error, { job, log }).catch((e) => log.error({ err: describe(e) }, "giving up on job failed"));
    }
  }

  async function execute(job: JobRow): Promise<void> {
    const log = o.log.child({ jobId: job.id, jobKind: job.kind });
    const handler = o.handlers[job.kind];
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      if (job.attempts > job.max_attempts) throw new PermanentJobError(`gave up after ${job.max_attempts} attempts (leases expired)`);
      await handler.run(JSON.parse(job.payload), { job, log });
      await o.queue.complete(job.id, o.workerId, now());
    } catch (err) {
      await finish(job, handler, err, log).catch((e) => log.error({ err: describe(e) }, "could not record job failure"));
    }
  }

  function launch(job: JobRow): void {
    const p = execute(job).finally(() => {
      running.delete(p);
      wake();
    });
    running.add(p);
  }

  async function schedule(): Promise<void> {
    if (stopped) return;
    clearTimeout(timer);
    let delay = idlePollMs;
    try {
      const next = await o.queue.nextWakeAt();
      if (next !== undefined) delay = Math.min(idlePollMs, Math.max(0, next - now() + 1));
    } catch (err) {
      o.log.error({ err: describe(err) }, "could not read the job queue");
    }
    if (!stopped) timer = setTimeout(wake, delay);
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        const free = o.concurrency - running.size;
        if (free <= 0 || stopped) break;
        const jobs = await o.queue.claim(o.workerId, now(), o.leaseMs, free);
        jobs.forEach(launch);
        if (jobs.length === free) again = true;
      } while (again && !stopped);
    } catch (err) {
      o.log.error({ err: describe(err) }, "could not claim jobs");
    } finally {
      pumping = false;
    }
    await schedule();
  }

  function wake(): void {
    if (!started || stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    void pump();
  }

  return {
    start() {
      started = true;
      wake();
    },
    wake,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...running]);
    },
    inFlight: () => running.size,
  };
}
