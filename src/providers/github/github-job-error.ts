import { decideGithubFailure } from "../../domain/github-failure.js";
import { GithubApiError } from "./github-api.js";
import { PermanentJobError, RetryLaterError } from "../../pipeline/job-errors.js";

/** Maps a GitHub API failure to what the job queue should do: retry later (rate limits, 5xx) or give up (other 4xx). */
export function asJobError(err: unknown, attempt = 1, now = Date.now()): unknown {
  if (!(err instanceof GithubApiError)) return err;
  const decision = decideGithubFailure({ status: err.status, headers: err.headers, message: err.message, attempt, now });
  return decision.retry ? new RetryLaterError(decision.reason, decision.delayMs) : new PermanentJobError(decision.reason);
}
