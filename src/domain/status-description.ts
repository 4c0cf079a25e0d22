import { failedPhase, type PhaseRecord } from "./build-snapshot.js";
import type { BuildState } from "./build-state.js";

// GitHub refuses descriptions over 140 characters (422).
export const MAX_DESCRIPTION = 140;

/** 45s, 3m12s, 1m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

export function truncate(text: string, max = MAX_DESCRIPTION): string {
  // GitHub refuses 4-byte characters (emoji) in descriptions with a 422.
  const oneLine = text.replace(/[\u{10000}-\u{10FFFF}]/gu, "").replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

export interface DescribedBuild {
  readonly state: BuildState;
  readonly currentPhase?: string | null;
  readonly phases: readonly PhaseRecord[];
  readonly startedAt?: number | null;
  readonly endedAt?: number | null;
  readonly error?: string | null;
  /** Short SHA of the newer commit, when the build was superseded. */
  readonly supersededBy?: string | null;
}

/** The status description people read on the pull request, always ≤ 140 characters. */
export function describeBuild(b: DescribedBuild): string {
  const took = b.startedAt && b.endedAt ? formatDuration(b.endedAt - b.startedAt) : undefined;
  const after = took ? ` after ${took}` : "";
  const inPhase = () => {
    const phase = failedPhase(b.phases)?.type ?? (b.currentPhase === "COMPLETED" ? undefined : b.currentPhase);
    return phase ? ` in ${phase} phase` : "";
  };
  switch (b.state) {
    case "pending":
      return truncate(b.error ? `Waiting to start (retrying: ${b.error})` : "Waiting to start");
    case "queued":
      return "Build queued";
    case "running":
      return truncate(b.currentPhase ? `Building: ${b.currentPhase} phase` : "Building");
    case "succeeded":
      return took ? `Succeeded in ${took}` : "Succeeded";
    case "failed":
      return truncate(`Failed${inPhase()}${after}`);
    case "timed_out":
      return truncate(`Timed out${inPhase()}${after}`);
    case "stopped":
      return truncate(b.supersededBy ? `Superseded by ${b.supersededBy}` : `Stopped${after}`);
    case "errored":
      return truncate(b.error ? `Error: ${b.error}` : `Build error${inPhase()}${after}`);
    case "skipped":
      return "Not affected by this change";
  }
}
