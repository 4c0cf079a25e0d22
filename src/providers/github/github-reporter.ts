import type { RateGate } from "../../domain/rate-gate.js";
import { GithubApiError, type GithubApi } from "./github-api.js";
import { asJobError } from "./github-job-error.js";
import { RetryLaterError } from "../../pipeline/job-errors.js";
import type { Reporter } from "../../pipeline/reporter.js";
import type { BuildRow } from "../../store/store.js";

/**
 * GitHub commit statuses: every change of state or description is posted. All posts of the
 * process share `gate` (GitHub's ~80 content-creating requests a minute); a rate-limit answer
 * pauses the gate for everyone, not only the job that hit it.
 */
export function createGithubReporter(githubFor: (build: BuildRow) => Pick<GithubApi, "createStatus">, gate: RateGate): Reporter {
  return {
    desired: (_build, status) => ({ state: status.state, description: status.description }),
    reserve: (now) => gate.reserve(now),
    // A GitHub App posts as the installation that delivered the build's event.
    post: async (build, status) => githubFor(build).createStatus(build.repository, build.sha, status),
    classify(err, attempt, now) {
      const jobError = asJobError(err, attempt, now);
      if (jobError instanceof RetryLaterError && err instanceof GithubApiError && (err.status === 403 || err.status === 429)) gate.pause(now + jobError.delayMs);
      return jobError;
    },
  };
}
