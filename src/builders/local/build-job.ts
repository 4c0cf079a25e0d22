import type { StartRequest } from "../../domain/builder.js";
import type { LocalBuildRecord } from "./build-record.js";
import type { Buildspec } from "./buildspec.js";
import type { LocalSource } from "./local-builder-options.js";
import type { LocalBuildPaths } from "./record-files.js";

/** Why a build was cut short: a stop, its timeout, or the gateway shutting down (close()). */
export type AbortReason = "STOPPED" | "TIMED_OUT" | "INTERRUPTED";

/** One build as start() hands it to the runner. */
export interface BuildJob {
  readonly record: LocalBuildRecord;
  readonly paths: LocalBuildPaths;
  readonly request: StartRequest;
  readonly source: LocalSource | undefined;
  /** The route's inline buildspec, parsed at start(); undefined reads buildspec.yml from the source. */
  readonly inline: Buildspec | undefined;
  /** Aborted with an AbortReason. */
  readonly controller: AbortController;
}
