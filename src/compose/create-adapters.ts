import type { Logger } from "pino";
import { createCodeBuildBuilder, createCodeBuildClient } from "../builders/codebuild/codebuild-builder.js";
import { localBuilderFromConfig } from "../builders/local/from-config.js";
import { createRouteBuilder } from "../builders/route-builder.js";
import type { Config } from "../config/config.js";
import type { Builder } from "../domain/builder.js";
import type { Metrics } from "../metrics/metrics.js";
import type { CodeCommitApi } from "../providers/codecommit/codecommit-api.js";
import { createCodeCommitClient, createSdkCodeCommitApi } from "../providers/codecommit/sdk-codecommit-api.js";
import type { GithubApi } from "../providers/github/github-api.js";
import { createLoggingGithubApi } from "../providers/github/logging-github-api.js";
import { createOctokit, createOctokitGithubApi, observeRateLimit } from "../providers/github/octokit-github-api.js";

/** The external systems; each one a test passes replaces the real client. */
export interface AdapterOverrides {
  readonly builder?: Builder;
  readonly github?: GithubApi;
  readonly codecommit?: CodeCommitApi;
}

export interface Adapters {
  readonly builder: Builder;
  readonly github: GithubApi;
  /** Present when CodeCommit is configured (or a test passed one). */
  readonly codecommit?: CodeCommitApi;
  /** Closes the local runner when this process owns one (it stops the builds it runs). */
  close(): Promise<void>;
}

/** GitHub through Octokit when github.auth is set, else a log line per call. */
function githubApiOf(config: Config, log: Logger, metrics: Metrics): GithubApi {
  const octokit = config.github?.auth ? createOctokit(config.github) : undefined;
  if (!octokit) return createLoggingGithubApi(log);
  observeRateLimit(octokit, metrics.setGithubRateLimit);
  return createOctokitGithubApi(octokit);
}

function codeCommitApiOf(config: Config): CodeCommitApi | undefined {
  if (!config.codecommit) return undefined;
  return createSdkCodeCommitApi(createCodeCommitClient({ region: config.codecommit.region ?? config.aws.region, endpoint: config.aws.endpoints.codecommit, maxAttempts: config.aws.maxAttempts }));
}

/** Builds go to CodeBuild, or to the local runner for the routes that ask for it. */
export function createAdapters(config: Config, log: Logger, metrics: Metrics, o: AdapterOverrides = {}): Adapters {
  const local = o.builder ? undefined : localBuilderFromConfig(config, log);
  const codebuild = () => createCodeBuildBuilder(createCodeBuildClient({ region: config.aws.region, endpoint: config.aws.endpoints.codebuild, maxAttempts: config.aws.maxAttempts, onApiError: metrics.countCodeBuildError }));
  const codecommit = o.codecommit ?? codeCommitApiOf(config);
  return {
    builder: o.builder ?? createRouteBuilder({ codebuild: codebuild(), ...(local ? { local } : {}), routes: config.routes }),
    github: o.github ?? githubApiOf(config, log, metrics),
    ...(codecommit ? { codecommit } : {}),
    close: async () => {
      await local?.close();
    },
  };
}
