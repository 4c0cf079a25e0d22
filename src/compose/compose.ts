import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Express } from "express";
import type { Logger } from "pino";
import { createApp } from "../app.js";
import type { Config } from "../config/config.js";
import { createInbox, type Inbox } from "../intake/create-inbox.js";
import { createCertificateSource, type CertificateSource } from "../intake/sns/cert-cache.js";
import { createDrainState, type DrainState } from "../web/drain-state.js";
import { createMetrics, type Metrics } from "../metrics/metrics.js";
import { createHandlers, type HandlerDeps } from "../pipeline/create-handlers.js";
import { createIntakePressure, type IntakePressure, type IntakePressureOptions } from "../pipeline/intake-pressure.js";
import { createJobRunner, type JobRunner } from "../pipeline/job-runner.js";
import { isLeaseHolderGone } from "../pipeline/lease-holder.js";
import { STORE_JOBS } from "../pipeline/job-kinds.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { createBuildLogs } from "../logs/create-build-logs.js";
import { createLogCache } from "../logs/log-cache.js";
import { createAdapters, type AdapterOverrides } from "./create-adapters.js";
import { createWatchdog, type Watchdog } from "./create-watchdog.js";
import { readPinnedCertificates } from "./read-pinned-certificates.js";

/** What a caller may set instead of what the config implies (tests: fakes, a clock, fast polling). */
export interface ComposeOptions extends AdapterOverrides {
  readonly log: Logger;
  /** Running the shipped demo config: the board says so. */
  readonly demo?: boolean;
  /** SNS signing certificates; default: the pinned ones, else fetched and cached. */
  readonly snsCertificates?: CertificateSource;
  readonly confirmSubscription?: (url: URL) => Promise<void>;
  readonly now?: () => number;
  /** Job runner tuning; defaults from config.jobs, and a worker id `host:pid:start`. */
  readonly runner?: { readonly workerId?: string; readonly concurrency?: number; readonly leaseMs?: number; readonly idlePollMs?: number; readonly backoffBaseMs?: number };
  readonly intakePressure?: IntakePressureOptions;
  readonly watchdogMs?: number;
}

/** The whole application, not yet started and not listening. */
export interface Composition {
  readonly config: Config;
  readonly log: Logger;
  readonly app: Express;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly drain: DrainState;
  readonly runner: JobRunner;
  readonly pressure: IntakePressure;
  readonly watchdog: Watchdog;
  readonly workerId: string;
  /** Releases the leases of dead processes on this host, ensures the tracker and sweeps, then starts the pressure sampler, the runner and the watchdog. */
  start(): Promise<void>;
  /**
   * Stops the timers and the board's live updates, then `finishJobs` (default: the runner stops
   * within jobs.drainSeconds and its unfinished jobs go back to the queue), then closes the local
   * runner and the store. Idempotent.
   */
  close(finishJobs?: () => Promise<void>): Promise<void>;
}

/** Counts every delivery the inbox stores towards the intake pressure. */
function pressuredInbox(inbox: Inbox, pressure: IntakePressure): Inbox {
  return {
    accept(delivery) {
      pressure.noteDelivery();
      return inbox.accept(delivery);
    },
  };
}

/** The one composition root: every part wired once, for `startBuildgate` and the tests alike. */
export async function compose(config: Config, o: ComposeOptions): Promise<Composition> {
  const { log } = o;
  const now = o.now ?? Date.now;
  const clock = o.now ? { now: o.now } : {};
  const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts, jobs: STORE_JOBS, onConnectionError: (err) => log.warn({ err: err.message }, "store connection lost; reconnecting") });
  const workerId = o.runner?.workerId ?? `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
  const metrics = createMetrics({ store, log });
  const drain = createDrainState();
  const adapters = createAdapters({ config, store, log, metrics, ...clock }, o);
  const wake = () => runner.wake();
  const handlerDeps: HandlerDeps = { config, store, log, hosts: adapters.hosts, builder: adapters.builder, wake, ...clock };
  // During a burst of webhooks the intake has the CPU and jobs run one at a time (intake-pressure.ts).
  const pressure = createIntakePressure(o.intakePressure);
  const runner: JobRunner = createJobRunner({ concurrency: config.jobs.concurrency, leaseMs: config.jobs.leaseSeconds * 1000, ...o.runner, queue: store.jobs, log, workerId, yieldToIntake: pressure.high, onJobFinished: metrics.observeJob, handlers: createHandlers(handlerDeps), ...clock });
  const watchdog = createWatchdog({ store, config, hosts: adapters.hosts, log, now, ...(o.watchdogMs !== undefined ? { intervalMs: o.watchdogMs } : {}) });

  const snsCertificates = o.snsCertificates ?? (config.codecommit?.sns ? createCertificateSource({ pinned: readPinnedCertificates(config.codecommit.sns.pinnedCertificates) }) : undefined);
  const limits = { maxBytes: config.logs.maxBytesPerBuild, maxLineChars: 10_000 };
  const logs = createBuildLogs({ store, sourceFor: adapters.logSourceFor, cache: createLogCache(resolve(config.logs.cacheDir), limits, config.logs.maxCacheBytes), limits, pollMs: config.logs.pollSeconds * 1000, log, ...clock });
  const inbox = pressuredInbox(createInbox(store, wake), pressure);
  const web = createApp({ config, store, inbox, log, metrics, drain, wake, demo: o.demo === true, logs, ...(adapters.localLogFile ? { localLogFile: adapters.localLogFile } : {}), ...(snsCertificates ? { snsCertificates } : {}), ...(o.confirmSubscription ? { confirmSubscription: o.confirmSubscription } : {}), ...clock });

  const finishJobs = async () => {
    const unfinished = await runner.stop(config.jobs.drainSeconds * 1000);
    const released = await store.jobs.release(workerId, now()).catch((err) => log.error({ err }, "could not release unfinished jobs; their leases will expire"));
    if (unfinished > 0 || (released ?? 0) > 0) log.warn({ released, unfinished }, "jobs still running at close were released to the queue");
  };
  let closing: Promise<void> | undefined;
  return {
    config,
    log,
    app: web.app,
    store,
    metrics,
    drain,
    runner,
    pressure,
    watchdog,
    workerId,
    async start() {
      // A crash leaves jobs leased to a process that no longer exists: take them back now
      // rather than waiting for their leases to expire.
      const released = await store.jobs.releaseLeases((holder) => isLeaseHolderGone(holder, hostname()), now());
      if (released > 0) log.warn({ released }, "requeued jobs held by a process that is gone");
      await watchdog.ensureSingletons();
      pressure.start();
      runner.start();
      watchdog.start();
    },
    close(finish = finishJobs) {
      closing ??= (async () => {
        watchdog.stop();
        pressure.stop();
        web.close();
        await finish();
        await adapters.close();
        await store.close();
      })();
      return closing;
    },
  };
}
