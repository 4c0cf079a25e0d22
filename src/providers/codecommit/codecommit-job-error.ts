import { computeBackoff } from "../../domain/backoff.js";
import { CodeCommitApiError } from "./codecommit-api.js";
import { PermanentJobError, RetryLaterError } from "../../pipeline/job-errors.js";

/** Maps a CodeCommit API failure to what the job queue should do; anything else passes through. */
export function codeCommitJobError(err: unknown, attempt: number, random = Math.random()): unknown {
  if (!(err instanceof CodeCommitApiError)) return err;
  return err.retryable ? new RetryLaterError(err.message, computeBackoff(attempt, random)) : new PermanentJobError(err.message);
}
