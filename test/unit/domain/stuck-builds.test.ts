import { DEFAULT_SWEEP_POLICY, decideSweep, silentAfterMs, type SweepFacts, type SweepPolicy } from "../../../src/domain/stuck-builds.js";

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const POLICY: SweepPolicy = { ...DEFAULT_SWEEP_POLICY, pollIntervalMs: 15_000, stuckAfterMs: 8 * HOUR };

const facts = (over: Partial<SweepFacts>): SweepFacts => ({
  state: "running",
  createdAt: NOW - 10 * MINUTE,
  updatedAt: NOW - 10 * MINUTE,
  startedAt: NOW - 10 * MINUTE,
  polledAt: NOW - 5_000,
  externalId: "api-ci:1",
  startJobAlive: false,
  reportState: null,
  ...over,
});

describe("decideSweep: (a) finished builds whose status still says in progress", () => {
  it.each([
    { name: "succeeded 10 minutes ago, status pending: report", over: { state: "succeeded", reportState: "pending" }, want: "report" },
    { name: "failed, CodeCommit comment still 'started': report", over: { state: "failed", reportState: "started" }, want: "report" },
    { name: "errored, status pending: report", over: { state: "errored", reportState: "pending" }, want: "report" },
    { name: "finished a minute ago: the usual report may still be on its way", over: { state: "succeeded", reportState: "pending", updatedAt: NOW - MINUTE }, want: "none" },
    { name: "status already success", over: { state: "succeeded", reportState: "success" }, want: "none" },
    { name: "status failure recorded (a report given up on): not retried forever", over: { state: "failed", reportState: "failure" }, want: "none" },
    { name: "never reported", over: { state: "succeeded", reportState: null }, want: "none" },
  ] as const)("$name", ({ over, want }) => {
    expect(decideSweep(facts(over), NOW, POLICY).kind).toBe(want);
  });

  it("says why", () => {
    expect(decideSweep(facts({ state: "succeeded", reportState: "pending" }), NOW, POLICY)).toEqual({ kind: "report", reason: "finished (succeeded) 10 min ago but its status still says pending" });
  });
});

describe("decideSweep: (b) in-flight builds nobody polled lately", () => {
  it.each([
    { name: "polled 5 s ago", over: { polledAt: NOW - 5_000 }, want: "none" },
    { name: "polled 59 s ago (4 cycles is 60 s)", over: { polledAt: NOW - 59_000 }, want: "none" },
    { name: "not polled for 2 minutes", over: { polledAt: NOW - 2 * MINUTE }, want: "poll" },
    { name: "queued, never polled, started 5 minutes ago", over: { state: "queued", polledAt: null, startedAt: NOW - 5 * MINUTE }, want: "poll" },
    { name: "never polled, started 30 s ago", over: { polledAt: null, startedAt: NOW - 30_000 }, want: "none" },
    { name: "silent but without a build id: nothing to poll (yet)", over: { polledAt: NOW - 2 * MINUTE, externalId: null }, want: "none" },
  ] as const)("$name", ({ over, want }) => {
    expect(decideSweep(facts(over), NOW, POLICY).kind).toBe(want);
  });

  it("is at least a minute of silence even with a 1 s poll interval, and 4 cycles with a long one", () => {
    expect(silentAfterMs({ ...POLICY, pollIntervalMs: 1000 })).toBe(MINUTE);
    expect(silentAfterMs({ ...POLICY, pollIntervalMs: 5 * MINUTE })).toBe(20 * MINUTE);
  });
});

describe("decideSweep: (c) pending builds without a start job", () => {
  it.each([
    { name: "pending 10 minutes, no start job: start", over: { state: "pending", startedAt: null, polledAt: null, externalId: null }, want: "start" },
    { name: "pending with an error, no start job (it died): start", over: { state: "pending", startedAt: null, externalId: null, updatedAt: NOW - 6 * MINUTE }, want: "start" },
    { name: "pending 10 minutes, start job still retrying: leave it", over: { state: "pending", startJobAlive: true, externalId: null }, want: "none" },
    { name: "pending 2 minutes, no start job yet: too early", over: { state: "pending", updatedAt: NOW - 2 * MINUTE, externalId: null }, want: "none" },
  ] as const)("$name", ({ over, want }) => {
    expect(decideSweep(facts(over), NOW, POLICY).kind).toBe(want);
  });
});

describe("decideSweep: (d) in flight past the queue timeout", () => {
  it.each([
    { name: "running 9 h, polled just now: poll (a build the builder does not know is errored)", over: { startedAt: NOW - 9 * HOUR }, want: "poll" },
    { name: "queued 8 h exactly", over: { state: "queued", startedAt: NOW - 8 * HOUR }, want: "poll" },
    { name: "running 7 h, polled: fine", over: { startedAt: NOW - 7 * HOUR }, want: "none" },
    { name: "queued 9 h without a build id: errored", over: { state: "queued", startedAt: NOW - 9 * HOUR, externalId: null }, want: "error" },
    { name: "no start time: counted from creation", over: { startedAt: null, createdAt: NOW - 9 * HOUR }, want: "poll" },
  ] as const)("$name", ({ over, want }) => {
    expect(decideSweep(facts(over), NOW, POLICY).kind).toBe(want);
  });

  it("honours tracking.stuckAfterMinutes", () => {
    expect(decideSweep(facts({ startedAt: NOW - 2 * HOUR }), NOW, { ...POLICY, stuckAfterMs: HOUR }).kind).toBe("poll");
  });
});

describe("decideSweep: states with nothing to do", () => {
  it.each(["skipped", "stopped", "timed_out"] as const)("%s without a pending report", (state) => {
    expect(decideSweep(facts({ state }), NOW, POLICY)).toEqual({ kind: "none" });
  });
});
