import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app.js";
import { createCodeBuildBuilder, createCodeBuildClient } from "./builders/codebuild/codebuild-builder.js";
import { localBuilderFromConfig } from "./builders/local/from-config.js";
import { createRouteBuilder } from "./builders/route-builder.js";
import type { Config } from "./config/config.js";
import { ConfigError } from "./config/config-error.js";
import type { Builder } from "./domain/builder.js";
import { createInbox, type Inbox } from "./intake/create-inbox.js";
import { createCertificateSource } from "./intake/sns/cert-cache.js";
import { drainProcess, trackRequests } from "./metrics/drain-process.js";
import { createDrainState } from "./metrics/drain-state.js";
import { createMetrics } from "./metrics/metrics.js";
import { createCodeCommitClient, createSdkCodeCommitApi } from "./providers/codecommit/sdk-codecommit-api.js";
import { createHandlers } from "./pipeline/create-handlers.js";
import { createIntakePressure } from "./pipeline/intake-pressure.js";
import { createJobRunner, type JobRunner } from "./pipeline/job-runner.js";
import { isLeaseHolderGone } from "./pipeline/lease-holder.js";
import { recoveryJobs } from "./pipeline/recovery-jobs.js";
import { trackerJob } from "./pipeline/track-builds.js";
import { createLoggingGithubApi } from "./providers/github/logging-github-api.js";
import { createOctokit, createOctokitGithubApi, observeRateLimit } from "./providers/github/octokit-github-api.js";
import { STORE_JOBS } from "./pipeline/job-kinds.js";
import { openStore } from "./store/open-store.js";

export interface Buildgate {
  readonly url: string;
  readonly server: Server;
  /**
   * Graceful shutdown: webhooks get 503 and /readyz fails, then the server stops accepting and
   * the jobs in flight finish (at most `jobs.drainSeconds`; the rest are released to the queue);
   * then the local runner and the store close.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Tests pass a fake; production builds the CodeBuild client from config. */
  readonly builder?: Builder;
  /** Running the shipped demo config: the board says so. */
  readonly demo?: boolean;
  readonly confirmSubscription?: (url: URL) => Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Board auth `none` (or no board section) is for local development: whatever server.host says,
 * buildgate then listens on loopback only, and says so loudly.
 */
function boardHost(config: Config, log: Logger): string {
  if (!config.board || config.board.auth.mode !== "none" || LOOPBACK.has(config.server.host)) return config.server.host;
  log.warn({ configuredHost: config.server.host }, "BOARD AUTH IS 'none': anyone who reaches the board controls builds. Listening on 127.0.0.1 only; configure board.auth (local or github) to listen on other interfaces");
  return "127.0.0.1";
}

/** codecommit.sns.pinnedCertificates: SigningCertURL → PEM file, read once at start. */
function readPinnedCertificates(pinned: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(pinned).map(([url, file]) => {
      try {
        return [url, readFileSync(file, "utf8")];
      } catch (err) {
        throw new ConfigError([`codecommit.sns.pinnedCertificates["${url}"]: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
      }
    }),
  );
}

/** The composition root: store, adapters, job runner and HTTP server, wired once. */
export async function startBuildgate(options: StartOptions): Promise<Buildgate> {
  const { config, log, builder } = options;
  const store = await openStore({ url: config.store.url, maxAttempts: config.jobs.maxAttempts, jobs: STORE_JOBS, onConnectionError: (err) => log.warn({ err: err.message }, "store connection lost; reconnecting") });
  const workerId = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
  const local = builder ? undefined : localBuilderFromConfig(config, log);
  const metrics = createMetrics({ store, log });
  const drain = createDrainState();
  const octokit = config.github?.auth ? createOctokit(config.github) : undefined;
  if (octokit) observeRateLimit(octokit, metrics.setGithubRateLimit);
  const github = octokit ? createOctokitGithubApi(octokit) : createLoggingGithubApi(log);
  const codecommit = config.codecommit
    ? createSdkCodeCommitApi(createCodeCommitClient({ region: config.codecommit.region ?? config.aws.region, endpoint: config.aws.endpoints.codecommit, maxAttempts: config.aws.maxAttempts }))
    : undefined;
  // During a burst of webhooks the intake has the CPU and jobs run one at a time (intake-pressure.ts).
  const pressure = createIntakePressure();
  const runner: JobRunner = createJobRunner({
    yieldToIntake: pressure.high,
    queue: store.jobs,
    log,
    workerId,
    concurrency: config.jobs.concurrency,
    leaseMs: config.jobs.leaseSeconds * 1000,
    onJobFinished: metrics.observeJob,
    handlers: createHandlers({
      config,
      store,
      log,
      github,
      ...(codecommit ? { codecommit } : {}),
      builder: builder ?? createRouteBuilder({ codebuild: createCodeBuildBuilder(createCodeBuildClient({ region: config.aws.region, endpoint: config.aws.endpoints.codebuild, maxAttempts: config.aws.maxAttempts, onApiError: metrics.countCodeBuildError })), ...(local ? { local } : {}), routes: config.routes }),
      wake: () => runner.wake(),
    }),
  });
  // A crash leaves jobs leased to a process that no longer exists: take them back now
  // rather than waiting for their leases to expire.
  const released = await store.jobs.releaseLeases((holder) => isLeaseHolderGone(holder, hostname()), Date.now());
  if (released > 0) log.warn({ released }, "requeued jobs held by a process that is gone");

  // The tracker re-enqueues itself; make sure one exists (first start, or after it was dead-lettered).
  // …and the recovery sweeps (stuck builds; GitHub redelivery when configured), singletons alike.
  const ensureTracker = () =>
    Promise.all([trackerJob(), ...recoveryJobs(config)].map((job) => store.jobs.ensure(job, Date.now()))).catch((err) => log.error({ err }, "could not schedule the tracker and sweeps"));
  await ensureTracker();
  // Up to 10 batches of 5,000 per round (one short statement each, the event loop free between
  // them): 50,000 a minute outpaces any job rate this process can sustain.
  const pruneFinishedJobs = async () => {
    const before = Date.now() - config.jobs.keepFinishedDays * 86_400_000;
    try {
      let pruned = 0;
      for (let batch = 0; batch < 10; batch++) {
        const n = await store.jobs.pruneFinished(before, 5_000);
        pruned += n;
        if (n < 5_000) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (pruned > 0) log.debug({ pruned }, "deleted finished jobs");
    } catch (err) {
      log.warn({ err }, "could not delete finished jobs");
    }
  };
  const watchdog = setInterval(() => {
    void ensureTracker();
    store.pruneSessions(Date.now()).catch((err) => log.warn({ err }, "could not prune expired sessions"));
    void pruneFinishedJobs();
  }, Math.max(60_000, config.tracking.pollIntervalSeconds * 4000));
  watchdog.unref();

  const stored = createInbox(store, () => runner.wake());
  const inbox: Inbox = {
    accept(delivery) {
      pressure.noteDelivery();
      return stored.accept(delivery);
    },
  };
  const snsCertificates = config.codecommit?.sns ? createCertificateSource({ pinned: readPinnedCertificates(config.codecommit.sns.pinnedCertificates) }) : undefined;
  const app = createApp({ config, store, inbox, log, metrics, drain, wake: () => runner.wake(), demo: options.demo === true, ...(snsCertificates ? { snsCertificates } : {}), ...(options.confirmSubscription ? { confirmSubscription: options.confirmSubscription } : {}) });
  const host = boardHost(config, log);
  // Node enforces headersTimeout/requestTimeout (set below) only when it checks connections,
  // every 30 s by default: a slowloris client would hold its socket three times longer.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, app).listen(config.server.port, host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // Slow or stalled clients must not hold sockets: headers within 10 s, a whole request within 60 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  const requests = trackRequests(server);
  pressure.start();
  runner.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info({ url, routes: config.routes.length, store: store.dialect }, "buildgate listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    close() {
      closing ??= (async () => {
        clearInterval(watchdog);
        pressure.stop();
        (app.locals.closeBoard as (() => void) | undefined)?.();
        await drainProcess({ drain, server, requests, runner, queue: store.jobs, workerId, drainMs: config.jobs.drainSeconds * 1000, log });
        await local?.close();
        await store.close();
      })();
      return closing;
    },
  };
}
