import { createHash } from "node:crypto";
import { BuilderError, type Builder } from "../domain/builder.js";
import { JOB, reportJob } from "../store/job-kinds.js";
import type { Store } from "../store/store.js";
import { PermanentJobError, RetryLaterError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";

export interface StartBuildDeps {
  readonly store: Pick<Store, "getBuild" | "updateBuild">;
  /** Called after a build started, so its first status goes out at once. */
  readonly onStarted?: () => void;
  readonly builder: Builder;
  readonly now?: () => number;
}

/** Same build, same token: a start retried within CodeBuild's 5-minute window returns the same build. */
export function idempotencyTokenFor(dedupeKey: string): string {
  return `bg-${createHash("sha256").update(dedupeKey).digest("hex").slice(0, 40)}`;
}

/**
 * The `start_build` job. Permanent builder errors mark the build errored (not retried);
 * retryable ones go back to the queue with backoff; when the job gives up the build is errored too,
 * so no build stays pending forever.
 */
export function createStartBuild(deps: StartBuildDeps): JobHandler {
  const now = deps.now ?? Date.now;
  return {
    async run(payload, { log }) {
      const { buildId } = payload as { buildId: number };
      const build = await deps.store.getBuild(buildId);
      if (!build) throw new PermanentJobError(`build ${buildId} does not exist`);
      if (build.state !== "pending") return;
      try {
        const started = await deps.builder.start({
          route: build.route,
          repository: build.repository,
          sha: build.sha,
          project: build.project,
          sourceVersion: build.source_version,
          env: JSON.parse(build.env) as Record<string, string>,
          idempotencyToken: idempotencyTokenFor(build.dedupe_key),
        });
        // Superseded while CodeBuild was starting it? Then stop it right away.
        const current = await deps.store.getBuild(buildId);
        const followUps = current?.superseded_by != null ? [reportJob(buildId), { kind: JOB.stopBuild, payload: { buildId } }] : [reportJob(buildId)];
        await deps.store.updateBuild(buildId, { state: "queued", external_id: started.buildId, logs_url: started.logsUrl ?? null, started_at: now(), error: null }, now(), followUps);
        log.info({ buildId, externalId: started.buildId, project: build.project }, "build started");
        deps.onStarted?.();
      } catch (err) {
        if (!(err instanceof BuilderError)) throw err;
        if (!err.retryable) {
          await deps.store.updateBuild(buildId, { state: "errored", error: err.message }, now(), [reportJob(buildId)]);
          log.error({ buildId, project: build.project, err: err.message }, "build could not be started (permanent error)");
          return;
        }
        await deps.store.updateBuild(buildId, { error: err.message }, now());
        throw err.retryAfterMs !== undefined ? new RetryLaterError(err.message, err.retryAfterMs) : err;
      }
    },
    async onGiveUp(payload, error) {
      const { buildId } = payload as { buildId: number };
      await deps.store.updateBuild(buildId, { state: "errored", error: `gave up starting the build: ${error}` }, now(), [reportJob(buildId)]);
    },
  };
}
