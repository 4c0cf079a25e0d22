/** CodeBuild keeps a StartBuild idempotency token for 5 minutes (then the same token starts a new build). */
export const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;
/**
 * From this long after the first attempt, look for the build before starting again: a minute
 * short of the window, for clock skew between us and AWS and for a slow request.
 */
export const RECONCILE_AFTER_MS = 4 * 60_000;
/** How far before our first attempt a build found by key may have started (clocks differ). */
export const CLOCK_SKEW_MS = 2 * 60_000;

/** What a start job does before calling the builder's start. */
export type StartAttempt =
  /** No attempt was ever made: record when this one begins, then start. */
  | { readonly kind: "first" }
  /** Every earlier attempt is inside the token's window: the token alone dedupes. */
  | { readonly kind: "retry" }
  /** An earlier attempt may be out of the window: look for its build (started since `since`) first. */
  | { readonly kind: "reconcile"; readonly since: number };

/**
 * `firstStartAt` is when the first attempt began (recorded before its StartBuild call, so a crash
 * right after the call still counts), or null when no attempt was made.
 */
export function planStartAttempt(firstStartAt: number | null, now: number): StartAttempt {
  if (firstStartAt === null) return { kind: "first" };
  if (now - firstStartAt < RECONCILE_AFTER_MS) return { kind: "retry" };
  return { kind: "reconcile", since: firstStartAt - CLOCK_SKEW_MS };
}
