/**
 * Exponential backoff with equal jitter: attempt 1 waits about `baseMs`, doubling each
 * attempt up to `capMs`; half of the wait is random so retries of many jobs spread out.
 */
export function computeBackoff(attempt: number, random: number, baseMs = 1000, capMs = 5 * 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random * exp) / 2);
}
