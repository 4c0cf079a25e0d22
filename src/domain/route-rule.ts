import type { EventKind, ProviderId } from "./source-event.js";

/** Who may start builds from pull requests without a maintainer's label. */
export interface TrustRule {
  /** `author_association` values whose pull requests build without the label. */
  readonly associations: readonly string[];
  /** The label a maintainer adds to let other pull requests build (Prow's `ok-to-test`). */
  readonly okToTestLabel: string;
  /** When false, pull requests from forks need the label even from trusted authors. */
  readonly allowForks: boolean;
  /** CodeCommit: caller ARN globs whose pull requests build, and whose approval lets others build. Unset: every caller. */
  readonly callers?: readonly string[];
}

/** How results go back to a CodeCommit pull request or commit. */
export interface CodeCommitReporting {
  readonly comments: boolean;
  readonly approve: boolean;
  readonly commentOnCommits: boolean;
}

/** One configured route, as the router sees it (already parsed and defaulted). */
export interface RouteRule {
  readonly name: string;
  readonly source: { readonly provider: ProviderId; readonly repository: string; readonly region?: string; readonly account?: string };
  readonly on: readonly EventKind[];
  readonly branches?: readonly string[];
  readonly tags?: readonly string[];
  readonly headBranches?: readonly string[];
  readonly paths?: readonly string[];
  readonly ignorePaths?: readonly string[];
  readonly drafts: boolean;
  readonly project: string;
  readonly env: Readonly<Record<string, string>>;
  readonly context: string;
  /** Which newer commits stop this route's older in-flight builds. */
  readonly cancelSuperseded: { readonly pullRequests: boolean; readonly branches: boolean };
  readonly reportSkipped: boolean;
  readonly trust: TrustRule;
  readonly codecommit: CodeCommitReporting;
  readonly builder: "codebuild" | "local";
  readonly buildspec?: string;
}
