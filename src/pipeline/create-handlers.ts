import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Builder } from "../domain/builder.js";
import { createRateGate } from "../domain/rate-gate.js";
import { createRouter } from "../domain/route-event.js";
import type { CodeCommitApi } from "../providers/codecommit/codecommit-api.js";
import { normalizeCodeCommitDelivery } from "../providers/codecommit/normalize-codecommit-delivery.js";
import type { GithubApi } from "../providers/github/github-api.js";
import { normalizeGithubEvent } from "../providers/github/normalize-github-event.js";
import { JOB } from "./job-kinds.js";
import type { Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";
import { createCodeCommitEnricher } from "./enrich-codecommit.js";
import { createGithubEnricher } from "./enrich-github.js";
import { withBuildLogContext } from "./job-log-context.js";
import { createProcessDelivery, type DeliverySource } from "./process-delivery.js";
import { createRedeliverGithub } from "./redeliver-github.js";
import { createReportStatus } from "./report-status.js";
import { createCodeCommitReporter } from "./reporters/codecommit-reporter.js";
import { createGithubReporter } from "./reporters/github-reporter.js";
import { createStartBuild } from "./start-build.js";
import { createStopBuild } from "./stop-build.js";
import { createSweepStuck } from "./sweep-stuck.js";
import { DEFAULT_SWEEP_POLICY } from "../domain/stuck-builds.js";
import { createPollHint, createTrackBuilds } from "./track-builds.js";

export interface HandlerDeps {
  readonly config: Config;
  readonly store: Store;
  readonly builder: Builder;
  readonly github: GithubApi;
  /** Present when CodeCommit is configured. */
  readonly codecommit?: CodeCommitApi;
  readonly log: Logger;
  /** Wakes the job runner when new jobs are due now. */
  readonly wake: () => void;
  readonly now?: () => number;
}

// GitHub allows about 80 content-creating requests a minute; keep a margin.
const STATUS_POSTS_PER_MINUTE = 75;

function deliverySources(d: HandlerDeps): Record<string, DeliverySource> {
  const codecommit: DeliverySource = {
    normalize: normalizeCodeCommitDelivery,
    ...(d.codecommit ? { enrich: createCodeCommitEnricher({ api: d.codecommit, routes: d.config.routes }) } : {}),
  };
  return {
    github: { normalize: normalizeGithubEvent, enrich: createGithubEnricher({ github: d.github, store: d.store, routes: d.config.routes }) },
    sns: codecommit,
    eventbridge: codecommit,
  };
}

/** Every job kind's handler, wired once. */
export function createHandlers(d: HandlerDeps): Record<string, JobHandler> {
  const now = d.now ? { now: d.now } : {};
  const routesByName = new Map(d.config.routes.map((r) => [r.name, r]));
  // Every content-creating GitHub request of the process (statuses, redeliveries) shares one budget.
  const githubGate = createRateGate(STATUS_POSTS_PER_MINUTE, 60_000);
  const redelivery = d.config.github?.redelivery;
  return {
    [JOB.processDelivery]: createProcessDelivery({
      store: d.store,
      sources: deliverySources(d),
      route: createRouter(d.config.routes),
      onBuildsCreated: d.wake,
      ...now,
    }),
    [JOB.startBuild]: withBuildLogContext(d.store, createStartBuild({ store: d.store, builder: d.builder, onStarted: d.wake, ...now })),
    [JOB.reportStatus]: withBuildLogContext(d.store, createReportStatus({
      store: d.store,
      reporters: {
        github: createGithubReporter(d.github, githubGate),
        ...(d.codecommit ? { codecommit: createCodeCommitReporter(d.codecommit, (name) => routesByName.get(name)?.codecommit) } : {}),
      },
      publicUrl: d.config.server.publicUrl,
      ...now,
    })),
    [JOB.stopBuild]: withBuildLogContext(d.store, createStopBuild({ store: d.store, builder: d.builder, ...now })),
    [JOB.trackBuilds]: createTrackBuilds({ store: d.store, builder: d.builder, intervalMs: d.config.tracking.pollIntervalSeconds * 1000, ...now }),
    [JOB.pollBuilds]: createPollHint({ store: d.store, builder: d.builder, log: d.log, ...now }),
    [JOB.sweepStuck]: createSweepStuck({
      store: d.store,
      builder: d.builder,
      policy: { ...DEFAULT_SWEEP_POLICY, pollIntervalMs: d.config.tracking.pollIntervalSeconds * 1000, stuckAfterMs: d.config.tracking.stuckAfterMinutes * 60_000 },
      intervalMs: d.config.tracking.sweepIntervalSeconds * 1000,
      wake: d.wake,
      ...now,
    }),
    // Registered even when disabled: a run left queued by an earlier config then ends quietly.
    [JOB.redeliverGithub]: redelivery?.enabled
      ? createRedeliverGithub({
          github: d.github,
          store: d.store,
          settings: redelivery,
          repositories: d.config.routes.flatMap((r) => (r.source.provider === "github" ? [r.source.repository] : [])),
          hookUrl: `${d.config.server.publicUrl}/webhooks/github`,
          gate: githubGate,
          ...now,
        })
      : { run: async () => undefined },
  };
}
