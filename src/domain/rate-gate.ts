/**
 * A sliding-window limit: at most `limit` events in any `windowMs`. `reserve(now)` takes a slot
 * and returns 0, or returns how long to wait before one frees (taking nothing).
 * Used to keep status posts under GitHub's ~80 content-creating requests a minute.
 */
export function createRateGate(limit: number, windowMs: number) {
  const taken: number[] = [];
  let pausedUntil = 0;
  return {
    /** Nothing passes before `until` (the service asked everyone to wait, e.g. a secondary rate limit). */
    pause(until: number): void {
      pausedUntil = Math.max(pausedUntil, until);
    },
    reserve(now: number): number {
      if (now < pausedUntil) return pausedUntil - now;
      while (taken.length > 0 && (taken[0] as number) <= now - windowMs) taken.shift();
      if (taken.length < limit) {
        taken.push(now);
        return 0;
      }
      return (taken[0] as number) + windowMs - now;
    },
  };
}
export type RateGate = ReturnType<typeof createRateGate>;
