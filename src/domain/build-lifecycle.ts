import type { BuildState } from "./build-state.js";

/** What moves a build: each writer of a build's state names its cause, and the table says what it may do. */
export type BuildCause = "route" | "skip" | "rebuild" | "born_late" | "supersede" | "start" | "start_refused" | "give_up" | "poll" | "builder_lost" | "stop" | "sweep";

/** The state before a build exists: the origin of the transitions that create one. */
export const NEW = "new";
export type Origin = BuildState | typeof NEW;

export interface Transition {
  readonly cause: BuildCause;
  readonly from: readonly Origin[];
  /** Every `from` may move to every `to`; a state in both is a write that keeps it (other fields change). */
  readonly to: readonly BuildState[];
  readonly why: string;
}

const IN_FLIGHT: readonly BuildState[] = ["queued", "running"];

/** The one table of a build's life. Anything not listed is refused (the store's compare-and-set). */
export const BUILD_LIFECYCLE: readonly Transition[] = [
  { cause: "route", from: [NEW], to: ["pending"], why: "a route matched an event" },
  { cause: "skip", from: [NEW], to: ["skipped"], why: "a route the change does not affect is born skipped (reported as success)" },
  { cause: "rebuild", from: [NEW], to: ["pending"], why: "a person asked for the same commit and route again" },
  { cause: "born_late", from: ["pending", "skipped"], to: ["stopped"], why: "created for an older event than one of its group: stopped in the transaction that created it" },
  { cause: "supersede", from: ["pending"], to: ["stopped"], why: "a newer event of the group: a pending build never starts" },
  { cause: "supersede", from: IN_FLIGHT, to: IN_FLIGHT, why: "a newer event of the group: marked superseded, a stop job follows" },
  { cause: "start", from: ["pending"], to: ["queued"], why: "the builder started it" },
  { cause: "start", from: ["pending"], to: ["pending"], why: "a start attempt failed and will be retried: its error is noted" },
  { cause: "start_refused", from: ["pending"], to: ["errored"], why: "the builder refused to start it (a permanent error)" },
  { cause: "give_up", from: ["pending"], to: ["errored"], why: "the start job ran out of attempts" },
  { cause: "poll", from: IN_FLIGHT, to: [...IN_FLIGHT, "succeeded", "failed", "stopped", "timed_out", "errored"], why: "the builder's snapshot" },
  { cause: "builder_lost", from: IN_FLIGHT, to: ["errored"], why: "the builder does not know it long after it started" },
  { cause: "stop", from: IN_FLIGHT, to: ["stopped"], why: "stopped (superseded, or by an operator)" },
  { cause: "sweep", from: IN_FLIGHT, to: ["errored"], why: "in flight past the queue timeout without a build id" },
];

const rowsOf = (cause: BuildCause) => BUILD_LIFECYCLE.filter((t) => t.cause === cause);

export function canTransition(from: Origin, to: BuildState, cause: BuildCause): boolean {
  return rowsOf(cause).some((t) => t.from.includes(from) && t.to.includes(to));
}

/**
 * The states `cause` may move a build from (to `to`, when given): what a write under that cause
 * expects the build to be in. Empty when the cause never leads there.
 */
export function allowedFrom(cause: BuildCause, to?: BuildState): readonly BuildState[] {
  const from = rowsOf(cause)
    .filter((t) => to === undefined || t.to.includes(to))
    .flatMap((t) => t.from)
    .filter((s): s is BuildState => s !== NEW);
  return [...new Set(from)];
}

/** The state a build created by `cause` is born in; throws when the table has no such birth. */
export function bornAs(cause: BuildCause, state: BuildState): BuildState {
  if (!canTransition(NEW, state, cause)) throw new Error(`a build is not born ${state} by ${cause}`);
  return state;
}

/** States an operator (or a newer build) can stop: the builder is running them. */
export const STOPPABLE_STATES: readonly BuildState[] = allowedFrom("stop", "stopped");
