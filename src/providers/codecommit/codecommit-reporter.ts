import { createHash } from "node:crypto";
import { isFinal } from "../../domain/build-state.js";
import type { CodeCommitReporting } from "../../domain/route-rule.js";
import type { CodeCommitApi } from "./codecommit-api.js";
import type { CommitStatus } from "../../domain/commit-status.js";
import type { BuildRow } from "../../store/store.js";
import { codeCommitJobError } from "./codecommit-job-error.js";
import type { Reporter } from "../../pipeline/reporter.js";
import { codeCommitComment } from "./codecommit-comment.js";

const DEFAULT_REPORTING: CodeCommitReporting = { comments: true, approve: false, commentOnCommits: false };

/** Same build, same milestone: the same token, so a retried post never comments twice. */
export const commentToken = (build: BuildRow, milestone: string) => `bg-${createHash("sha256").update(`${build.id}|${build.dedupe_key}|${milestone}`).digest("hex").slice(0, 40)}`;

function milestoneOf(build: BuildRow): "started" | "finished" | undefined {
  const state = build.state;
  if (state === "queued" || state === "running") return "started";
  if (isFinal(state) && state !== "skipped") return "finished";
  return undefined;
}

/**
 * CodeCommit has no commit statuses: pull request builds get a comment when they start and when
 * they end (and, opted in per route, an approval on success / a revoked approval otherwise);
 * branch builds get a comment on the commit when they end, when the route opts in.
 */
export function createCodeCommitReporter(api: CodeCommitApi, reportingOf: (route: string) => CodeCommitReporting | undefined): Reporter {
  async function postOnPullRequest(build: BuildRow, status: CommitStatus, milestone: "started" | "finished", reporting: CodeCommitReporting) {
    const pr = await api.getPullRequest(String(build.pull_request));
    if (reporting.comments) {
      await api.postPullRequestComment({
        pullRequestId: pr.pullRequestId,
        repositoryName: build.repository,
        beforeCommitId: pr.destinationCommit,
        afterCommitId: build.sha,
        content: codeCommitComment(build, status, milestone),
        clientRequestToken: commentToken(build, milestone),
      });
    }
    // Approve only the revision that was built: a newer push makes the old result moot.
    if (milestone === "finished" && reporting.approve && pr.sourceCommit === build.sha && pr.status === "OPEN") {
      await api.updateApproval(pr.pullRequestId, pr.revisionId, status.state === "success" ? "APPROVE" : "REVOKE");
    }
  }
  return {
    desired(build, status) {
      const milestone = milestoneOf(build);
      return milestone && { state: milestone, description: milestone === "finished" ? status.description : "" };
    },
    reserve: () => 0,
    async post(build, status) {
      const milestone = milestoneOf(build);
      const reporting = reportingOf(build.route) ?? DEFAULT_REPORTING;
      if (!milestone) return;
      if (build.pull_request !== null) return postOnPullRequest(build, status, milestone, reporting);
      if (milestone === "finished" && reporting.commentOnCommits) {
        await api.postCommitComment({ repositoryName: build.repository, afterCommitId: build.sha, content: codeCommitComment(build, status, milestone), clientRequestToken: commentToken(build, milestone) });
      }
    },
    classify: (err, attempt) => codeCommitJobError(err, attempt),
  };
}
