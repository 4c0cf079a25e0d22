import type { Logger } from "pino";
import type { Builder } from "../domain/builder.js";
import { IN_FLIGHT_STATES } from "../domain/build-state.js";
import { JOB } from "./job-kinds.js";
import type { NewJob, Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";
import { pollBuilds } from "./poll-builds.js";

// More than this many builds in flight is beyond any account's CodeBuild quota; the rest wait a cycle.
const MAX_TRACKED = 50_000;

/** The tracker is one job that re-enqueues itself: one replica polls at a time. */
export const trackerJob = (runAt?: number): NewJob => ({ kind: JOB.trackBuilds, payload: {}, dedupeKey: "tracker", ...(runAt !== undefined ? { runAt } : {}) });

export interface TrackBuildsDeps {
  readonly store: Pick<Store, "listInFlightBuilds" | "updateBuild" | "markPolled" | "findBuildByExternalId" | "jobs">;
  readonly builder: Pick<Builder, "poll" | "maxPollBatch">;
  readonly intervalMs: number;
  readonly now?: () => number;
}

/** `track_builds`: polls every in-flight build, then schedules the next cycle. */
export function createTrackBuilds(deps: TrackBuildsDeps): JobHandler {
  const now = deps.now ?? Date.now;
  return {
    async run(_payload, { log }) {
      try {
        const builds = await deps.store.listInFlightBuilds(MAX_TRACKED);
        if (builds.length > 0) {
          const started = now();
          const summary = await pollBuilds({ store: deps.store, builder: deps.builder, log, now }, builds);
          log.info({ ...summary, ms: now() - started }, "tracking cycle");
        }
      } finally {
        await deps.store.jobs.enqueue(trackerJob(now() + deps.intervalMs), now());
      }
    },
  };
}

/** `poll_builds`: a hint (a CodeBuild state-change event) to poll some builds now. Polling stays the truth. */
export function createPollHint(deps: Omit<TrackBuildsDeps, "intervalMs"> & { readonly log: Logger }): JobHandler {
  return {
    async run(payload) {
      const { externalIds } = payload as { externalIds: string[] };
      const found = await Promise.all(externalIds.map((id) => deps.store.findBuildByExternalId(id)));
      const inFlight = found.filter((b) => b !== undefined && IN_FLIGHT_STATES.includes(b.state));
      if (inFlight.length > 0) await pollBuilds({ store: deps.store, builder: deps.builder, log: deps.log, ...(deps.now ? { now: deps.now } : {}) }, inFlight as NonNullable<(typeof found)[number]>[]);
    },
  };
}
