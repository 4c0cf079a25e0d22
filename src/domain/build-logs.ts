/** One line of a build's log, numbered from 1 in the order the builder wrote it (no trailing newline). */
export interface LogLine {
  readonly n: number;
  readonly text: string;
}

/**
 * Why lines may be missing right now. `delayed`: the builder's log service is throttling or
 * failing and buildgate retries (the page says "log delayed", never an error page).
 * `unavailable`: the log cannot be shown here at all, with the reason in plain words (written only
 * to S3, no log yet, not permitted, expired).
 */
export interface LogNotice {
  readonly kind: "delayed" | "unavailable";
  readonly message: string;
}

/** A slice of one build's log. */
export interface LogSlice {
  readonly lines: readonly LogLine[];
  /** The number of the last line known so far (0 when none). */
  readonly total: number;
  /** The build finished and its whole log has been read: no more lines will come. */
  readonly complete: boolean;
  readonly notice?: LogNotice;
}

/**
 * A build's log as the board and the API read it, whichever builder ran it (CodeBuild through
 * CloudWatch Logs, the local runner from its file). Reads are cheap and shared: however many
 * viewers a running build has, the builder's log service is asked at most once every 2 s for it;
 * a finished log is fetched once and kept (size-capped).
 */
export interface BuildLogs {
  /** Up to `limit` lines after line `after` (0: from the first line). */
  after(buildId: number, after: number, limit: number): Promise<LogSlice>;
  /** The last `limit` lines. */
  last(buildId: number, limit: number): Promise<LogSlice>;
  /** The whole log as text for a download, or undefined when there is none (yet). */
  raw(buildId: number): Promise<AsyncIterable<string | Buffer> | undefined>;
}
