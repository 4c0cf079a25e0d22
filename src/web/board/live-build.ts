import { FAILURE_STATES, isFinal } from "../../domain/build-state.js";
import type { BuildRow } from "../../store/store.js";
import { toFailedBuildView, type ViewOptions } from "./view-model.js";

/**
 * One build as the live stream sends it (SSE `build` events; public/board.js applies it): what a
 * row, a dashboard card and the in-flight and failure lists need to change without a reload.
 * Only plain values; the script sets them with textContent.
 */
export function toLiveBuild(b: BuildRow, o: ViewOptions) {
  const v = toFailedBuildView(b, o);
  return {
    id: v.id,
    route: v.route,
    repository: v.repository,
    lane: v.lane,
    laneKey: v.laneKey,
    shortSha: v.shortSha,
    state: v.state,
    tone: v.tone,
    description: v.description,
    phase: v.phase,
    project: v.project,
    builder: v.builder,
    createdAt: v.createdAt,
    inFlight: v.inFlight,
    final: isFinal(v.state),
    // "Recent failures" takes it (FAILURE_STATES: failed, errored, timed out).
    failed: FAILURE_STATES.includes(v.state),
    failure: v.failure,
    ...(v.title ? { title: v.title } : {}),
    ...(v.author ? { author: v.author } : {}),
  };
}
