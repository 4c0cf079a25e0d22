import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Builder } from "../domain/builder.js";
import { createRateGate } from "../domain/rate-gate.js";
import { createRouter } from "../domain/route-event.js";
import type { GithubApi } from "../providers/github/github-api.js";
import { normalizeGithubEvent } from "../providers/github/normalize-github-event.js";
import { JOB } from "../store/job-kinds.js";
import type { Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";
import { createProcessDelivery } from "./process-delivery.js";
import { createReportStatus } from "./report-status.js";
import { createStartBuild } from "./start-build.js";
import { createStopBuild } from "./stop-build.js";
import { createPollHint, createTrackBuilds } from "./track-builds.js";

export interface HandlerDeps {
  readonly config: Config;
  readonly store: Store;
  readonly builder: Builder;
  readonly github: GithubApi;
  readonly log: Logger;
  /** Wakes the job runner when new jobs are due now. */
  readonly wake: () => void;
  readonly now?: () => number;
}

// GitHub allows about 80 content-creating requests a minute; keep a margin.
const STATUS_POSTS_PER_MINUTE = 75;

/** Every job kind's handler, wired once. */
export function createHandlers(d: HandlerDeps): Record<string, JobHandler> {
  const now = d.now ? { now: d.now } : {};
  return {
    [JOB.processDelivery]: createProcessDelivery({
      store: d.store,
      normalizers: { github: normalizeGithubEvent },
      routes: d.config.routes,
      route: createRouter(d.config.routes),
      github: d.github,
      onBuildsCreated: d.wake,
      ...now,
    }),
    [JOB.startBuild]: createStartBuild({ store: d.store, builder: d.builder, onStarted: d.wake, ...now }),
    [JOB.reportStatus]: createReportStatus({ store: d.store, reporters: { github: d.github }, publicUrl: d.config.server.publicUrl, gate: createRateGate(STATUS_POSTS_PER_MINUTE, 60_000), ...now }),
    [JOB.stopBuild]: createStopBuild({ store: d.store, builder: d.builder, ...now }),
    [JOB.trackBuilds]: createTrackBuilds({ store: d.store, builder: d.builder, intervalMs: d.config.tracking.pollIntervalSeconds * 1000, ...now }),
    [JOB.pollBuilds]: createPollHint({ store: d.store, builder: d.builder, log: d.log, ...now }),
  };
}
