/** What one read of a builder's log gave. */
export interface LogRead {
  /** New text after the cursor read from (may be empty). Lines end with `\n`; the last one may be partial. */
  readonly text: string;
  /** Where the next read continues (opaque to the caller: a byte offset, a CloudWatch token). */
  readonly cursor: string | undefined;
  /** More text is there right now: read again without waiting. */
  readonly more: boolean;
}

/**
 * Why a read failed. `delayed`: try again later (throttling, a timeout, a 5xx); `unavailable`:
 * no later read will do better (no permission, the stream is gone, the log is elsewhere). The
 * message is shown to people as it is: plain words, no secrets.
 */
export class LogSourceError extends Error {
  constructor(
    readonly kind: "delayed" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "LogSourceError";
  }
}

/**
 * One builder's build logs (the local runner's file, CloudWatch Logs for CodeBuild). A source
 * does one upstream call per `read`: the caller decides how often (see src/logs/).
 */
export interface LogSource {
  /**
   * Text after `cursor` (undefined: from the start). `final`: the build has ended, so a partial
   * last line is the end of the log, not half a line still being written. A log that does not
   * exist yet reads as empty text with `more: false`; throws LogSourceError.
   */
  read(externalId: string, cursor: string | undefined, o: { readonly final: boolean }): Promise<LogRead>;
  /** After a build ends, how long its log may still grow (CloudWatch delivers late lines). */
  readonly settleMs: number;
}
