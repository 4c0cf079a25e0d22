import type { Config } from "../../config/config.js";
import type { SourceHost } from "../../pipeline/source-host.js";
import type { CodeCommitApi } from "./codecommit-api.js";
import { codeCommitJobError } from "./codecommit-job-error.js";
import { createCodeCommitReporter } from "./codecommit-reporter.js";
import { createCodeCommitEnricher } from "./enrich-codecommit.js";
import { normalizeCodeCommitDelivery } from "./normalize-codecommit-delivery.js";
import { createCodeCommitClient, createSdkCodeCommitApi } from "./sdk-codecommit-api.js";

export interface CodeCommitHostDeps {
  readonly config: Config;
  /** The API to use (tests pass a fake, or null for none); default: the AWS SDK client when the config has a codecommit section. */
  readonly api?: CodeCommitApi | null;
}

/** The CodeCommit API the config asks for, or none without a codecommit section. */
export function codeCommitApiFromConfig(config: Config): CodeCommitApi | undefined {
  if (!config.codecommit) return undefined;
  const region = config.codecommit.region ?? config.aws.region;
  return createSdkCodeCommitApi(createCodeCommitClient({ region, endpoint: config.aws.endpoints.codecommit, maxAttempts: config.aws.maxAttempts }));
}

/**
 * CodeCommit as a source host: repository triggers (SNS) and events (EventBridge, CodeBuild
 * state changes as tracking hints), changed files from GetDifferences, pull request comments and
 * approvals. Without an API (no codecommit section) deliveries are still normalized, and path
 * filters build rather than skip.
 */
export function createCodeCommitHost(d: CodeCommitHostDeps): SourceHost {
  const api = d.api === undefined ? codeCommitApiFromConfig(d.config) : (d.api ?? undefined);
  const routesByName = new Map(d.config.routes.map((r) => [r.name, r]));
  return {
    provider: "codecommit",
    sources: ["sns", "eventbridge"],
    normalize: normalizeCodeCommitDelivery,
    enrich: api ? createCodeCommitEnricher({ api, routes: d.config.routes }) : async (result) => result,
    ...(api ? { reporter: createCodeCommitReporter(api, (name) => routesByName.get(name)?.codecommit) } : {}),
    jobError: (err, attempt) => codeCommitJobError(err, attempt),
  };
}
