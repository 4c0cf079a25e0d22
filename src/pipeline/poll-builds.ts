import type { Logger } from "pino";
import { BuilderError, type Builder } from "../domain/builder.js";
import { allowedFrom } from "../domain/build-lifecycle.js";
import { chunk, snapshotPatch } from "../domain/snapshot-patch.js";
import { reportJob } from "./job-kinds.js";
import type { BuildRow, Store } from "../store/store.js";

// A build CodeBuild has never heard of this long after it was started is lost, not just slow to appear.
const NOT_FOUND_GRACE_MS = 15 * 60_000;

export interface PollBuildsDeps {
  readonly store: Pick<Store, "updateBuild" | "markPolled">;
  readonly builder: Pick<Builder, "poll" | "maxPollBatch">;
  readonly log: Logger;
  readonly now?: () => number;
  /** Poll calls in flight at once. */
  readonly parallel?: number;
}

export interface PollSummary {
  readonly builds: number;
  readonly calls: number;
  readonly changed: number;
  readonly failedCalls: number;
}

/**
 * Polls the builder for these builds in batches of `maxPollBatch` (10,000 builds: 100 calls)
 * and stores what changed; each change queues a status report in the same transaction.
 * A failed batch is logged and left for the next cycle: polling never throws.
 */
export async function pollBuilds(deps: PollBuildsDeps, builds: readonly BuildRow[]): Promise<PollSummary> {
  const now = deps.now ?? Date.now;
  const byExternal = new Map(builds.filter((b) => b.external_id).map((b) => [b.external_id as string, b]));
  const batches = chunk([...byExternal.keys()], deps.builder.maxPollBatch);
  let changed = 0;
  let failedCalls = 0;
  async function pollBatch(ids: string[]): Promise<void> {
    let result;
    try {
      result = await deps.builder.poll(ids);
    } catch (err) {
      failedCalls++;
      deps.log.warn({ err: err instanceof BuilderError ? err.message : String(err), builds: ids.length }, "poll failed; will retry next cycle");
      return;
    }
    const unchanged: number[] = [];
    for (const snap of result.snapshots) {
      const build = byExternal.get(snap.externalId);
      if (!build) continue;
      const patch = snapshotPatch({ state: build.state, externalStatus: build.external_status, currentPhase: build.current_phase, phases: build.phases }, snap);
      if (!patch) {
        unchanged.push(build.id);
        continue;
      }
      // Compare-and-set: the row read before the poll may be stale (stopped meanwhile, or another replica's poll saw it finish).
      if (await deps.store.updateBuild(build.id, allowedFrom("poll", patch.state), { ...patch, polled_at: now() }, now(), [reportJob(build.id)])) changed++;
      else deps.log.info({ buildId: build.id, snapshot: patch.state }, "build changed since it was read; stale snapshot not stored");
    }
    // polled_at says when the builder last answered for the build (the stuck-build sweep reads it).
    if (unchanged.length > 0) await deps.store.markPolled(unchanged, now());
    for (const id of result.notFound) {
      const build = byExternal.get(id);
      if (build && now() - (build.started_at ?? build.created_at) > NOT_FOUND_GRACE_MS) {
        if (await deps.store.updateBuild(build.id, allowedFrom("builder_lost", "errored"), { state: "errored", error: `the builder does not know build ${id}` }, now(), [reportJob(build.id)])) changed++;
        else deps.log.info({ buildId: build.id }, "build unknown to the builder finished meanwhile; left as it is");
      }
    }
  }
  const queue = [...batches];
  const workers = Array.from({ length: Math.min(deps.parallel ?? 4, queue.length) }, async () => {
    for (let ids = queue.shift(); ids; ids = queue.shift()) await pollBatch(ids);
  });
  await Promise.all(workers);
  return { builds: byExternal.size, calls: batches.length, changed, failedCalls };
}
