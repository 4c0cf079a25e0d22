import { toCommitState } from "../domain/build-state.js";
import { storedPhases } from "../domain/build-snapshot.js";
import { describeBuild } from "../domain/status-description.js";
import type { CommitStatus } from "../domain/commit-status.js";
import type { BuildRow, Store } from "../store/store.js";
import { DeferJobError, PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";
import type { Reporter } from "./reporter.js";

export interface ReportStatusDeps {
  readonly store: Pick<Store, "getBuild" | "latestBuildForTarget" | "getStatusReport" | "saveStatusReport">;
  /** The reporter of a build's provider (its source host's), if it has one. */
  readonly reporterOf: (provider: string) => Reporter | undefined;
  readonly publicUrl: string;
  readonly now?: () => number;
}

export const statusTarget = (b: Pick<BuildRow, "provider" | "repository" | "sha" | "context">) => [b.provider, b.repository, b.sha, b.context].join("|");

/** The status a build should show now. */
export async function statusOf(store: ReportStatusDeps["store"], b: BuildRow, publicUrl: string): Promise<CommitStatus> {
  const supersededBy = b.superseded_by !== null ? await store.getBuild(b.superseded_by) : undefined;
  const description = describeBuild({
    state: b.state,
    currentPhase: b.current_phase,
    phases: storedPhases(b.phases),
    startedAt: b.started_at,
    endedAt: b.ended_at,
    error: b.error,
    supersededBy: b.state === "stopped" && supersededBy ? `${supersededBy.sha.slice(0, 7)} (build #${supersededBy.id})` : null,
  });
  return { state: toCommitState(b.state), description, context: b.context, targetUrl: `${publicUrl}/builds/${b.id}` };
}

/**
 * The `report_status` job. Idempotent like Prow's crier: the target (repository, commit,
 * context) is posted only when what it should show differs from what was last posted, and only
 * by the newest build of that target. Rate limits defer or retry; other 4xx give up with the
 * reason recorded on the report.
 */
export function createReportStatus(deps: ReportStatusDeps): JobHandler {
  const now = deps.now ?? Date.now;
  // A build that changes while its report job runs queues another one, and the two can run at
  // once: both would read the last post before either saved it and post the same state twice.
  // A build's reports therefore take turns in this process.
  const turns = new Map<number, Promise<unknown>>();
  const inTurn = <T>(buildId: number, fn: () => Promise<T>): Promise<T> => {
    const run = (turns.get(buildId) ?? Promise.resolve()).then(fn, fn);
    const settled = run.catch(() => undefined);
    turns.set(buildId, settled);
    void settled.then(() => turns.get(buildId) === settled && turns.delete(buildId));
    return run;
  };
  const handler: JobHandler = {
    async run(payload, { log, job }) {
      const { buildId } = payload as { buildId: number };
      const build = await deps.store.getBuild(buildId);
      if (!build) throw new PermanentJobError(`build ${buildId} does not exist`);
      const reporter = deps.reporterOf(build.provider);
      // Statuses show the newest build of a target only; a check run is each build's own.
      if (!reporter?.perBuild) {
        const latest = await deps.store.latestBuildForTarget(build.repository, build.sha, build.context);
        if (latest && latest.id !== build.id) return;
      }
      if (!reporter) throw new PermanentJobError(`no status reporter for ${build.provider}`);
      const target = statusTarget(build);
      const status = await statusOf(deps.store, build, deps.publicUrl);
      const wanted = reporter.desired(build, status);
      const previous = await deps.store.getStatusReport(target);
      if (!wanted || (previous?.reported_at && previous.build_id === build.id && previous.state === wanted.state && previous.description === wanted.description)) return;
      const wait = reporter.reserve(now());
      if (wait > 0) throw new DeferJobError("status posts are at the provider's rate limit", wait);
      const base = { target, provider: build.provider, build_id: build.id, state: wanted.state, description: wanted.description, target_url: status.targetUrl ?? null };
      try {
        await reporter.post(build, status);
      } catch (err) {
        const jobError = reporter.classify(err, job.attempts, now());
        if (jobError instanceof PermanentJobError) {
          // The provider will never take this one (e.g. 1000 statuses on this commit): record why and stop.
          await deps.store.saveStatusReport({ ...base, posts: previous?.posts ?? 0, reported_at: previous?.reported_at ?? null, error: jobError.message });
          log.error({ target, err: jobError.message }, "status report given up");
          return;
        }
        throw jobError;
      }
      await deps.store.saveStatusReport({ ...base, posts: (previous?.posts ?? 0) + 1, reported_at: now(), error: null });
      log.info({ repository: build.repository, sha: build.sha, context: build.context, state: wanted.state, description: wanted.description }, "status reported");
    },
  };
  return { run: (payload, ctx) => inTurn((payload as { buildId: number }).buildId, () => handler.run(payload, ctx)) };
}
