import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { BatchGetBuildsCommand, type CodeBuildClient } from "@aws-sdk/client-codebuild";
import { LogSourceError, type LogRead, type LogSource } from "../../domain/log-source.js";

/** Where a CodeBuild build's log is, or why it cannot be read here (both fixed once CodeBuild says). */
type Location = { readonly group: string; readonly stream: string } | { readonly unavailable: string };

export interface CodeBuildLogSourceOptions {
  readonly codebuild: Pick<CodeBuildClient, "send">;
  readonly logs: Pick<CloudWatchLogsClient, "send">;
  /** Events per GetLogEvents call (CloudWatch: at most 10,000, and 1 MB). */
  readonly pageEvents?: number;
}

/** A client with no SDK retries: the log service backs off itself, and every call it makes is one request. */
export function createLogsClient(o: { readonly region: string; readonly endpoint?: string }): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: o.region, maxAttempts: 1, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
}

const nameOf = (err: unknown) => (err as { name?: string })?.name ?? "Error";

/** An AWS error as a LogSourceError in plain words: throttling and 5xx retry, permissions do not. */
function toLogError(err: unknown, service: string, action: string): LogSourceError {
  const name = nameOf(err);
  if (name === "ThrottlingException" || name === "TooManyRequestsException" || name === "RequestLimitExceeded") return new LogSourceError("delayed", `log delayed: ${service} is throttling; retrying`);
  if (name === "AccessDeniedException" || name === "UnrecognizedClientException" || name === "AuthorizationError" || name === "ExpiredTokenException") {
    return new LogSourceError("unavailable", `buildgate may not read this log: ${service} refused ${action} (${name}); the task role needs ${action} (see docs/aws.md)`);
  }
  return new LogSourceError("delayed", `log delayed: ${service} did not answer (${name}); retrying`);
}

/** What CodeBuild's `build.logs` says about where the log went. */
function locationOf(logs: { groupName?: string; streamName?: string; cloudWatchLogs?: { status?: string }; s3Logs?: { status?: string; location?: string } } | undefined): Location | undefined {
  if (logs?.groupName && logs.streamName) return { group: logs.groupName, stream: logs.streamName };
  if (logs?.cloudWatchLogs?.status !== "DISABLED") return undefined; // not written yet
  if (logs.s3Logs?.status === "ENABLED") {
    return { unavailable: `this project writes its build logs to S3 only (s3://${logs.s3Logs.location ?? "?"}); buildgate shows logs from CloudWatch Logs: enable CloudWatch logs on the project to see them here, or open the log in S3` };
  }
  return { unavailable: "this project writes no build logs (CloudWatch and S3 logs are both disabled)" };
}

/**
 * CodeBuild's build logs from CloudWatch Logs: the group and stream come from BatchGetBuilds
 * (asked once per build and remembered, so nothing is stored per build), the lines from
 * GetLogEvents read from the head, the cursor being `nextForwardToken` (the token sent coming
 * back means nothing new). One GetLogEvents call per read.
 */
export function createCodeBuildLogSource(o: CodeBuildLogSourceOptions): LogSource {
  const located = new Map<string, Location>();
  const locate = async (buildId: string, final: boolean): Promise<Location | undefined> => {
    const known = located.get(buildId);
    if (known) return known;
    let out;
    try {
      out = await o.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }));
    } catch (err) {
      throw toLogError(err, "CodeBuild", "codebuild:BatchGetBuilds");
    }
    const build = out.builds?.[0];
    const where: Location | undefined = build ? locationOf(build.logs) : { unavailable: "CodeBuild no longer knows this build (deleted, or older than its history)" };
    const settled = where ?? (final && build?.buildComplete ? { unavailable: "CodeBuild wrote no log for this build" } : undefined);
    if (settled) {
      if (located.size > 10_000) located.clear();
      located.set(buildId, settled);
    }
    return settled;
  };

  return {
    settleMs: 10_000,
    async read(buildId: string, cursor: string | undefined, r: { readonly final: boolean }): Promise<LogRead> {
      const where = await locate(buildId, r.final);
      if (!where) return { text: "", cursor, more: false };
      if ("unavailable" in where) throw new LogSourceError("unavailable", where.unavailable);
      let out;
      try {
        out = await o.logs.send(new GetLogEventsCommand({ logGroupName: where.group, logStreamName: where.stream, startFromHead: true, limit: o.pageEvents ?? 10_000, ...(cursor ? { nextToken: cursor } : {}) }));
      } catch (err) {
        if (nameOf(err) !== "ResourceNotFoundException") throw toLogError(err, "CloudWatch Logs", "logs:GetLogEvents");
        // CodeBuild creates the stream when the build starts writing: not there yet is no log yet.
        if (!r.final) return { text: "", cursor, more: false };
        throw new LogSourceError("unavailable", `the log stream ${where.group} / ${where.stream} does not exist in CloudWatch Logs (removed by the log group's retention, or never written)`);
      }
      const text = (out.events ?? []).map((e) => { const m = e.message ?? ""; return m.endsWith("\n") ? m : `${m}\n`; }).join("");
      const next = out.nextForwardToken ?? cursor;
      return { text, cursor: next, more: next !== undefined && next !== cursor };
    },
  };
}
