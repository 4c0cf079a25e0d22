/** A build's life in buildgate. `skipped` is a route that a pull request does not affect. */
export type BuildState = "pending" | "queued" | "running" | "succeeded" | "failed" | "stopped" | "timed_out" | "errored" | "skipped";

/** States a build never leaves. */
export const FINAL_STATES: ReadonlySet<BuildState> = new Set(["succeeded", "failed", "stopped", "timed_out", "errored", "skipped"]);
/** States the tracker polls (started, not finished). */
export const IN_FLIGHT_STATES: readonly BuildState[] = ["queued", "running"];

export const isFinal = (s: BuildState): boolean => FINAL_STATES.has(s);

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
