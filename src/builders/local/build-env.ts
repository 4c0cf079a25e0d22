import type { LocalBuildRecord } from "./build-record.js";

export interface BuildEnvInput {
  /** PATH/HOME/LANG (LocalBuilderOptions.hostEnv). */
  readonly host: Readonly<Record<string, string>>;
  /** The buildspec's `env.variables`. */
  readonly declared: Readonly<Record<string, string>>;
  /** The request's env (the route's env plus BUILDGATE_*), CodeBuild's environmentVariablesOverride. */
  readonly request: Readonly<Record<string, string>>;
  readonly record: LocalBuildRecord;
  readonly srcDir: string;
  readonly gitUrl?: string;
}

/**
 * The complete environment of a build, built from nothing: the gateway's own variables (tokens,
 * database URLs) never reach a build. Precedence as CodeBuild's: the start request beats the
 * buildspec, and CODEBUILD_* (reserved) beat both.
 */
export function buildEnvironment(i: BuildEnvInput): Record<string, string> {
  const requested = Object.fromEntries(Object.entries(i.request).filter(([k]) => !k.startsWith("CODEBUILD_")));
  return {
    ...i.host,
    ...i.declared,
    ...requested,
    CODEBUILD_SRC_DIR: i.srcDir,
    CODEBUILD_BUILD_ID: i.record.id,
    CODEBUILD_BUILD_NUMBER: String(i.record.buildNumber),
    CODEBUILD_SOURCE_VERSION: i.record.sourceVersion,
    ...(i.record.resolvedSourceVersion ? { CODEBUILD_RESOLVED_SOURCE_VERSION: i.record.resolvedSourceVersion } : {}),
    ...(i.gitUrl ? { CODEBUILD_SOURCE_REPO_URL: i.gitUrl } : {}),
    CODEBUILD_BUILD_SUCCEEDING: "1",
    CODEBUILD_START_TIME: String(i.record.startedAt),
    CODEBUILD_INITIATOR: "buildgate",
  };
}
