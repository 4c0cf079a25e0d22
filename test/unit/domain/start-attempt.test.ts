import { CLOCK_SKEW_MS, IDEMPOTENCY_WINDOW_MS, planStartAttempt, RECONCILE_AFTER_MS, type StartAttempt } from "../../../src/domain/start-attempt.js";

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

describe("planStartAttempt", () => {
  it.each<{ name: string; firstStartAt: number | null; want: StartAttempt }>([
    { name: "no attempt yet: the first one", firstStartAt: null, want: { kind: "first" } },
    { name: "the first attempt a moment ago: the token dedupes", firstStartAt: NOW - 1000, want: { kind: "retry" } },
    { name: "3 minutes after the first attempt: still inside the window", firstStartAt: NOW - 3 * MINUTE, want: { kind: "retry" } },
    { name: "a second before the margin: still a plain retry", firstStartAt: NOW - RECONCILE_AFTER_MS + 1000, want: { kind: "retry" } },
    { name: "4 minutes after (a minute short of the window): look first", firstStartAt: NOW - 4 * MINUTE, want: { kind: "reconcile", since: NOW - 4 * MINUTE - CLOCK_SKEW_MS } },
    { name: "6 minutes after (token expired): look first", firstStartAt: NOW - 6 * MINUTE, want: { kind: "reconcile", since: NOW - 6 * MINUTE - CLOCK_SKEW_MS } },
    { name: "a restart a day later: look first, back to the first attempt", firstStartAt: NOW - 24 * 60 * MINUTE, want: { kind: "reconcile", since: NOW - 24 * 60 * MINUTE - CLOCK_SKEW_MS } },
    { name: "a clock that went backwards: a plain retry", firstStartAt: NOW + MINUTE, want: { kind: "retry" } },
  ])("$name", ({ firstStartAt, want }) => {
    expect(planStartAttempt(firstStartAt, NOW)).toEqual(want);
  });

  it("looks before CodeBuild forgets the token, with a minute to spare", () => {
    expect(RECONCILE_AFTER_MS).toBeLessThanOrEqual(IDEMPOTENCY_WINDOW_MS - MINUTE);
  });
});
