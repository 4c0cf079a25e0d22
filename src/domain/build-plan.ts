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

export interface RouteResult {
  readonly plans: readonly BuildPlan[];
  readonly decisions: readonly RouteDecision[];
}
