import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { recoveryJobs } from "../pipeline/recovery-jobs.js";
import type { SourceHosts } from "../pipeline/source-host.js";
import { trackerJob } from "../pipeline/track-builds.js";
import type { Store } from "../store/store.js";

// Up to 10 batches of 5,000 per round (one short statement each, the event loop free between
// them): 50,000 a minute outpaces any job rate this process can sustain.
const PRUNE_BATCH = 5_000;
const PRUNE_BATCHES = 10;

export interface WatchdogDeps {
  readonly store: Pick<Store, "jobs" | "pruneSessions">;
  readonly config: Config;
  /** Whose own singletons (GitHub redelivery) are kept alive with the tracker. */
  readonly hosts: Pick<SourceHosts, "all">;
  readonly log: Logger;
  readonly now: () => number;
  /** Between rounds; default: 4 tracker cycles, at least a minute. */
  readonly intervalMs?: number;
}

export interface Watchdog {
  /** The tracker and the recovery sweeps re-enqueue themselves; make sure each exists (first start, or after one was dead-lettered). */
  ensureSingletons(): Promise<void>;
  /** One round: the singletons, expired sessions, finished jobs older than jobs.keepFinishedDays. Never rejects. */
  tick(): Promise<void>;
  start(): void;
  stop(): void;
}

export function createWatchdog(d: WatchdogDeps): Watchdog {
  const { store, log, now } = d;
  const ensureSingletons = async () => {
    await Promise.all([trackerJob(), ...recoveryJobs(d.hosts)].map((job) => store.jobs.ensure(job, now()))).catch((err) => log.error({ err }, "could not schedule the tracker and sweeps"));
  };
  const pruneSessions = () => store.pruneSessions(now()).catch((err) => log.warn({ err }, "could not prune expired sessions"));
  const pruneFinishedJobs = async () => {
    const before = now() - d.config.jobs.keepFinishedDays * 86_400_000;
    try {
      let pruned = 0;
      for (let batch = 0; batch < PRUNE_BATCHES; batch++) {
        const n = await store.jobs.pruneFinished(before, PRUNE_BATCH);
        pruned += n;
        if (n < PRUNE_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (pruned > 0) log.debug({ pruned }, "deleted finished jobs");
    } catch (err) {
      log.warn({ err }, "could not delete finished jobs");
    }
  };
  const tick = async () => {
    await Promise.all([ensureSingletons(), pruneSessions(), pruneFinishedJobs()]);
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    ensureSingletons,
    tick,
    start() {
      timer ??= setInterval(() => void tick(), d.intervalMs ?? Math.max(60_000, d.config.tracking.pollIntervalSeconds * 4000));
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
