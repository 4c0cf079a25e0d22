/** A job failure that retrying cannot fix: the job goes to dead letters at once. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** A failure worth retrying, not before `delayMs`. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/** Not a failure: the job must wait (e.g. for a rate limit) and does not spend an attempt. */
export class DeferJobError extends Error {
  override name = "DeferJobError";
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
