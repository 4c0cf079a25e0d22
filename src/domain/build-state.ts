/** Every state, in the order of a build's life. `skipped` is a route that a pull request does not affect. */
export const BUILD_STATES = ["pending", "queued", "running", "succeeded", "failed", "stopped", "timed_out", "errored", "skipped"] as const;
/** A build's life in buildgate; how it moves between states is `domain/build-lifecycle.ts`. */
export type BuildState = (typeof BUILD_STATES)[number];

/** States a build never leaves. */
export const FINAL_STATES: ReadonlySet<BuildState> = new Set(["succeeded", "failed", "stopped", "timed_out", "errored", "skipped"]);
/** States the tracker polls (started, not finished). */
export const IN_FLIGHT_STATES: readonly BuildState[] = ["queued", "running"];

export const isFinal = (s: BuildState): boolean => FINAL_STATES.has(s);

/** Not finished yet: pending, or in flight (the board's "in flight" list; what a newer build supersedes). */
export const ACTIVE_STATES: readonly BuildState[] = BUILD_STATES.filter((s) => !isFinal(s));
/** Finished without success through the build's own fault: the board's "recent failures" (stopped and skipped are not). */
export const FAILURE_STATES: readonly BuildState[] = ["failed", "errored", "timed_out"];
/** Finished without success, stopped included: what `/retest` runs again. */
export const RETESTABLE_STATES: ReadonlySet<BuildState> = new Set([...FAILURE_STATES, "stopped"]);

const KNOWN: ReadonlySet<string> = new Set(BUILD_STATES);

export const isBuildState = (value: unknown): value is BuildState => typeof value === "string" && KNOWN.has(value);

/** A stored state as a BuildState; anything else is a corrupt row or a newer version's state, and throws. */
export function parseBuildState(value: unknown): BuildState {
  if (!isBuildState(value)) throw new Error(`unknown build state ${JSON.stringify(value)}`);
  return value;
}

// Phases before the build's own work starts: CodeBuild says IN_PROGRESS, people say "queued".
const WAITING_PHASES = new Set(["SUBMITTED", "QUEUED", "PROVISIONING"]);

/** CodeBuild `buildStatus` (+ current phase) → buildgate state. Unknown statuses are running: polling continues. */
export function fromCodeBuildStatus(status: string, currentPhase?: string): BuildState {
  switch (status) {
    case "SUCCEEDED":
      return "succeeded";
    case "FAILED":
      return "failed";
    case "FAULT":
      return "errored";
    case "TIMED_OUT":
      return "timed_out";
    case "STOPPED":
      return "stopped";
    default:
      return currentPhase === undefined || WAITING_PHASES.has(currentPhase) ? "queued" : "running";
  }
}

/** GitHub's four commit states. */
export type CommitState = "pending" | "success" | "failure" | "error";

export function toCommitState(s: BuildState): CommitState {
  switch (s) {
    case "pending":
    case "queued":
    case "running":
      return "pending";
    case "succeeded":
    case "skipped":
      return "success";
    case "failed":
    case "timed_out":
      return "failure";
    case "stopped":
    case "errored":
      return "error";
  }
}
