import { resolve } from "node:path";
import type { Logger } from "pino";
import { createCodeBuildBuilder, createCodeBuildClient } from "../builders/codebuild/codebuild-builder.js";
import { createCodeBuildLogSource, createLogsClient } from "../builders/codebuild/codebuild-log-source.js";
import { localBuilderFromConfig } from "../builders/local/from-config.js";
import { createLocalLogSource } from "../builders/local/local-log-source.js";
import { localBuildPaths } from "../builders/local/record-files.js";
import { createRouteBuilder } from "../builders/route-builder.js";
import type { Config } from "../config/config.js";
import type { Builder } from "../domain/builder.js";
import type { LogSource } from "../domain/log-source.js";
import type { Metrics } from "../metrics/metrics.js";
import { createSourceHosts, type SourceHosts } from "../pipeline/source-host.js";
import type { CodeCommitApi } from "../providers/codecommit/codecommit-api.js";
import { createCodeCommitHost } from "../providers/codecommit/codecommit-host.js";
import type { GithubApi } from "../providers/github/github-api.js";
import { createGithubHost } from "../providers/github/github-host.js";
import type { Store } from "../store/store.js";

/** The external systems; each one a test passes replaces the real client. */
export interface AdapterOverrides {
  readonly builder?: Builder;
  readonly github?: GithubApi;
  readonly codecommit?: CodeCommitApi;
  /** Where build logs are read (default: the local runner's files, CloudWatch Logs for CodeBuild). */
  readonly logSourceFor?: (externalId: string) => LogSource | undefined;
}

export interface Adapters {
  readonly builder: Builder;
  /** The source hosts; a new host (GitLab, say) is one more line here. */
  readonly hosts: SourceHosts;
  /** The local runner's log file of a build id, when the config has a local section. */
  readonly localLogFile?: (externalId: string) => string | undefined;
  /** The log source of a builder's build id: `local:…` ids read the local runner's file. */
  readonly logSourceFor: (externalId: string) => LogSource | undefined;
  /** Closes the local runner when this process owns one (it stops the builds it runs). */
  close(): Promise<void>;
}

export interface AdapterDeps {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

const localLogFileIn = (workDir: string) => (externalId: string) => localBuildPaths(workDir, externalId)?.log;

/** Source hosts from the config (GitHub through Octokit or a log line per call; CodeCommit through the AWS SDK); builds go to CodeBuild, or to the local runner for the routes that ask for it. */
export function createAdapters(d: AdapterDeps, o: AdapterOverrides = {}): Adapters {
  const { config, log, metrics } = d;
  const local = o.builder ? undefined : localBuilderFromConfig(config, log);
  const codebuildClient = createCodeBuildClient({ region: config.aws.region, endpoint: config.aws.endpoints.codebuild, maxAttempts: config.aws.maxAttempts, onApiError: metrics.countCodeBuildError });
  const clock = d.now ? { now: d.now } : {};
  const hosts = createSourceHosts([
    createGithubHost({ config, store: d.store, log, onRateLimit: metrics.setGithubRateLimit, ...(o.github ? { api: o.github } : {}), ...clock }),
    createCodeCommitHost({ config, ...(o.codecommit ? { api: o.codecommit } : {}) }),
  ]);
  const localLogs = config.local ? createLocalLogSource(resolve(config.local.workDir)) : undefined;
  // A builder a test passed in makes ids that are not CodeBuild's: no CloudWatch source unless CodeBuild is pointed at a fake.
  const cloudWatchLogs = !o.builder || config.aws.endpoints.codebuild ? createCodeBuildLogSource({ codebuild: codebuildClient, logs: createLogsClient({ region: config.aws.region, ...(config.aws.endpoints.logs ? { endpoint: config.aws.endpoints.logs } : {}) }) }) : undefined;
  const logSourceFor = o.logSourceFor ?? ((externalId: string) => (externalId.startsWith("local:") ? localLogs : cloudWatchLogs));
  return {
    logSourceFor,
    builder: o.builder ?? createRouteBuilder({ codebuild: createCodeBuildBuilder(codebuildClient), ...(local ? { local } : {}), routes: config.routes }),
    hosts,
    ...(config.local ? { localLogFile: localLogFileIn(resolve(config.local.workDir)) } : {}),
    close: async () => {
      await local?.close();
    },
  };
}
