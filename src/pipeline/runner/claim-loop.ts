import type { Logger } from "pino";
import type { JobQueue, JobRow } from "../../store/store.js";
import { describeError } from "./describe-error.js";

export interface ClaimLoopOptions {
  readonly queue: Pick<JobQueue, "defer" | "nextWakeAt">;
  readonly workerId: string;
  readonly now: () => number;
  readonly log: Logger;
  /** Longest sleep between looks at the queue (other replicas' jobs, timed retries). */
  readonly idlePollMs: number;
  /** Claims up to `limit` due jobs (the completion batcher: the claim carries the finished jobs). */
  readonly claim: (limit: number) => Promise<JobRow[]>;
  /** Finished jobs waiting for a claim: worth one even when no job may start. */
  readonly pending: () => number;
  /** How many more jobs may start now. */
  readonly capacity: () => number;
  readonly launch: (job: JobRow) => void;
  /** Told after each look at the queue when the next job is due or lease expires (the intake gate). */
  readonly onNextWakeAt?: (at: number | undefined) => void;
}

export interface ClaimLoop {
  start(): void;
  /** Jobs may be due (or a slot is free): claim soon. Wakes in one turn of the event loop share one claim. */
  wake(): void;
  /** Claims no more. A claim in flight still ends; the jobs it brings go back to the queue, their attempt not counted. */
  stop(): void;
  /** The latest round of claims (and the look at the queue after it) has ended. */
  readonly settled: () => Promise<void>;
  /** A claim is in flight (the completions it carries are not written yet). */
  readonly claiming: () => boolean;
}

// With every slot taken, a finishing job wakes the loop; until then a due job is only looked at
// this often (the intake gate may free slots), instead of on a 0 ms timer.
const FULL_RECHECK_MS = 50;

/**
 * How long to sleep: until the next due job or lease expiry (just past it), at most `idlePollMs`;
 * while no slot is free, at least FULL_RECHECK_MS.
 */
export function wakeDelay(next: number | undefined, now: number, idlePollMs: number, free = 1): number {
  const due = next === undefined ? idlePollMs : Math.min(idlePollMs, Math.max(0, next - now + 1));
  return free > 0 ? due : Math.max(due, Math.min(idlePollMs, FULL_RECHECK_MS));
}

export function createClaimLoop(o: ClaimLoopOptions): ClaimLoop {
  let life: "new" | "started" | "stopped" = "new";
  let phase: "idle" | "soon" | "claiming" = "idle";
  /** Claim again when this one is done (it came back full, or a wake came during it). */
  let again = false;
  let round: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const stopped = () => life === "stopped";

  /** One claim; false when there was nothing to claim and no completion to carry. */
  async function claimOnce(): Promise<boolean> {
    const free = stopped() ? 0 : o.capacity();
    if (free <= 0 && o.pending() === 0) return false;
    const jobs = await o.claim(Math.max(0, free));
    // Claimed while stop() was called: back to the queue, attempt not counted, not run here.
    if (stopped()) await Promise.all(jobs.map((j) => o.queue.defer(j.id, o.workerId, o.now(), o.now())));
    else jobs.forEach(o.launch);
    // A full claim: more may be due.
    if (free > 0 && jobs.length === free && o.capacity() > 0) again = true;
    return true;
  }

  async function claimRound(): Promise<void> {
    phase = "claiming";
    try {
      do {
        again = false;
        if (!(await claimOnce())) break;
      } while (again && !stopped());
    } catch (err) {
      o.log.error({ err: describeError(err) }, "could not claim jobs");
    } finally {
      phase = "idle";
    }
    await scheduleWake();
  }

  async function scheduleWake(): Promise<void> {
    if (stopped()) return;
    clearTimeout(timer);
    let delay = o.idlePollMs;
    try {
      const next = await o.queue.nextWakeAt();
      delay = wakeDelay(next, o.now(), o.idlePollMs, o.capacity());
      o.onNextWakeAt?.(next);
    } catch (err) {
      o.log.error({ err: describeError(err) }, "could not read the job queue");
    }
    if (!stopped()) timer = setTimeout(wake, delay);
  }

  // The claim runs in the check phase, after the turn's I/O was read: jobs finishing together
  // and a batch of deliveries committed share it.
  function wake(): void {
    if (life !== "started") return;
    if (phase === "claiming") again = true;
    if (phase !== "idle") return;
    phase = "soon";
    setImmediate(() => {
      phase = "idle";
      if (!stopped()) round = claimRound();
    });
  }

  return {
    start() {
      if (life === "new") life = "started";
      wake();
    },
    wake,
    stop() {
      life = "stopped";
      clearTimeout(timer);
    },
    settled: () => round,
    claiming: () => phase === "claiming",
  };
}
