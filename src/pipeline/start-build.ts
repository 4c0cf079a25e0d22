import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { BuilderError, type Builder, type StartedBuild, type StartRequest } from "../domain/builder.js";
import { allowedFrom } from "../domain/build-lifecycle.js";
import { planStartAttempt } from "../domain/start-attempt.js";
import { reportJob } from "./job-kinds.js";
import type { BuildRow, Store } from "../store/store.js";
import { PermanentJobError, RetryLaterError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";

export interface StartBuildDeps {
  readonly store: Pick<Store, "getBuild" | "updateBuild" | "recordStartAttempt">;
  /** Called after a build started, so its first status goes out at once. */
  readonly onStarted?: () => void;
  readonly builder: Builder;
  readonly now?: () => number;
}

/** Same build, same token: a start retried within CodeBuild's 5-minute window returns the same build. */
export function idempotencyTokenFor(dedupeKey: string): string {
  return `bg-${createHash("sha256").update(dedupeKey).digest("hex").slice(0, 40)}`;
}

const startRequestOf = (build: BuildRow): StartRequest => ({
  route: build.route,
  repository: build.repository,
  sha: build.sha,
  project: build.project,
  sourceVersion: build.source_version,
  env: JSON.parse(build.env) as Record<string, string>,
  idempotencyToken: idempotencyTokenFor(build.dedupe_key),
});

/**
 * The `start_build` job. Permanent builder errors mark the build errored (not retried);
 * retryable ones go back to the queue with backoff; when the job gives up the build is errored too,
 * so no build stays pending forever.
 *
 * The first attempt's time is stored before its StartBuild call. An attempt 4 minutes or more
 * after it (CodeBuild forgets the idempotency token after 5) first asks the builder for a build
 * carrying the build's BUILDGATE_BUILD_KEY, and adopts it instead of starting a second one.
 */
export function createStartBuild(deps: StartBuildDeps): JobHandler {
  const now = deps.now ?? Date.now;

  /** The build an earlier attempt started, when the token may have expired; undefined: start one. */
  async function earlierBuild(build: BuildRow, attempt: number, log: Logger): Promise<StartedBuild | undefined> {
    // No first attempt recorded, yet one was made (a row from before the column existed): its creation bounds it.
    const madeBefore = build.error !== null || attempt > 1;
    const plan = planStartAttempt(build.first_start_at ?? (madeBefore ? build.created_at : null), now());
    if (plan.kind === "first") {
      // Durable before the call (fsync'd, even on SQLite's NORMAL): after a crash or a power loss
      // right after StartBuild, the restart knows an attempt was made.
      await deps.store.recordStartAttempt(build.id, now());
      return undefined;
    }
    if (plan.kind === "retry" || !deps.builder.findByKey) return undefined;
    try {
      const found = await deps.builder.findByKey(build.project, build.dedupe_key, plan.since, build.route);
      log.info({ project: build.project, firstStartAt: build.first_start_at, found: found?.buildId ?? null }, found ? "found the build an earlier start attempt started" : "no build from an earlier start attempt; starting one");
      return found;
    } catch (err) {
      // Not allowed to look (no codebuild:ListBuildsForProject) or the like: start as before this check existed.
      if (err instanceof BuilderError && !err.retryable) {
        log.warn({ project: build.project, err: err.message }, "cannot look for a build from an earlier start attempt; starting (a duplicate is possible)");
        return undefined;
      }
      throw err;
    }
  }

  /**
   * The build left pending while the builder was starting it (a newer event superseded it, or
   * another replica's attempt recorded it first). Superseded: stop what was just started. Otherwise
   * the other attempt's write stands (same idempotency token: the same build).
   */
  async function stopOrphan(build: BuildRow, started: StartedBuild, log: Logger): Promise<void> {
    const current = await deps.store.getBuild(build.id);
    log.warn({ externalId: started.buildId, state: current?.state, supersededBy: current?.superseded_by }, "build left pending while it was starting; its start is not recorded");
    if (current?.superseded_by == null || current.external_id === started.buildId) return;
    try {
      await deps.builder.stop(started.buildId);
    } catch (err) {
      log.warn({ externalId: started.buildId, err: err instanceof Error ? err.message : String(err) }, "could not stop the build started for a superseded build");
    }
  }

  return {
    async run(payload, { log, job }) {
      const { buildId } = payload as { buildId: number };
      const build = await deps.store.getBuild(buildId);
      if (!build) throw new PermanentJobError(`build ${buildId} does not exist`);
      if (build.state !== "pending") return;
      try {
        const started = (await earlierBuild(build, job.attempts, log)) ?? (await deps.builder.start(startRequestOf(build)));
        const applied = await deps.store.updateBuild(buildId, allowedFrom("start", "queued"), { state: "queued", external_id: started.buildId, logs_url: started.logsUrl ?? null, started_at: now(), error: null }, now(), [reportJob(buildId)]);
        if (!applied) return await stopOrphan(build, started, log);
        log.info({ externalId: started.buildId, project: build.project }, "build started");
        deps.onStarted?.();
      } catch (err) {
        if (!(err instanceof BuilderError)) throw err;
        if (!err.retryable) {
          if (await deps.store.updateBuild(buildId, allowedFrom("start_refused", "errored"), { state: "errored", error: err.message }, now(), [reportJob(buildId)])) {
            log.error({ project: build.project, err: err.message }, "build could not be started (permanent error)");
          } else log.warn({ project: build.project, err: err.message }, "build could not be started, and is no longer pending: left as it is");
          return;
        }
        await deps.store.updateBuild(buildId, allowedFrom("start", "pending"), { error: err.message }, now());
        throw err.retryAfterMs !== undefined ? new RetryLaterError(err.message, err.retryAfterMs) : err;
      }
    },
    async onGiveUp(payload, error, { log }) {
      const { buildId } = payload as { buildId: number };
      // A build that left pending meanwhile (started by another attempt, superseded) keeps its state.
      if (!(await deps.store.updateBuild(buildId, allowedFrom("give_up", "errored"), { state: "errored", error: `gave up starting the build: ${error}` }, now(), [reportJob(buildId)]))) {
        log.info("gave up starting a build that is no longer pending; it keeps its state");
      }
    },
  };
}
