import { failedPhase, type PhaseRecord } from "./build-snapshot.js";
import type { BuildState } from "./build-state.js";
import { failureCause } from "./failure-cause.js";

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

// GitHub refuses 4-byte characters (emoji) in descriptions with a 422.
const clean = (text: string) => text.replace(/[\u{10000}-\u{10FFFF}]/gu, "").replace(/\s+/g, " ");

export function truncate(text: string, max = MAX_DESCRIPTION): string {
  const oneLine = clean(text).trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

// Below this, a shortened command says nothing: the end of the text is cut instead.
const MIN_MIDDLE = 12;

/** `head + middle + tail` in 140 characters, shortening the middle (a command, a reason) first. */
function fitMiddle(head: string, middle: string, tail: string): string {
  const [h, m, t] = [clean(head).trimStart(), clean(middle).trim(), clean(tail).trimEnd()];
  const room = MAX_DESCRIPTION - h.length - t.length;
  if (m.length <= room) return truncate(h + m + t);
  if (room < MIN_MIDDLE) return truncate(h + m + t);
  return truncate(`${h}${m.slice(0, room - 1).trimEnd()}…${t}`);
}

/** `Failed in BUILD: npm test (exit status 1) after 1m05s`, or undefined when the phases name no cause. */
function withCause(b: DescribedBuild, verb: string, after: string): string | undefined {
  const cause = failureCause(b);
  if (!cause) return undefined;
  // "Timed out …: timed out" says it twice.
  const reason = cause.reason && !verb.toLowerCase().startsWith(cause.reason) ? cause.reason : null;
  if (cause.command) return fitMiddle(`${verb} in ${cause.phase}: `, cause.command, `${reason ? ` (${reason})` : ""}${after}`);
  if (reason) return fitMiddle(`${verb} in ${cause.phase}: `, reason, after);
  return undefined;
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
      return withCause(b, "Failed", after) ?? truncate(`Failed${inPhase()}${after}`);
    case "timed_out":
      return withCause(b, "Timed out", after) ?? truncate(`Timed out${inPhase()}${after}`);
    case "stopped":
      return truncate(b.supersededBy ? `Superseded by ${b.supersededBy}` : `Stopped${after}`);
    case "errored":
      return truncate(b.error ? `Error: ${b.error}` : (withCause(b, "Build error", after) ?? `Build error${inPhase()}${after}`));
    case "skipped":
      return "Not affected by this change";
  }
}
