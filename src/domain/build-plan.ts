import type { SourceEvent } from "./source-event.js";

/** A build the router decided to start: one per matching route. */
export interface BuildPlan {
  readonly route: string;
  readonly project: string;
  readonly context: string;
  /** Unique per (route, event kind, ref, commit, pull request): the same commit never builds twice. */
  readonly dedupeKey: string;
  readonly event: SourceEvent;
  readonly env: Readonly<Record<string, string>>;
  /** Builds sharing this key supersede older ones (null: the route keeps them all). */
  readonly supersedeKey: string | null;
  /** True for a route the change does not affect, reported as success without building (reportSkipped). */
  readonly skipped?: boolean;
}

/** Why a route did or did not match an event: kept for `explain`. */
export interface RouteDecision {
  readonly route: string;
  readonly matched: boolean;
  readonly reason: string;
}

/** A route that would build a pull request once it is approved: where a host can say so (a check run asking for action). */
export interface AwaitingApprovalPlan {
  readonly route: string;
  readonly context: string;
  /** The key the build will have once approved. */
  readonly dedupeKey: string;
  readonly label: string;
  readonly associations: readonly string[];
}

export interface RouteResult {
  readonly plans: readonly BuildPlan[];
  readonly decisions: readonly RouteDecision[];
  /** Routes only trust held back: the pull request builds there once someone approves it (ok-to-test). Absent when none. */
  readonly awaiting?: readonly AwaitingApprovalPlan[];
}
