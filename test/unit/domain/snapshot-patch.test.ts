import type { BuildSnapshot, PhaseRecord } from "../../../src/domain/build-snapshot.js";
import type { BuildState } from "../../../src/domain/build-state.js";
import { chunk, snapshotPatch, type TrackedBuild } from "../../../src/domain/snapshot-patch.js";

const T0 = 1_700_000_000_000;
const ID = "api-ci:0f3c";

const PHASES_RUNNING: PhaseRecord[] = [
  { type: "SUBMITTED", status: "SUCCEEDED", startedAt: T0, endedAt: T0 + 1000, durationSeconds: 1 },
  { type: "PROVISIONING", status: "SUCCEEDED", startedAt: T0 + 1000, endedAt: T0 + 9000, durationSeconds: 8 },
  { type: "BUILD", startedAt: T0 + 9000 },
];
const PHASES_DONE: PhaseRecord[] = [...PHASES_RUNNING.slice(0, 2), { type: "BUILD", status: "SUCCEEDED", startedAt: T0 + 9000, endedAt: T0 + 60_000, durationSeconds: 51 }, { type: "COMPLETED", startedAt: T0 + 60_000 }];

const snap = (over: Partial<BuildSnapshot> = {}): BuildSnapshot => ({ externalId: ID, status: "IN_PROGRESS", currentPhase: "BUILD", phases: PHASES_RUNNING, startedAt: T0, ...over });
/** A stored build that has seen `snap()` already. */
const tracked = (over: Partial<TrackedBuild> = {}): TrackedBuild => ({ state: "running", externalStatus: "IN_PROGRESS", currentPhase: "BUILD", phases: JSON.stringify(PHASES_RUNNING), ...over });

describe("snapshotPatch", () => {
  it("is undefined when nothing changed", () => {
    expect(snapshotPatch(tracked(), snap())).toBeUndefined();
  });

  it("is undefined when only fields people do not see changed (logs url, resolved sha)", () => {
    expect(snapshotPatch(tracked(), snap({ logsUrl: "https://logs/other", resolvedSourceVersion: "f".repeat(40) }))).toBeUndefined();
  });

  it("copies every field of a finished build", () => {
    const done = snap({ status: "SUCCEEDED", currentPhase: "COMPLETED", phases: PHASES_DONE, endedAt: T0 + 60_000, resolvedSourceVersion: "a".repeat(40), logsUrl: "https://logs/1" });
    expect(snapshotPatch(tracked(), done)).toEqual({
      state: "succeeded",
      external_status: "SUCCEEDED",
      current_phase: "COMPLETED",
      phases: JSON.stringify(PHASES_DONE),
      started_at: T0,
      ended_at: T0 + 60_000,
      resolved_sha: "a".repeat(40),
      logs_url: "https://logs/1",
    });
  });

  it("leaves out started_at and logs_url it does not know, and nulls the rest", () => {
    const patch = snapshotPatch(tracked({ state: "queued", currentPhase: "SUBMITTED" }), { externalId: ID, status: "IN_PROGRESS", phases: [] });
    expect(patch).toEqual({ state: "queued", external_status: "IN_PROGRESS", current_phase: null, phases: "[]", ended_at: null, resolved_sha: null });
    expect(patch).not.toHaveProperty("started_at");
    expect(patch).not.toHaveProperty("logs_url");
  });

  it.each<{ name: string; build: TrackedBuild; snap: BuildSnapshot; state: BuildState; phase: string | null }>([
    { name: "queued → running when the build phase begins", build: tracked({ state: "queued", currentPhase: "PROVISIONING", phases: "[]" }), snap: snap(), state: "running", phase: "BUILD" },
    { name: "a new phase while running", build: tracked(), snap: snap({ currentPhase: "POST_BUILD" }), state: "running", phase: "POST_BUILD" },
    { name: "a phase finished, same current phase", build: tracked({ phases: "[]" }), snap: snap(), state: "running", phase: "BUILD" },
    { name: "running → failed", build: tracked(), snap: snap({ status: "FAILED", currentPhase: "COMPLETED" }), state: "failed", phase: "COMPLETED" },
    { name: "running → stopped", build: tracked(), snap: snap({ status: "STOPPED" }), state: "stopped", phase: "BUILD" },
    { name: "FAULT → errored", build: tracked(), snap: snap({ status: "FAULT" }), state: "errored", phase: "BUILD" },
    { name: "TIMED_OUT → timed_out", build: tracked(), snap: snap({ status: "TIMED_OUT" }), state: "timed_out", phase: "BUILD" },
    { name: "a pending build the builder already runs", build: tracked({ state: "pending", externalStatus: null, currentPhase: null, phases: null }), snap: snap(), state: "running", phase: "BUILD" },
    { name: "a build stored before tracking existed (phases null)", build: tracked({ phases: null }), snap: snap(), state: "running", phase: "BUILD" },
  ])("$name", ({ build, snap: s, state, phase }) => {
    expect(snapshotPatch(build, s)).toMatchObject({ state, current_phase: phase, external_status: s.status, phases: JSON.stringify(s.phases) });
  });

  it.each<BuildState>(["succeeded", "failed", "stopped", "timed_out", "errored", "skipped"])("never reopens a %s build", (state) => {
    expect(snapshotPatch(tracked({ state }), snap())).toBeUndefined();
    expect(snapshotPatch(tracked({ state }), snap({ status: "SUCCEEDED", currentPhase: "COMPLETED", phases: PHASES_DONE }))).toBeUndefined();
  });
});

describe("chunk", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `b${i}`);
  it.each([
    { n: 0, size: 100, want: [] },
    { n: 1, size: 100, want: [1] },
    { n: 100, size: 100, want: [100] },
    { n: 101, size: 100, want: [100, 1] },
    { n: 250, size: 100, want: [100, 100, 50] },
    { n: 10_000, size: 100, want: Array.from({ length: 100 }, () => 100) },
  ])("$n in batches of $size", ({ n, size, want }) => {
    const batches = chunk(ids(n), size);
    expect(batches.map((b) => b.length)).toEqual(want);
    expect(batches.flat()).toEqual(ids(n));
  });
});
