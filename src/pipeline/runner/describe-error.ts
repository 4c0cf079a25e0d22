/** A failure as one line for logs and `last_error` (at most 2,000 characters). */
export const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);
