import type { CommitStatus } from "../domain/commit-status.js";
import type { BuildRow } from "../store/store.js";

/** What a reporter shows for a build; compared with the last one posted to decide whether to post. */
export interface Report {
  readonly state: string;
  readonly description: string;
}

/**
 * How results reach one place developers look (GitHub commit statuses, CodeCommit comments, and
 * next GitHub check runs). `report_status` asks `desired`, compares it with the last post of the
 * build's target, and posts only a change.
 */
export interface Reporter {
  /**
   * True when each build reports to a place of its own (a GitHub check run): a build is reported
   * even when a newer build of the same target exists, so that its own run is completed too.
   * Otherwise (commit statuses, comments) only the newest build of a target posts.
   */
  readonly perBuild?: boolean;
  /** What should be shown now; undefined when there is nothing to post at this point of the build. */
  desired(build: BuildRow, status: CommitStatus): Report | undefined;
  /** Milliseconds to wait before posting (a rate limit), or 0. */
  reserve(now: number): number;
  post(build: BuildRow, status: CommitStatus): Promise<void>;
  /** The job error for a failed post: RetryLaterError to retry, PermanentJobError to record and stop. */
  classify(err: unknown, attempt: number, now: number): unknown;
}
