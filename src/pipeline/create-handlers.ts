import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Builder } from "../domain/builder.js";
import { createRouter } from "../domain/route-event.js";
import { DEFAULT_SWEEP_POLICY } from "../domain/stuck-builds.js";
import { JOB } from "./job-kinds.js";
import type { Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";
import { withBuildLogContext } from "./job-log-context.js";
import { createProcessDelivery } from "./process-delivery.js";
import { createReportStatus } from "./report-status.js";
import type { SourceHosts } from "./source-host.js";
import { createStartBuild } from "./start-build.js";
import { createStopBuild } from "./stop-build.js";
import { createSweepStuck } from "./sweep-stuck.js";
import { createPollHint, createTrackBuilds } from "./track-builds.js";

export interface HandlerDeps {
  readonly config: Config;
  readonly store: Store;
  readonly builder: Builder;
  /** The source hosts (GitHub, CodeCommit): normalize, enrich, report, and their own jobs. */
  readonly hosts: SourceHosts;
  readonly log: Logger;
  /** Wakes the job runner when new jobs are due now. */
  readonly wake: () => void;
  readonly now?: () => number;
}

/** Every job kind's handler, wired once: the pipeline's own, then each host's. */
export function createHandlers(d: HandlerDeps): Record<string, JobHandler> {
  const now = d.now ? { now: d.now } : {};
  const pollIntervalMs = d.config.tracking.pollIntervalSeconds * 1000;
  const handlers: Record<string, JobHandler> = {
    [JOB.processDelivery]: createProcessDelivery({ store: d.store, hosts: d.hosts, route: createRouter(d.config.routes), onBuildsCreated: d.wake, ...now }),
    [JOB.startBuild]: withBuildLogContext(d.store, createStartBuild({ store: d.store, builder: d.builder, onStarted: d.wake, ...now })),
    [JOB.reportStatus]: withBuildLogContext(d.store, createReportStatus({ store: d.store, reporterOf: (provider) => d.hosts.forProvider(provider)?.reporter, publicUrl: d.config.server.publicUrl, ...now })),
    [JOB.stopBuild]: withBuildLogContext(d.store, createStopBuild({ store: d.store, builder: d.builder, ...now })),
    [JOB.trackBuilds]: createTrackBuilds({ store: d.store, builder: d.builder, intervalMs: pollIntervalMs, ...now }),
    [JOB.pollBuilds]: createPollHint({ store: d.store, builder: d.builder, log: d.log, ...now }),
    [JOB.sweepStuck]: createSweepStuck({
      store: d.store,
      builder: d.builder,
      policy: { ...DEFAULT_SWEEP_POLICY, pollIntervalMs, stuckAfterMs: d.config.tracking.stuckAfterMinutes * 60_000 },
      intervalMs: d.config.tracking.sweepIntervalSeconds * 1000,
      wake: d.wake,
      ...now,
    }),
  };
  for (const host of d.hosts.all) {
    for (const [kind, handler] of Object.entries(host.jobs?.handlers ?? {})) {
      if (handlers[kind]) throw new Error(`job kind ${kind} has two handlers (source host ${host.provider})`);
      handlers[kind] = handler;
    }
  }
  return handlers;
}
