import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { BuilderError, type Builder } from "../../domain/builder.js";
import { toSnapshot } from "./to-snapshot.js";

// Errors that no retry can fix: the request itself is wrong, or the account cannot build.
const PERMANENT = new Set(["InvalidInputException", "ResourceNotFoundException", "AccountSuspendedException", "OAuthProviderException", "AccessDeniedException", "UnrecognizedClientException", "ValidationException"]);
// CodeBuild's queue is full: wait longer than the usual backoff.
const LIMIT = new Set(["AccountLimitExceededException"]);

export interface CodeBuildOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
}

export function createCodeBuildClient(o: CodeBuildOptions): CodeBuildClient {
  return new CodeBuildClient({ region: o.region, maxAttempts: o.maxAttempts, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
}

/** Classifies an AWS SDK error: permanent, limit (retry later) or transient (retry). */
export function toBuilderError(err: unknown): BuilderError {
  const name = (err as { name?: string })?.name ?? "Error";
  const message = `${name}: ${(err as Error)?.message ?? String(err)}`;
  if (PERMANENT.has(name)) return new BuilderError(message, false);
  if (LIMIT.has(name)) return new BuilderError(message, true, 60_000);
  return new BuilderError(message, true);
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
