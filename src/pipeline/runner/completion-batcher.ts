import type { Logger } from "pino";
import type { JobQueue, JobRow } from "../../store/store.js";
import { describeError } from "./describe-error.js";

export interface CompletionBatcherOptions {
  readonly queue: Pick<JobQueue, "claim" | "complete">;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Marks finished jobs done with the next claim, in its transaction: one commit for every job
 * that finished in a turn of the event loop. Each is marked only while this worker still holds
 * its lease (the store fences it), so a job another worker took over is not marked done.
 */
export interface CompletionBatcher {
  /** A job ran to success: held for the next claim; once stopped, written at once (the lease is still held). */
  finished(id: number): Promise<void>;
  /** Claims up to `limit` jobs and marks the held ones done in the same transaction; a failed claim keeps them for the next. */
  claim(limit: number): Promise<JobRow[]>;
  /** How many finished jobs wait for a claim. */
  readonly pending: () => number;
  /** No claim will follow: completions are written at once from now on. */
  stop(): void;
  /** Writes what is held now (one claim of none; one by one when that fails) and logs how many could not be marked. */
  flush(): Promise<void>;
}

export function createCompletionBatcher(o: CompletionBatcherOptions): CompletionBatcher {
  let held: number[] = [];
  let stopped = false;
  const take = () => {
    const ids = held;
    held = [];
    return ids;
  };

  async function claim(limit: number): Promise<JobRow[]> {
    const done = take();
    try {
      return await o.queue.claim(o.workerId, o.now(), o.leaseMs, limit, done);
    } catch (err) {
      held = [...done, ...held];
      throw err;
    }
  }

  async function flush(): Promise<void> {
    if (held.length === 0) return;
    try {
      await claim(0);
    } catch (err) {
      // One by one, then; a job not marked is put back by the caller and runs again (every job
      // is idempotent): say so.
      const marks = take().map((id) => o.queue.complete(id, o.workerId, o.now()).then(() => 0, () => 1));
      const failed = (await Promise.all(marks)).reduce<number>((a, b) => a + b, 0);
      if (failed > 0) o.log.error({ err: describeError(err), jobs: failed }, "could not mark finished jobs done; they will run again");
    }
  }

  return {
    async finished(id) {
      // Once stopping no claim follows: written while this worker still holds the lease (the
      // caller releases what is still running, and a job put back would run again).
      if (stopped) await o.queue.complete(id, o.workerId, o.now());
      else held.push(id);
    },
    claim,
    pending: () => held.length,
    stop: () => void (stopped = true),
    flush,
  };
}
