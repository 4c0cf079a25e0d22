import type { Logger } from "pino";
import { GithubApiError, type GithubApi } from "./github-api.js";

/**
 * Used when `github.auth` is not configured: statuses are logged instead of posted, changed
 * files are unknown (routes build rather than skip), comment commands cannot be checked, and
 * webhook deliveries cannot be listed (no redelivery sweep).
 */
export function createLoggingGithubApi(log: Logger): GithubApi {
  const notConfigured = () => {
    throw new GithubApiError("GitHub API access is not configured (github.auth)", 401);
  };
  return {
    async createStatus(repository, sha, status) {
      log.info({ repository, sha, ...status }, "commit status (not posted: github.auth is not configured)");
    },
    listPullRequestFiles: async () => undefined,
    getPullRequest: async () => notConfigured(),
    getPermission: async () => notConfigured(),
    listHooks: async () => notConfigured(),
    listHookDeliveries: async () => notConfigured(),
    redeliverHookDelivery: async () => notConfigured(),
  };
}
