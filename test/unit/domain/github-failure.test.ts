import { decideGithubFailure, type FailedCall, type FailureDecision } from "../../../src/domain/github-failure.js";

const NOW = 1_700_000_000_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const call = (over: Partial<FailedCall>): FailedCall => ({ status: 500, headers: {}, message: "Server Error", attempt: 1, now: NOW, ...over });

/** The delay of a decision that must retry. */
function delayOf(d: FailureDecision): number {
  if (!d.retry) throw new Error(`expected a retry, got: ${d.reason}`);
  return d.delayMs;
}

describe("decideGithubFailure: server and network errors retry with a growing delay", () => {
  it.each([
    { name: "500", over: { status: 500 }, reason: "GitHub answered 500" },
    { name: "502", over: { status: 502, message: "Bad Gateway" }, reason: "GitHub answered 502" },
    { name: "503", over: { status: 503 }, reason: "GitHub answered 503" },
    { name: "network error", over: { status: undefined, message: "ECONNRESET" }, reason: "network error: ECONNRESET" },
  ])("$name", ({ over, reason }) => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => delayOf(decideGithubFailure(call({ ...over, attempt }))));
    expect(delays).toEqual([1 * SECOND, 2 * SECOND, 4 * SECOND, 8 * SECOND, 16 * SECOND]);
    expect(decideGithubFailure(call(over))).toEqual({ retry: true, delayMs: SECOND, reason });
  });

  it("caps the delay at 5 minutes", () => {
    expect(delayOf(decideGithubFailure(call({ status: 500, attempt: 12 })))).toBe(5 * MINUTE);
    expect(delayOf(decideGithubFailure(call({ status: 500, attempt: 100 })))).toBe(5 * MINUTE);
  });
});

describe("decideGithubFailure: rate limits", () => {
  it.each([
    { name: "403 with retry-after 30", over: { status: 403, headers: { "retry-after": "30" }, message: "You have exceeded a secondary rate limit" }, want: 30 * SECOND },
    { name: "429 with retry-after 5", over: { status: 429, headers: { "retry-after": "5" } }, want: 5 * SECOND },
    { name: "retry-after wins over x-ratelimit-reset", over: { status: 403, headers: { "retry-after": "7", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / SECOND + 3600) } }, want: 7 * SECOND },
    { name: "retry-after is not scaled by the attempt", over: { status: 429, headers: { "retry-after": "30" }, attempt: 6 }, want: 30 * SECOND },
  ])("$name", ({ over, want }) => {
    const d = decideGithubFailure(call(over));
    expect(delayOf(d)).toBe(want);
    expect(d.reason).toMatch(/^rate limited: retry-after \d+s$/);
  });

  it("403 with x-ratelimit-remaining 0 waits until the reset, plus a second", () => {
    const reset = NOW / SECOND + 120;
    const d = decideGithubFailure(call({ status: 403, message: "API rate limit exceeded for installation", headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } }));
    expect(d).toEqual({ retry: true, delayMs: 121 * SECOND, reason: "primary rate limit exhausted: waiting for x-ratelimit-reset" });
  });

  it("429 with x-ratelimit-remaining 0 waits until the reset too", () => {
    expect(delayOf(decideGithubFailure(call({ status: 429, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / SECOND + 10) } })))).toBe(11 * SECOND);
  });

  it("a reset already in the past still waits a second", () => {
    expect(delayOf(decideGithubFailure(call({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / SECOND - 60) } })))).toBe(SECOND);
  });

  it("403 secondary rate limit without headers waits at least a minute, growing", () => {
    const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    const delays = [1, 2, 3, 4].map((attempt) => delayOf(decideGithubFailure(call({ status: 403, message, attempt }))));
    expect(delays).toEqual([1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]);
    expect(decideGithubFailure(call({ status: 403, message }))).toMatchObject({ reason: "secondary rate limit" });
    expect(delayOf(decideGithubFailure(call({ status: 403, message, attempt: 20 })))).toBe(30 * MINUTE);
  });

  it("429 without headers is a secondary limit", () => {
    expect(decideGithubFailure(call({ status: 429, message: "Too Many Requests" }))).toEqual({ retry: true, delayMs: MINUTE, reason: "secondary rate limit" });
  });
});

describe("decideGithubFailure: errors that can never succeed are not retried", () => {
  it.each([
    { name: "plain 403 (permission)", over: { status: 403, message: "Resource not accessible by integration" }, reason: "GitHub answered 403: Resource not accessible by integration" },
    {
      name: "403 with rate limit headers left",
      over: { status: 403, message: "Resource not accessible by integration", headers: { "x-ratelimit-remaining": "4999", "x-ratelimit-reset": String(NOW / SECOND + 60) } },
      reason: "GitHub answered 403: Resource not accessible by integration",
    },
    { name: "404", over: { status: 404, message: "Not Found" }, reason: "GitHub answered 404: Not Found" },
    { name: "422 status limit", over: { status: 422, message: "Validation Failed: This SHA and context has reached the maximum number of statuses." }, reason: "GitHub answered 422: Validation Failed: This SHA and context has reached the maximum number of statuses." },
    { name: "422 description too long", over: { status: 422, message: "Validation Failed: description is too long" }, reason: "GitHub answered 422: Validation Failed: description is too long" },
    { name: "401", over: { status: 401, message: "Bad credentials" }, reason: "GitHub answered 401: Bad credentials" },
  ])("$name", ({ over, reason }) => {
    expect(decideGithubFailure(call(over))).toEqual({ retry: false, reason });
  });

  it("keeps the reason short", () => {
    const d = decideGithubFailure(call({ status: 422, message: "x".repeat(10_000) }));
    expect(d.retry).toBe(false);
    expect(d.reason.length).toBeLessThanOrEqual(500);
    expect(d.reason.startsWith("GitHub answered 422: xxx")).toBe(true);
  });
});
