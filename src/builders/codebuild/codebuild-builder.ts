import { BatchGetBuildsCommand, CodeBuildClient, ListBuildsForProjectCommand, StartBuildCommand, StopBuildCommand, type Build } from "@aws-sdk/client-codebuild";
import { BuilderError, type Builder, type StartedBuild } from "../../domain/builder.js";
import { toSnapshot } from "./to-snapshot.js";

// Errors that no retry can fix: the request itself is wrong, or the account cannot build.
const PERMANENT = new Set(["InvalidInputException", "ResourceNotFoundException", "AccountSuspendedException", "OAuthProviderException", "AccessDeniedException", "UnrecognizedClientException", "ValidationException"]);
// CodeBuild's queue is full: wait longer than the usual backoff.
const LIMIT = new Set(["AccountLimitExceededException"]);

// ListBuildsForProject pages (100 ids each) read when looking for a build by key: the newest 1,000 builds.
const FIND_MAX_PAGES = 10;

export interface CodeBuildOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
  /** Told of every failed attempt, the SDK's retries included: operation (StartBuild…) and error name (ThrottlingException…). */
  readonly onApiError?: (operation: string, error: string) => void;
}

export function createCodeBuildClient(o: CodeBuildOptions): CodeBuildClient {
  const client = new CodeBuildClient({ region: o.region, maxAttempts: o.maxAttempts, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
  const onApiError = o.onApiError;
  if (onApiError) {
    // The deserialize step runs inside the retry middleware: once per attempt, after the error is parsed.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          onApiError((context.commandName ?? "unknown").replace(/Command$/, ""), (err as { name?: string })?.name ?? "Error");
          throw err;
        }
      },
      { step: "deserialize", priority: "high", name: "buildgateCountErrors" },
    );
  }
  return client;
}

/** Classifies an AWS SDK error: permanent, limit (retry later) or transient (retry). */
export function toBuilderError(err: unknown): BuilderError {
  const name = (err as { name?: string })?.name ?? "Error";
  const message = `${name}: ${(err as Error)?.message ?? String(err)}`;
  if (PERMANENT.has(name)) return new BuilderError(message, false);
  if (LIMIT.has(name)) return new BuilderError(message, true, 60_000);
  return new BuilderError(message, true);
}

const carriesKey = (b: Build, key: string) => (b.environment?.environmentVariables ?? []).some((v) => v.name === "BUILDGATE_BUILD_KEY" && v.value === key);

/**
 * The project's build carrying `BUILDGATE_BUILD_KEY=key`: ListBuildsForProject newest first
 * (by build number), each page's builds read with BatchGetBuilds, until a page reaches back
 * before `since` or FIND_MAX_PAGES pages were read.
 */
async function findBuildByKey(client: CodeBuildClient, project: string, key: string, since: number): Promise<StartedBuild | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < FIND_MAX_PAGES; page++) {
    const list = await client.send(new ListBuildsForProjectCommand({ projectName: project, sortOrder: "DESCENDING", ...(nextToken ? { nextToken } : {}) }));
    const ids = list.ids ?? [];
    if (ids.length === 0) return undefined;
    const { builds = [] } = await client.send(new BatchGetBuildsCommand({ ids: ids.slice(0, 100) }));
    const match = builds.find((b) => carriesKey(b, key));
    if (match?.id) return { buildId: match.id, ...(match.logs?.deepLink ? { logsUrl: match.logs.deepLink } : {}) };
    const reachedSince = builds.some((b) => b.startTime !== undefined && b.startTime.getTime() < since);
    if (reachedSince || !list.nextToken) return undefined;
    nextToken = list.nextToken;
  }
  return undefined;
}

/**
 * Starts builds with CodeBuild's StartBuild. The SDK retries throttling and 5xx itself
 * (`aws.maxAttempts`); what still fails comes back as a BuilderError for the job queue.
 */
export function createCodeBuildBuilder(client: CodeBuildClient): Builder {
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof BuilderError ? err : toBuilderError(err);
    }
  };
  return {
    maxPollBatch: 100,
    async poll(ids) {
      if (ids.length === 0) return { snapshots: [], notFound: [] };
      const out = await call(() => client.send(new BatchGetBuildsCommand({ ids: [...ids] })));
      return { snapshots: (out.builds ?? []).map(toSnapshot), notFound: out.buildsNotFound ?? [] };
    },
    async stop(id) {
      await call(() => client.send(new StopBuildCommand({ id })));
    },
    findByKey: (project, key, since) => call(() => findBuildByKey(client, project, key, since)),
    async start(req) {
      try {
        const out = await client.send(
          new StartBuildCommand({
            projectName: req.project,
            sourceVersion: req.sourceVersion,
            idempotencyToken: req.idempotencyToken,
            ...(req.buildspec ? { buildspecOverride: req.buildspec } : {}),
            environmentVariablesOverride: Object.entries(req.env).map(([name, value]) => ({ name, value, type: "PLAINTEXT" })),
          }),
        );
        const id = out.build?.id;
        if (!id) throw new BuilderError("StartBuild returned no build id", true);
        return { buildId: id, ...(out.build?.logs?.deepLink ? { logsUrl: out.build.logs.deepLink } : {}) };
      } catch (err) {
        throw err instanceof BuilderError ? err : toBuilderError(err);
      }
    },
  };
}
