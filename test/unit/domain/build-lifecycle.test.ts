import { allowedFrom, BUILD_LIFECYCLE, bornAs, canTransition, NEW, STOPPABLE_STATES, type BuildCause, type Origin } from "../../../src/domain/build-lifecycle.js";
import { BUILD_STATES, FINAL_STATES, IN_FLIGHT_STATES, isFinal, type BuildState } from "../../../src/domain/build-state.js";

const CAUSES = [...new Set(BUILD_LIFECYCLE.map((t) => t.cause))];

describe("canTransition", () => {
  it.each<{ from: Origin; to: BuildState; cause: BuildCause; want: boolean }>([
    // Births.
    { from: NEW, to: "pending", cause: "route", want: true },
    { from: NEW, to: "skipped", cause: "skip", want: true },
    { from: NEW, to: "pending", cause: "rebuild", want: true },
    { from: NEW, to: "skipped", cause: "route", want: false },
    { from: NEW, to: "queued", cause: "start", want: false },
    // A late delivery is stopped in the transaction that created it, skipped or not.
    { from: "pending", to: "stopped", cause: "born_late", want: true },
    { from: "skipped", to: "stopped", cause: "born_late", want: true },
    { from: "running", to: "stopped", cause: "born_late", want: false },
    // Supersede: a pending build stops; one in flight keeps its state (a stop job follows).
    { from: "pending", to: "stopped", cause: "supersede", want: true },
    { from: "running", to: "running", cause: "supersede", want: true },
    { from: "queued", to: "queued", cause: "supersede", want: true },
    { from: "running", to: "stopped", cause: "supersede", want: false },
    { from: "succeeded", to: "stopped", cause: "supersede", want: false },
    { from: "skipped", to: "stopped", cause: "supersede", want: false },
    // Start.
    { from: "pending", to: "queued", cause: "start", want: true },
    { from: "pending", to: "pending", cause: "start", want: true },
    { from: "stopped", to: "queued", cause: "start", want: false },
    { from: "queued", to: "queued", cause: "start", want: false },
    { from: "pending", to: "errored", cause: "start", want: false },
    { from: "pending", to: "errored", cause: "start_refused", want: true },
    { from: "pending", to: "errored", cause: "give_up", want: true },
    { from: "queued", to: "errored", cause: "give_up", want: false },
    { from: "stopped", to: "errored", cause: "give_up", want: false },
    // Poll: in flight to anything the builder says, never out of a final state, never back to pending.
    { from: "queued", to: "running", cause: "poll", want: true },
    { from: "running", to: "succeeded", cause: "poll", want: true },
    { from: "queued", to: "failed", cause: "poll", want: true },
    { from: "running", to: "stopped", cause: "poll", want: true },
    { from: "running", to: "timed_out", cause: "poll", want: true },
    { from: "running", to: "errored", cause: "poll", want: true },
    { from: "running", to: "pending", cause: "poll", want: false },
    { from: "running", to: "skipped", cause: "poll", want: false },
    { from: "succeeded", to: "running", cause: "poll", want: false },
    { from: "stopped", to: "running", cause: "poll", want: false },
    { from: "pending", to: "queued", cause: "poll", want: false },
    { from: "queued", to: "errored", cause: "builder_lost", want: true },
    { from: "succeeded", to: "errored", cause: "builder_lost", want: false },
    // Stop and sweep.
    { from: "running", to: "stopped", cause: "stop", want: true },
    { from: "queued", to: "stopped", cause: "stop", want: true },
    { from: "pending", to: "stopped", cause: "stop", want: false },
    { from: "succeeded", to: "stopped", cause: "stop", want: false },
    { from: "running", to: "errored", cause: "sweep", want: true },
    { from: "pending", to: "errored", cause: "sweep", want: false },
    { from: "failed", to: "errored", cause: "sweep", want: false },
  ])("$cause: $from → $to is $want", ({ from, to, cause, want }) => {
    expect(canTransition(from, to, cause)).toBe(want);
  });

  it("no cause moves a build out of a final state (except a late birth, in its own transaction)", () => {
    for (const t of BUILD_LIFECYCLE.filter((t) => t.cause !== "born_late")) {
      for (const from of t.from) if (from !== NEW) expect([t.cause, from, isFinal(from)]).toEqual([t.cause, from, false]);
    }
  });

  it("the final states are exactly the states no cause leaves", () => {
    const left = new Set(BUILD_LIFECYCLE.filter((t) => t.cause !== "born_late").flatMap((t) => t.from.filter((f) => t.to.some((to) => to !== f))));
    expect(BUILD_STATES.filter((s) => !left.has(s)).sort()).toEqual([...FINAL_STATES].sort());
  });
});

describe("allowedFrom", () => {
  it.each<{ cause: BuildCause; to?: BuildState; want: BuildState[] }>([
    { cause: "start", to: "queued", want: ["pending"] },
    { cause: "start", want: ["pending"] },
    { cause: "start_refused", to: "errored", want: ["pending"] },
    { cause: "give_up", to: "errored", want: ["pending"] },
    { cause: "poll", to: "succeeded", want: ["queued", "running"] },
    { cause: "poll", to: "running", want: ["queued", "running"] },
    { cause: "poll", to: "pending", want: [] },
    { cause: "builder_lost", to: "errored", want: ["queued", "running"] },
    { cause: "stop", to: "stopped", want: ["queued", "running"] },
    { cause: "supersede", to: "stopped", want: ["pending"] },
    { cause: "supersede", to: "running", want: ["queued", "running"] },
    { cause: "supersede", want: ["pending", "queued", "running"] },
    { cause: "born_late", to: "stopped", want: ["pending", "skipped"] },
    { cause: "sweep", to: "errored", want: ["queued", "running"] },
    { cause: "route", to: "pending", want: [] },
    { cause: "rebuild", want: [] },
  ])("$cause to $to: from $want", ({ cause, to, want }) => {
    expect([...allowedFrom(cause, to)]).toEqual(want);
  });

  it("every cause leads from somewhere", () => {
    for (const cause of CAUSES) expect(BUILD_LIFECYCLE.filter((t) => t.cause === cause).flatMap((t) => t.from).length).toBeGreaterThan(0);
  });

  it("what the tracker polls and what can be stopped are the builds in flight", () => {
    expect([...allowedFrom("poll")]).toEqual([...IN_FLIGHT_STATES]);
    expect([...STOPPABLE_STATES]).toEqual([...IN_FLIGHT_STATES]);
  });
});

describe("bornAs", () => {
  it.each<{ cause: BuildCause; state: BuildState }>([
    { cause: "route", state: "pending" },
    { cause: "skip", state: "skipped" },
    { cause: "rebuild", state: "pending" },
  ])("$cause gives a $state build", ({ cause, state }) => {
    expect(bornAs(cause, state)).toBe(state);
  });

  it.each<{ cause: BuildCause; state: BuildState }>([
    { cause: "route", state: "running" },
    { cause: "rebuild", state: "skipped" },
    { cause: "start", state: "queued" },
  ])("refuses $cause giving a $state build", ({ cause, state }) => {
    expect(() => bornAs(cause, state)).toThrow(/not born/);
  });
});
