import type { BuildSnapshot } from "./build-snapshot.js";

/** What a builder needs to start one build. */
export interface StartRequest {
  /** The route the build belongs to (a builder may depend on it, e.g. the local runner's source and buildspec). */
  readonly route?: string;
  readonly repository?: string;
  readonly sha?: string;
  /** An inline buildspec (CodeBuild buildspecOverride). */
  readonly buildspec?: string;
  readonly project: string;
  readonly sourceVersion: string;
  readonly env: Readonly<Record<string, string>>;
  /** Deterministic per build: a retried start within the builder's window returns the same build. */
  readonly idempotencyToken: string;
}

export interface StartedBuild {
  /** The builder's id, e.g. CodeBuild's `project:uuid`. */
  readonly buildId: string;
  readonly logsUrl?: string;
}

/** The answer to one poll: a snapshot per known build, and the ids the builder does not know. */
export interface PollResult {
  readonly snapshots: readonly BuildSnapshot[];
  readonly notFound: readonly string[];
}

/** Starts, follows and stops builds. Implemented by CodeBuild and the local runner. */
export interface Builder {
  /**
   * Starts one build. Throws a BuilderError: `retryable` false means the request can never
   * succeed as is (unknown project, invalid input) and must not be retried.
   */
  start(request: StartRequest): Promise<StartedBuild>;
  /** Snapshots of up to `maxPollBatch` builds in one call. Throws a BuilderError. */
  poll(buildIds: readonly string[]): Promise<PollResult>;
  /** Stops a build; stopping a build that already finished is not an error. */
  stop(buildId: string): Promise<void>;
  /**
   * The build of `project` carrying `BUILDGATE_BUILD_KEY=key` that started at or after `since`
   * (epoch ms), or undefined when there is none. Used before starting a build again once the
   * idempotency token's window (CodeBuild: 5 minutes) may have passed, so a build that an earlier
   * attempt started is found instead of started twice. Looks back a bounded number of builds
   * (newest first): "undefined" means none was found there. `route` lets a builder that
   * dispatches by route pick the right one. Throws a BuilderError. Builders without it rely on
   * their idempotency token alone.
   */
  findByKey?(project: string, key: string, since: number, route?: string): Promise<StartedBuild | undefined>;
  /** How many ids one poll call takes (CodeBuild BatchGetBuilds: 100). */
  readonly maxPollBatch: number;
}

export class BuilderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** A minimum wait before retrying (e.g. an account build limit); undefined uses the usual backoff. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "BuilderError";
  }
}

/** The local runner's build ids start with this (builders/local); every other id is CodeBuild's. */
export const LOCAL_BUILD_PREFIX = "local:";

/** Which builder ran a build, from its builder id: what labels ("CodeBuild project", "CloudWatch logs") may say. */
export const isLocalBuildId = (externalId: string | null | undefined): boolean => typeof externalId === "string" && externalId.startsWith(LOCAL_BUILD_PREFIX);
