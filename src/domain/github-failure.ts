/** What to do after a failed GitHub API call. */
export type FailureDecision = { readonly retry: true; readonly delayMs: number; readonly reason: string } | { readonly retry: false; readonly reason: string };

export interface FailedCall {
  /** HTTP status; undefined for a network error. */
  readonly status?: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly message: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly now: number;
}

const SECOND = 1000;
const exponential = (attempt: number, baseMs: number, capMs: number) => Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));

/**
 * GitHub's rules for rate limits (docs: rate-limits-for-the-rest-api): on 403/429, honour
 * `retry-after`; else if `x-ratelimit-remaining` is 0 wait for `x-ratelimit-reset`; else a
 * secondary limit waits at least a minute, backing off exponentially. 5xx and network errors
 * retry with backoff. Other 4xx (a plain 403 permission error, 404, 422 such as the
 * 1000-statuses limit or a too long description) can never succeed: give up with the reason.
 */
export function decideGithubFailure(call: FailedCall): FailureDecision {
  const { status, headers, attempt, now } = call;
  if (status === undefined || status >= 500) {
    return { retry: true, delayMs: exponential(attempt, SECOND, 5 * 60 * SECOND), reason: status ? `GitHub answered ${status}` : `network error: ${call.message}` };
  }
  if (status === 403 || status === 429) {
    const retryAfter = Number(headers["retry-after"]);
    if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
      return { retry: true, delayMs: retryAfter * SECOND, reason: `rate limited: retry-after ${retryAfter}s` };
    }
    const reset = Number(headers["x-ratelimit-reset"]);
    if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)) {
      return { retry: true, delayMs: Math.max(SECOND, reset * SECOND - now + SECOND), reason: "primary rate limit exhausted: waiting for x-ratelimit-reset" };
    }
    if (status === 429 || /rate limit/i.test(call.message)) {
      return { retry: true, delayMs: exponential(attempt, 60 * SECOND, 30 * 60 * SECOND), reason: "secondary rate limit" };
    }
  }
  return { retry: false, reason: `GitHub answered ${status}: ${call.message}`.slice(0, 500) };
}
