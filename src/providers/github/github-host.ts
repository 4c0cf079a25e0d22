import type { Logger } from "pino";
import { githubReport, type Config } from "../../config/config.js";
import type { BuildLogs } from "../../domain/build-logs.js";
import type { NormalizeResult } from "../../domain/source-event.js";
import { installationOfTrigger } from "../../domain/rebuild.js";
import { createRateGate } from "../../domain/rate-gate.js";
import type { SourceHost } from "../../pipeline/source-host.js";
import type { Store } from "../../store/store.js";
import { createGithubEnricher } from "./enrich-github.js";
import type { GithubApi, GithubChecksApi } from "./github-api.js";
import { createGithubChecksReporter } from "./github-checks-reporter.js";
import { AWAITING_CHECK_JOB, awaitingCheckJob, createAwaitingCheckHandler } from "./github-awaiting-check.js";
import { asJobError } from "./github-job-error.js";
import { createGithubReporter } from "./github-reporter.js";
import { createLoggingGithubApi } from "./logging-github-api.js";
import { normalizeGithubDelivery } from "./normalize-github-event.js";
import { createOctokitChecksApi, createOctokitGithubApi, createOctokits, observeRateLimit } from "./octokit-github-api.js";
import { githubRedeliveryJobs } from "./redeliver-github.js";

// GitHub allows about 80 content-creating requests a minute; keep a margin.
const CONTENT_REQUESTS_PER_MINUTE = 75;

export interface GithubHostDeps {
  readonly config: Config;
  readonly store: Pick<Store, "listBuildsForCommit" | "knownDeliveryIds" | "jobs" | "getCheckRun" | "saveCheckRun" | "saveAnnotationsSent">;
  readonly log: Logger;
  /** The API to use for every installation (tests pass a fake); default: Octokit with `github.auth`, or one that only logs without it. */
  readonly api?: GithubApi;
  /** The check-run API to use for every installation (tests); default: Octokit as the build's installation. */
  readonly checks?: GithubChecksApi;
  /** Build logs, for the end of the log in a failed build's check run. */
  readonly logs?: Pick<BuildLogs, "last">;
  /** Told of the rate limit left after every API answer (metrics). */
  readonly onRateLimit?: (resource: string, remaining: number) => void;
  readonly now?: () => number;
}

/** The GitHub APIs, per installation of a GitHub App (the delivery's; else `github.auth.installationId`). */
export interface GithubApis {
  api(installationId?: number): GithubApi;
  checks(installationId?: number): GithubChecksApi;
}

/** The GitHub APIs the config asks for: Octokit with `github.auth` (one client per App installation), else statuses are only logged. */
export function githubApisFromConfig(config: Config, log: Logger, onRateLimit?: GithubHostDeps["onRateLimit"]): GithubApis {
  if (!config.github?.auth) {
    const logging = createLoggingGithubApi(log);
    return { api: () => logging, checks: () => { throw new Error("check runs need github.auth to be a GitHub App"); } };
  }
  const octokits = createOctokits(config.github);
  const apis = new Map<number | undefined, { api: GithubApi; checks: GithubChecksApi }>();
  const of = (installationId?: number) => {
    let entry = apis.get(installationId);
    if (!entry) {
      const octokit = octokits(installationId);
      if (onRateLimit) observeRateLimit(octokit, onRateLimit);
      entry = { api: createOctokitGithubApi(octokit), checks: createOctokitChecksApi(octokit) };
      apis.set(installationId, entry);
    }
    return entry;
  };
  return { api: (id) => of(id).api, checks: (id) => of(id).checks };
}

/** The GitHub API the config asks for, as the configured installation (or the token). */
export function githubApiFromConfig(config: Config, log: Logger, onRateLimit?: GithubHostDeps["onRateLimit"]): GithubApi {
  return githubApisFromConfig(config, log, onRateLimit).api();
}

/** An API whose client is picked at its first call (an App installation may not be known yet, or not be needed at all). */
function lazyApi(get: () => GithubApi): GithubApi {
  return {
    createStatus: async (...a) => get().createStatus(...a),
    listPullRequestFiles: async (...a) => get().listPullRequestFiles(...a),
    getPullRequest: async (...a) => get().getPullRequest(...a),
    getPermission: async (...a) => get().getPermission(...a),
    listHooks: async (...a) => get().listHooks(...a),
    listHookDeliveries: async (...a) => get().listHookDeliveries(...a),
    redeliverHookDelivery: async (...a) => get().redeliverHookDelivery(...a),
  };
}

const installationOfResult = (r: NormalizeResult): number | undefined => (r.kind === "event" ? r.event.installationId : r.kind === "command" ? r.request.installationId : undefined);

/**
 * GitHub as a source host: webhook deliveries, comment commands and pull request files through
 * the API, commit statuses, and the redelivery sweep. Every content-creating request of the
 * process (statuses, redeliveries) shares one budget; a rate-limit answer pauses it for all.
 */
export function createGithubHost(d: GithubHostDeps): SourceHost {
  let fromConfig: GithubApis | undefined;
  const configured = () => (fromConfig ??= githubApisFromConfig(d.config, d.log, d.onRateLimit));
  const apiFor = (id?: number) => d.api ?? configured().api(id);
  const checksFor = (id?: number) => d.checks ?? configured().checks(id);

  const gate = createRateGate(CONTENT_REQUESTS_PER_MINUTE, 60_000);
  const report = d.config.github ? githubReport(d.config.github) : "statuses";
  const auth = d.config.github?.auth;
  const redelivery = githubRedeliveryJobs({ config: d.config, github: lazyApi(() => apiFor()), store: d.store, gate, ...(d.now ? { now: d.now } : {}) });
  return {
    provider: "github",
    sources: ["github"],
    normalize: normalizeGithubDelivery,
    // Each delivery's own installation answers for its repository.
    enrich: (r) => createGithubEnricher({ github: lazyApi(() => apiFor(installationOfResult(r))), store: d.store, routes: d.config.routes })(r),
    reporter:
      report === "checks"
        ? createGithubChecksReporter({ checksFor, store: d.store, gate, ...(auth && "appId" in auth ? { appId: Number(auth.appId) } : {}), ...(d.logs ? { logs: d.logs } : {}), ...(d.now ? { now: d.now } : {}) })
        : createGithubReporter((build) => apiFor(installationOfTrigger(build.trigger)), gate),
    jobError: asJobError,
    ...(report === "checks"
      ? {
          jobs: { ...redelivery, handlers: { ...redelivery.handlers, [AWAITING_CHECK_JOB]: createAwaitingCheckHandler({ checksFor, gate, publicUrl: d.config.server.publicUrl, ...(d.now ? { now: d.now } : {}) }) } },
          awaitingApproval: awaitingCheckJob,
        }
      : { jobs: redelivery }),
  };
}
