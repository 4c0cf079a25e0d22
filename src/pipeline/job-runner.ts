import type { Logger } from "pino";
import { computeBackoff } from "../domain/backoff.js";
import type { JobQueue, JobRow } from "../store/store.js";
import { DeferJobError, PermanentJobError, RetryLaterError } from "./job-errors.js";

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

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);

/** A job's payload, parsed once per run: its value, or the error a malformed one throws when used. */
type Payload = { readonly value: unknown } | { readonly error: unknown };

function parsePayload(text: string): Payload {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error };
  }
}

const valueOf = (payload: Payload): unknown => {
  if ("error" in payload) throw payload.error;
  return payload.value;
};

/** The ids a job's payload names, for its log lines (a malformed payload names none). */
function subjectOf(payload: Payload): Record<string, number> {
  const p = "value" in payload ? (payload.value as Record<string, unknown> | null) : null;
  const ids: Record<string, number> = {};
  if (typeof p?.buildId === "number") ids.buildId = p.buildId;
  if (typeof p?.deliveryRowId === "number") ids.deliveryRowId = p.deliveryRowId;
  return ids;
}

export function createJobRunner(o: JobRunnerOptions): JobRunner {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const idlePollMs = o.idlePollMs ?? 1000;
  const running = new Set<Promise<void>>();
  /** Jobs that finished and are not yet marked done in the store. */
  let completed: number[] = [];
  let started = false;
  let stopped = false;
  let pumping = false;
  let again = false;
  let pumpSoon = false;
  let pumpDone: Promise<void> = Promise.resolve();
  /** A due job has waited longer than maxYieldMs (seen by the last look at the queue). */
  let overdue = false;
  let timer: NodeJS.Timeout | undefined;
  const maxYieldMs = o.maxYieldMs ?? 10_000;
  const limit = () => (o.yieldToIntake?.() && !overdue ? Math.max(1, Math.floor(o.concurrency / 4)) : o.concurrency);

  async function finish(job: JobRow, payload: Payload, handler: JobHandler | undefined, err: unknown, log: Logger): Promise<JobResult> {
    if (err instanceof DeferJobError) {
      log.debug({ waitMs: err.delayMs, why: err.message }, "job deferred");
      await o.queue.defer(job.id, o.workerId, now() + err.delayMs, now());
      return "deferred";
    }
    const error = describe(err);
    const permanent = err instanceof PermanentJobError || !handler;
    if (!permanent && job.attempts < job.max_attempts) {
      const delay = Math.max(err instanceof RetryLaterError ? err.delayMs : 0, computeBackoff(job.attempts, random(), o.backoffBaseMs));
      log.warn({ err: error, attempt: job.attempts, retryInMs: delay }, "job failed; will retry");
      await o.queue.retry(job.id, o.workerId, now() + delay, error, now());
      return "retried";
    }
    log.error({ err: error, attempt: job.attempts }, "job failed; moved to dead letters");
    if (await o.queue.bury(job.id, o.workerId, error, now())) {
      await handler?.onGiveUp?.(valueOf(payload), error, { job, log }).catch((e) => log.error({ err: describe(e) }, "giving up on job failed"));
    }
    return "dead";
  }

  async function execute(job: JobRow): Promise<void> {
    const started = process.hrtime.bigint();
    const payload = parsePayload(job.payload);
    const log = o.log.child({ jobId: job.id, jobKind: job.kind, ...subjectOf(payload) });
    const handler = o.handlers[job.kind];
    let result: JobResult | undefined;
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      if (job.attempts > job.max_attempts) throw new PermanentJobError(`gave up after ${job.max_attempts} attempts (leases expired)`);
      await handler.run(valueOf(payload), { job, log });
      // Marked done with the next claim, in its transaction (one commit for every job that
      // finished in this turn of the event loop); stop() writes what is left. Once stopping no
      // claim follows: written at once, while this worker still holds the lease (the caller
      // releases what is still running, and a job put back would run again).
      if (stopped) await o.queue.complete(job.id, o.workerId, now());
      else completed.push(job.id);
      result = "done";
    } catch (err) {
      result = await finish(job, payload, handler, err, log).catch((e) => void log.error({ err: describe(e) }, "could not record job failure"));
    }
    if (result) o.onJobFinished?.(job.kind, result, Number(process.hrtime.bigint() - started) / 1e9);
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
      overdue = next !== undefined && now() - next > maxYieldMs;
    } catch (err) {
      o.log.error({ err: describe(err) }, "could not read the job queue");
    }
    if (!stopped) timer = setTimeout(wake, delay);
  }

  function pump(): void {
    pumpDone = pumpOnce();
  }

  async function pumpOnce(): Promise<void> {
    pumping = true;
    try {
      do {
        again = false;
        const free = stopped ? 0 : limit() - running.size;
        if (free <= 0 && completed.length === 0) break;
        const done = completed;
        completed = [];
        let jobs: JobRow[];
        try {
          jobs = await o.queue.claim(o.workerId, now(), o.leaseMs, Math.max(0, free), done);
        } catch (err) {
          completed = [...done, ...completed];
          throw err;
        }
        // Claimed while stop() was called: back to the queue, attempt not counted, not run here.
        if (stopped) await Promise.all(jobs.map((j) => o.queue.defer(j.id, o.workerId, now(), now())));
        else jobs.forEach(launch);
        if (free > 0 && jobs.length === free && limit() > running.size) again = true;
      } while (again && !stopped);
    } catch (err) {
      o.log.error({ err: describe(err) }, "could not claim jobs");
    } finally {
      pumping = false;
    }
    await schedule();
  }

  /** Marks the finished jobs done now (on stop: no claim will carry them). */
  async function flushCompleted(): Promise<void> {
    if (completed.length === 0) return;
    const done = completed;
    completed = [];
    try {
      await o.queue.claim(o.workerId, now(), o.leaseMs, 0, done);
    } catch (err) {
      // One by one, then; a job not marked is put back by the caller and runs again (every job
      // is idempotent): say so.
      const failed = (await Promise.all(done.map((id) => o.queue.complete(id, o.workerId, now()).then(() => 0, () => 1)))).reduce<number>((a, b) => a + b, 0);
      if (failed > 0) o.log.error({ err: describe(err), jobs: failed }, "could not mark finished jobs done; they will run again");
    }
  }

  // Wakes in one turn of the event loop (jobs finishing together, a batch of deliveries
  // committed) share one claim: it runs in the check phase, after the turn's I/O was read.
  function wake(): void {
    if (!started || stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    if (pumpSoon) return;
    pumpSoon = true;
    setImmediate(() => {
      pumpSoon = false;
      if (pumping) again = true;
      else if (!stopped) pump();
    });
  }

  return {
    start() {
      started = true;
      wake();
    },
    wake,
    async stop(timeoutMs) {
      stopped = true;
      clearTimeout(timer);
      // The jobs in flight, and a claim in progress (it holds finished jobs and may bring back
      // jobs to put back), within the one bound.
      const all = Promise.allSettled([...running, pumpDone]);
      if (timeoutMs === undefined) await all;
      else {
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((resolve) => (bound = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(bound);
      }
      if (!pumping) await flushCompleted();
      return running.size;
    },
    inFlight: () => running.size,
  };
}
