import { isFinal, type BuildState } from "./build-state.js";

/** Report states that say "still going": GitHub's `pending`, CodeCommit's `started` comment. */
export const IN_PROGRESS_REPORT_STATES: readonly string[] = ["pending", "started"];

/** The thresholds of the stuck-build sweep. */
export interface SweepPolicy {
  /** The tracker's cycle (`tracking.pollIntervalSeconds`). */
  readonly pollIntervalMs: number;
  /** An in-flight build not polled for this many cycles (and at least `minSilentMs`) is polled by the sweep. */
  readonly silentAfterPolls: number;
  /** A long tracking cycle (tens of thousands of builds) is not silence. */
  readonly minSilentMs: number;
  /** A pending build without a live start job, untouched this long, is started again. */
  readonly pendingGraceMs: number;
  /** A finished build whose report still says in progress, untouched this long, is reported again. */
  readonly reportGraceMs: number;
  /** In flight longer than this (CodeBuild's queue timeout: 8 h) is suspicious (`tracking.stuckAfterMinutes`). */
  readonly stuckAfterMs: number;
}

export const DEFAULT_SWEEP_POLICY: Omit<SweepPolicy, "pollIntervalMs" | "stuckAfterMs"> = {
  silentAfterPolls: 4,
  minSilentMs: 60_000,
  pendingGraceMs: 5 * 60_000,
  reportGraceMs: 2 * 60_000,
};

/** What the sweep knows about one build. Times are epoch ms. */
export interface SweepFacts {
  readonly state: BuildState;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  /** The last poll of the build (changed or not); null when never polled. */
  readonly polledAt: number | null;
  readonly externalId: string | null;
  /** A start_build job for the build is queued or running. */
  readonly startJobAlive: boolean;
  /** The state last recorded for the build's status target, when that report was this build's or an older one's. */
  readonly reportState: string | null;
}

export type SweepAction =
  | { readonly kind: "none" }
  /** (a) enqueue report_status. */
  | { readonly kind: "report"; readonly reason: string }
  /** (b) and (d) poll it now (poll_builds): changes are stored; a build the builder does not know is errored. */
  | { readonly kind: "poll"; readonly reason: string }
  /** (c) enqueue start_build (which looks for an earlier attempt's build first). */
  | { readonly kind: "start"; readonly reason: string }
  /** (d) in flight past the queue timeout with no builder id to ask about: errored and reported. */
  | { readonly kind: "error"; readonly reason: string };

const NONE: SweepAction = { kind: "none" };

/** How long without a poll makes an in-flight build silent. */
export const silentAfterMs = (p: SweepPolicy): number => Math.max(p.silentAfterPolls * p.pollIntervalMs, p.minSilentMs);
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** The stuck-build sweep's decision for one build (pure; the sweep does the I/O). */
export function decideSweep(b: SweepFacts, now: number, p: SweepPolicy): SweepAction {
  if (isFinal(b.state)) {
    const quiet = now - b.updatedAt;
    if (b.reportState !== null && IN_PROGRESS_REPORT_STATES.includes(b.reportState) && quiet >= p.reportGraceMs) {
      return { kind: "report", reason: `finished (${b.state}) ${minutes(quiet)} ago but its status still says ${b.reportState}` };
    }
    return NONE;
  }
  if (b.state === "pending") {
    const quiet = now - b.updatedAt;
    if (!b.startJobAlive && quiet >= p.pendingGraceMs) return { kind: "start", reason: `pending for ${minutes(quiet)} with no start job` };
    return NONE;
  }
  // queued or running
  const inFlight = now - (b.startedAt ?? b.createdAt);
  if (inFlight >= p.stuckAfterMs) {
    if (b.externalId === null) return { kind: "error", reason: `in flight for ${minutes(inFlight)} without a build id: the builder cannot know it` };
    return { kind: "poll", reason: `in flight for ${minutes(inFlight)}, past the queue timeout` };
  }
  const silent = now - (b.polledAt ?? b.startedAt ?? b.updatedAt);
  if (b.externalId !== null && silent >= silentAfterMs(p)) return { kind: "poll", reason: `not polled for ${minutes(silent)}` };
  return NONE;
}
