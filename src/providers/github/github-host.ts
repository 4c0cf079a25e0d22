import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import { createRateGate } from "../../domain/rate-gate.js";
import type { SourceHost } from "../../pipeline/source-host.js";
import type { Store } from "../../store/store.js";
import { createGithubEnricher } from "./enrich-github.js";
import type { GithubApi } from "./github-api.js";
import { asJobError } from "./github-job-error.js";
import { createGithubReporter } from "./github-reporter.js";
import { createLoggingGithubApi } from "./logging-github-api.js";
import { normalizeGithubEvent } from "./normalize-github-event.js";
import { createOctokit, createOctokitGithubApi, observeRateLimit } from "./octokit-github-api.js";
import { githubRedeliveryJobs } from "./redeliver-github.js";

// GitHub allows about 80 content-creating requests a minute; keep a margin.
const CONTENT_REQUESTS_PER_MINUTE = 75;

export interface GithubHostDeps {
  readonly config: Config;
  readonly store: Pick<Store, "listBuildsForCommit" | "knownDeliveryIds" | "jobs">;
  readonly log: Logger;
  /** The API to use (tests pass a fake); default: Octokit with `github.auth`, or one that only logs without it. */
  readonly api?: GithubApi;
  /** Told of the rate limit left after every API answer (metrics). */
  readonly onRateLimit?: (resource: string, remaining: number) => void;
  readonly now?: () => number;
}

/** The GitHub API the config asks for: Octokit with `github.auth`, else statuses are only logged. */
export function githubApiFromConfig(config: Config, log: Logger, onRateLimit?: GithubHostDeps["onRateLimit"]): GithubApi {
  if (!config.github?.auth) return createLoggingGithubApi(log);
  const octokit = createOctokit(config.github);
  if (onRateLimit) observeRateLimit(octokit, onRateLimit);
  return createOctokitGithubApi(octokit);
}

/**
 * GitHub as a source host: webhook deliveries, comment commands and pull request files through
 * the API, commit statuses, and the redelivery sweep. Every content-creating request of the
 * process (statuses, redeliveries) shares one budget; a rate-limit answer pauses it for all.
 */
export function createGithubHost(d: GithubHostDeps): SourceHost {
  const api = d.api ?? githubApiFromConfig(d.config, d.log, d.onRateLimit);
  const gate = createRateGate(CONTENT_REQUESTS_PER_MINUTE, 60_000);
  return {
    provider: "github",
    sources: ["github"],
    normalize: normalizeGithubEvent,
    enrich: createGithubEnricher({ github: api, store: d.store, routes: d.config.routes }),
    reporter: createGithubReporter(api, gate),
    jobError: asJobError,
    jobs: githubRedeliveryJobs({ config: d.config, github: api, store: d.store, gate, ...(d.now ? { now: d.now } : {}) }),
  };
}
