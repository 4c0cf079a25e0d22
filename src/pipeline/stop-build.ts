import { BuilderError, type Builder } from "../domain/builder.js";
import { allowedFrom } from "../domain/build-lifecycle.js";
import { isFinal } from "../domain/build-state.js";
import { reportJob } from "./job-kinds.js";
import type { Store } from "../store/store.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./job-runner.js";

export interface StopBuildDeps {
  readonly store: Pick<Store, "getBuild" | "updateBuild">;
  readonly builder: Pick<Builder, "stop">;
  readonly now?: () => number;
}

/**
 * `stop_build`: stops a superseded build. A build that finished meanwhile keeps its result;
 * a permanent error from the builder (already complete) is not retried.
 */
export function createStopBuild(deps: StopBuildDeps): JobHandler {
  const now = deps.now ?? Date.now;
  return {
    async run(payload, { log }) {
      const { buildId } = payload as { buildId: number };
      const build = await deps.store.getBuild(buildId);
      if (!build) throw new PermanentJobError(`build ${buildId} does not exist`);
      if (isFinal(build.state) || !build.external_id) return;
      try {
        await deps.builder.stop(build.external_id);
      } catch (err) {
        if (err instanceof BuilderError && !err.retryable) {
          log.warn({ err: err.message }, "stop refused; the tracker will record how the build ended");
          return;
        }
        throw err;
      }
      if (!(await deps.store.updateBuild(buildId, allowedFrom("stop", "stopped"), { state: "stopped", ended_at: now() }, now(), [reportJob(buildId)]))) {
        log.info({ supersededBy: build.superseded_by }, "build finished while it was being stopped; it keeps its result");
        return;
      }
      log.info({ supersededBy: build.superseded_by }, "superseded build stopped");
    },
  };
}
