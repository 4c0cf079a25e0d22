import { ACTIVE_STATES, BUILD_STATES, FAILURE_STATES, FINAL_STATES, fromCodeBuildStatus, IN_FLIGHT_STATES, isFinal, parseBuildState, toCommitState, type BuildState, type CommitState } from "../../../src/domain/build-state.js";

describe("fromCodeBuildStatus", () => {
  it.each<{ status: string; phase?: string; want: BuildState }>([
    { status: "SUCCEEDED", want: "succeeded" },
    { status: "SUCCEEDED", phase: "COMPLETED", want: "succeeded" },
    { status: "FAILED", phase: "COMPLETED", want: "failed" },
    { status: "FAULT", phase: "COMPLETED", want: "errored" },
    { status: "TIMED_OUT", phase: "COMPLETED", want: "timed_out" },
    { status: "STOPPED", phase: "COMPLETED", want: "stopped" },
    { status: "IN_PROGRESS", phase: "SUBMITTED", want: "queued" },
    { status: "IN_PROGRESS", phase: "QUEUED", want: "queued" },
    { status: "IN_PROGRESS", phase: "PROVISIONING", want: "queued" },
    { status: "IN_PROGRESS", want: "queued" },
    { status: "IN_PROGRESS", phase: "DOWNLOAD_SOURCE", want: "running" },
    { status: "IN_PROGRESS", phase: "INSTALL", want: "running" },
    { status: "IN_PROGRESS", phase: "PRE_BUILD", want: "running" },
    { status: "IN_PROGRESS", phase: "BUILD", want: "running" },
    { status: "IN_PROGRESS", phase: "POST_BUILD", want: "running" },
    { status: "IN_PROGRESS", phase: "UPLOAD_ARTIFACTS", want: "running" },
    { status: "IN_PROGRESS", phase: "FINALIZING", want: "running" },
    // An unknown status keeps the build in flight, so polling continues.
    { status: "SOMETHING_NEW", phase: "BUILD", want: "running" },
    { status: "SOMETHING_NEW", phase: "QUEUED", want: "queued" },
    { status: "SOMETHING_NEW", want: "queued" },
    { status: "", want: "queued" },
    // Statuses are CodeBuild's exact upper-case words.
    { status: "succeeded", phase: "BUILD", want: "running" },
  ])("$status in phase $phase → $want", ({ status, phase, want }) => {
    expect(fromCodeBuildStatus(status, phase)).toBe(want);
  });

  it("never maps an unknown status to a final state", () => {
    for (const status of ["PENDING", "UNKNOWN", "succeeded", "IN_PROGRESS"]) {
      for (const phase of [undefined, "SUBMITTED", "BUILD", "COMPLETED"]) expect(isFinal(fromCodeBuildStatus(status, phase))).toBe(false);
    }
  });
});

// A Record over BuildState: the type checker fails this file when a state is added and not listed.
const COMMIT_STATE: Record<BuildState, CommitState> = {
  pending: "pending",
  queued: "pending",
  running: "pending",
  succeeded: "success",
  skipped: "success",
  failed: "failure",
  timed_out: "failure",
  stopped: "error",
  errored: "error",
};

const FINAL: Record<BuildState, boolean> = {
  pending: false,
  queued: false,
  running: false,
  succeeded: true,
  skipped: true,
  failed: true,
  timed_out: true,
  stopped: true,
  errored: true,
};

const ALL_STATES = Object.keys(COMMIT_STATE) as BuildState[];

describe("toCommitState", () => {
  it.each(ALL_STATES.map((state) => ({ state, want: COMMIT_STATE[state] })))("$state → $want", ({ state, want }) => {
    expect(toCommitState(state)).toBe(want);
  });
});

describe("isFinal", () => {
  it.each(ALL_STATES.map((state) => ({ state, want: FINAL[state] })))("$state → $want", ({ state, want }) => {
    expect(isFinal(state)).toBe(want);
  });

  it("FINAL_STATES and IN_FLIGHT_STATES agree with isFinal", () => {
    expect([...FINAL_STATES].sort()).toEqual(ALL_STATES.filter((s) => FINAL[s]).sort());
    expect([...IN_FLIGHT_STATES].sort()).toEqual(["queued", "running"]);
    for (const s of IN_FLIGHT_STATES) expect(isFinal(s)).toBe(false);
  });

  it("a final state reports a final commit state (never pending)", () => {
    for (const s of ALL_STATES) expect(toCommitState(s) === "pending").toBe(!isFinal(s));
  });
});

describe("state lists", () => {
  it("BUILD_STATES lists every state once", () => {
    expect([...BUILD_STATES].sort()).toEqual([...ALL_STATES].sort());
  });

  it.each([
    { name: "active (the board's in flight; what a newer build supersedes)", list: ACTIVE_STATES, want: ["pending", "queued", "running"] },
    { name: "in flight (the tracker polls them)", list: IN_FLIGHT_STATES, want: ["queued", "running"] },
    { name: "failures (the board's recent failures)", list: FAILURE_STATES, want: ["failed", "errored", "timed_out"] },
  ])("$name", ({ list, want }) => {
    expect([...list]).toEqual(want);
  });

  it("failures are final and report a failure or an error", () => {
    for (const s of FAILURE_STATES) expect([isFinal(s), toCommitState(s) !== "success"]).toEqual([true, true]);
  });
});

describe("parseBuildState", () => {
  it.each(ALL_STATES)("accepts %s", (state) => {
    expect(parseBuildState(state)).toBe(state);
  });

  it.each<{ value: unknown }>([{ value: "done" }, { value: "RUNNING" }, { value: "" }, { value: null }, { value: 3 }, { value: undefined }])("rejects $value loudly", ({ value }) => {
    expect(() => parseBuildState(value)).toThrow(/unknown build state/);
  });
});
