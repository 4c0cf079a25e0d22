import type { AwaitingApprovalPlan } from "../../domain/build-plan.js";
import { checkRunSummary } from "../../domain/check-run-output.js";
import type { RateGate } from "../../domain/rate-gate.js";
import type { SourceEvent } from "../../domain/source-event.js";
import { DeferJobError, RetryLaterError } from "../../pipeline/job-errors.js";
import type { JobHandler } from "../../pipeline/job-runner.js";
import type { NewJob } from "../../store/store.js";
import { GithubApiError, type GithubChecksApi } from "./github-api.js";
import { asJobError } from "./github-job-error.js";

export const AWAITING_CHECK_JOB = "github_awaiting_check";
/** External ids of these runs start with it: they never belong to a build. */
const PREFIX = "awaiting|";
const TITLE = "Waiting for approval (ok-to-test)";

interface AwaitingCheck {
  readonly repository: string;
  readonly sha: string;
  readonly context: string;
  readonly externalId: string;
  readonly installationId?: number;
  readonly reason: string;
  readonly label: string;
  readonly associations: readonly string[];
}

/** The job that shows a pull request held back by trust as a check run that asks for action. */
export function awaitingCheckJob(event: SourceEvent, plan: AwaitingApprovalPlan, reason: string): NewJob {
  const payload: AwaitingCheck = { repository: event.repository, sha: event.sha, context: plan.context, externalId: `${PREFIX}${plan.dedupeKey}`, reason, label: plan.label, associations: plan.associations, ...(event.installationId !== undefined ? { installationId: event.installationId } : {}) };
  return { kind: AWAITING_CHECK_JOB, payload, dedupeKey: payload.externalId };
}

export interface AwaitingCheckDeps {
  readonly checksFor: (installationId: number | undefined) => GithubChecksApi;
  readonly gate: RateGate;
  readonly publicUrl: string;
  readonly now?: () => number;
}

/**
 * Creates the `action_required` run once: a retry (or a redelivered event) that finds it, or
 * finds a build's run of the same name (approved meanwhile), creates nothing. The summary says
 * who may approve and how; GitHub shows the newest run of a name, so the build's run replaces it.
 */
export function createAwaitingCheckHandler(d: AwaitingCheckDeps): JobHandler {
  const now = d.now ?? Date.now;
  return {
    async run(payload, { job }) {
      const p = payload as AwaitingCheck;
      const wait = d.gate.reserve(now());
      if (wait > 0) throw new DeferJobError("check runs are at GitHub's rate limit", wait);
      try {
        const api = d.checksFor(p.installationId);
        const runs = await api.listCheckRuns(p.repository, p.sha, p.context);
        if (runs.some((r) => r.externalId !== null)) return;
        const summary = checkRunSummary({ state: "pending", buildUrl: `${d.publicUrl}/`, phases: [], awaiting: { reason: p.reason, label: p.label, associations: p.associations } });
        await api.createCheckRun(p.repository, { name: p.context, headSha: p.sha, externalId: p.externalId, status: "completed", conclusion: "action_required", completedAt: now(), detailsUrl: `${d.publicUrl}/`, output: { title: TITLE, summary } });
      } catch (err) {
        const jobError = asJobError(err, job.attempts, now());
        if (jobError instanceof RetryLaterError && err instanceof GithubApiError && (err.status === 403 || err.status === 429)) d.gate.pause(now() + jobError.delayMs);
        throw jobError;
      }
    },
  };
}
