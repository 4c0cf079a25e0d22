import type { RouteRule } from "../domain/route-rule.js";
import type { BoardConfig } from "./board-schema.js";

export type GithubReport = "checks" | "statuses";
type GithubAuth = { readonly token: string } | { readonly appId: string | number; readonly privateKeyPath: string; readonly installationId?: string | number };

/** How builds show on GitHub: `github.report`, else check runs for a GitHub App and commit statuses for a token. */
export const githubReport = (github: { readonly auth?: GithubAuth; readonly report?: GithubReport }): GithubReport => github.report ?? (github.auth && "appId" in github.auth ? "checks" : "statuses");

/** The parsed, defaulted, readonly configuration the rest of the code sees. */
export interface Config {
  readonly server: { readonly port: number; readonly host: string; readonly publicUrl: string; readonly apiToken?: string; readonly metricsToken?: string; readonly trustProxy: false | number | readonly string[] };
  readonly store: { readonly url: string };
  readonly github?: {
    readonly webhookSecrets: readonly string[];
    readonly apiUrl: string;
    readonly auth?: GithubAuth;
    /** Check runs (a GitHub App) or commit statuses; unset: `githubReport` decides. */
    readonly report?: GithubReport;
    readonly redelivery?: {
      readonly enabled: boolean;
      readonly hookId?: number;
      readonly org?: string;
      readonly lookbackHours: number;
      readonly intervalMinutes: number;
      readonly maxPerRun: number;
    };
  };
  readonly codecommit?: {
    readonly region?: string;
    readonly sns?: { readonly topicArns: readonly string[]; readonly pinnedCertificates: Readonly<Record<string, string>>; readonly confirmSubscriptions: boolean };
    readonly eventbridge?: { readonly apiKeyHeader?: string; readonly apiKey?: string; readonly basicAuth?: { readonly username: string; readonly password: string } };
  };
  readonly board?: BoardConfig;
  readonly local?: {
    readonly workDir: string;
    readonly concurrency: number;
    readonly timeoutMinutes: number;
    readonly maxLogBytes: number;
    readonly allowForkPullRequests: boolean;
    readonly sources: Readonly<Record<string, { readonly path: string } | { readonly git: string }>>;
  };
  readonly aws: { readonly region: string; readonly endpoints: { readonly codebuild?: string; readonly codecommit?: string; readonly logs?: string; readonly s3?: string }; readonly maxAttempts: number };
  readonly logs: { readonly cacheDir: string; readonly maxBytesPerBuild: number; readonly maxCacheBytes: number; readonly pollSeconds: number };
  readonly tracking: { readonly pollIntervalSeconds: number; readonly stuckAfterMinutes: number; readonly sweepIntervalSeconds: number };
  readonly jobs: { readonly concurrency: number; readonly maxAttempts: number; readonly leaseSeconds: number; readonly drainSeconds: number; readonly keepFinishedDays: number };
  readonly routes: readonly RouteRule[];
}
