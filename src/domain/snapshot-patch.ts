import type { BuildSnapshot } from "./build-snapshot.js";
import { fromCodeBuildStatus, isFinal, type BuildState } from "./build-state.js";

/** The tracked fields of a stored build that a snapshot can change. */
export interface TrackedBuild {
  readonly state: BuildState;
  readonly externalStatus: string | null;
  readonly currentPhase: string | null;
  readonly phases: string | null;
}

export interface SnapshotPatch {
  readonly state: BuildState;
  readonly external_status: string;
  readonly current_phase: string | null;
  readonly phases: string;
  readonly started_at?: number;
  readonly ended_at: number | null;
  readonly resolved_sha: string | null;
  readonly logs_url?: string;
}

/**
 * What a snapshot changes on a stored build, or undefined when nothing people can see changed.
 * A build buildgate already saw finish is never reopened by a stale snapshot.
 */
export function snapshotPatch(build: TrackedBuild, snap: BuildSnapshot): SnapshotPatch | undefined {
  if (isFinal(build.state)) return undefined;
  const state = fromCodeBuildStatus(snap.status, snap.currentPhase);
  const phases = JSON.stringify(snap.phases);
  const currentPhase = snap.currentPhase ?? null;
  if (state === build.state && snap.status === build.externalStatus && currentPhase === build.currentPhase && phases === build.phases) return undefined;
  return {
    state,
    external_status: snap.status,
    current_phase: currentPhase,
    phases,
    ...(snap.startedAt !== undefined ? { started_at: snap.startedAt } : {}),
    ended_at: snap.endedAt ?? null,
    resolved_sha: snap.resolvedSourceVersion ?? null,
    ...(snap.logsUrl ? { logs_url: snap.logsUrl } : {}),
  };
}

/** Splits ids into batches of at most `size` (BatchGetBuilds takes 100). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
