import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "pino";
import type { JobResult } from "../pipeline/job-runner.js";
import type { JobQueue, Store } from "../store/store.js";
import { registerStoreGauges } from "./store-gauges.js";

/** How a webhook delivery ended: stored, known already, stored as ignored, or refused with a 4xx / failed with a 5xx. */
export type DeliveryOutcome = "accepted" | "duplicate" | "ignored" | `rejected_${number}` | `failed_${number}`;

/** Counts a delivery's outcome (the inbox decorator and the error middleware call it). */
export type CountDelivery = (source: string, outcome: DeliveryOutcome) => void;

/**
 * The process's Prometheus metrics, one registry per app (never prom-client's global one).
 * The recorders are plain functions so adapters take only the one they feed.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly countDelivery: CountDelivery;
  readonly observeJob: (kind: string, result: JobResult, seconds: number) => void;
  /** From a GitHub answer's x-ratelimit-remaining (and x-ratelimit-resource) headers. */
  readonly setGithubRateLimit: (resource: string, remaining: number) => void;
  /** One failed CodeBuild API attempt (retried by the SDK or not), by operation and error name. */
  readonly countCodeBuildError: (operation: string, error: string) => void;
}

export interface MetricsDeps {
  readonly store: Pick<Store, "countBuildsByState"> & { readonly jobs: Pick<JobQueue, "queueStats"> };
  readonly log: Logger;
  readonly now?: () => number;
  /** How long the builds-by-state count is reused (a grouped count over every build). Default 15 s. */
  readonly buildsCacheMs?: number;
}

// Jobs range from a millisecond (a status already posted) to a minute (a slow API with retries).
const JOB_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const deliveries = new Counter({ name: "buildgate_deliveries_total", help: "Webhook deliveries by source and outcome (accepted, duplicate, ignored, rejected_<4xx status>, failed_<5xx status>)", labelNames: ["source", "outcome"], registers });
  const jobs = new Counter({ name: "buildgate_jobs_processed_total", help: "Job runs by kind and result (done, retried, deferred, dead)", labelNames: ["kind", "result"], registers });
  const jobSeconds = new Histogram({ name: "buildgate_job_duration_seconds", help: "Time a job run took, by kind", labelNames: ["kind"], buckets: JOB_SECONDS, registers });
  const codebuildErrors = new Counter({ name: "buildgate_codebuild_api_errors_total", help: "Failed CodeBuild API attempts by operation and error name", labelNames: ["operation", "error"], registers });
  const githubRemaining = new Gauge({ name: "buildgate_github_rate_limit_remaining", help: "Requests left in the GitHub API rate-limit window, from the last answer's x-ratelimit-remaining", labelNames: ["resource"], registers });
  registerStoreGauges(registry, deps);
  return {
    registry,
    countDelivery: (source, outcome) => deliveries.inc({ source, outcome }),
    observeJob(kind, result, seconds) {
      jobs.inc({ kind, result });
      jobSeconds.observe({ kind }, seconds);
    },
    setGithubRateLimit: (resource, remaining) => githubRemaining.set({ resource }, remaining),
    countCodeBuildError: (operation, error) => codebuildErrors.inc({ operation, error }),
  };
}
