import type { CheckAnnotation } from "../../domain/check-annotations.js";
import type { CheckConclusion, CheckStatus } from "../../domain/check-run-output.js";
import type { CommitStatus } from "../../domain/commit-status.js";
import type { HookDelivery } from "../../domain/redelivery.js";

/** A pull request as the GitHub API reports it (only what buildgate reads). */
export interface PullRequestDetails {
  readonly number: number;
  readonly state: string;
  readonly draft: boolean;
  readonly headRef: string;
  readonly headSha: string;
  readonly headRepository: string | null;
  readonly baseRef: string;
  readonly baseSha: string;
  readonly baseRepository: string;
  readonly labels: readonly string[];
  readonly authorAssociation: string;
  readonly updatedAt?: number;
}


/** Where a webhook lives: a repository (`owner/name`) or an organization. */
export type HookOwner = { readonly repository: string } | { readonly org: string };

/** One webhook of a repository or organization. */
export interface HookRef {
  readonly owner: HookOwner;
  readonly hookId: number;
}

export interface Webhook {
  readonly id: number;
  /** The payload URL (`config.url`). */
  readonly url: string;
  readonly active: boolean;
}

/** The GitHub REST calls buildgate makes. Every method throws a GithubApiError on failure. */
export interface GithubApi {
  createStatus(repository: string, sha: string, status: CommitStatus): Promise<void>;
  /** The pull request's changed files, or undefined when GitHub cannot list them all (over 3000). */
  listPullRequestFiles(repository: string, number: number): Promise<string[] | undefined>;
  getPullRequest(repository: string, number: number): Promise<PullRequestDetails>;
  /** `admin`, `maintain`, `write`, `triage`, `read` or `none`. */
  getPermission(repository: string, user: string): Promise<string>;
  /** The webhooks of a repository or organization (needs "Webhooks: read"). */
  listHooks(owner: HookOwner): Promise<Webhook[]>;
  /**
   * A hook's deliveries, newest first (every attempt, redeliveries included), following the
   * `cursor` pages until a page reaches back before `since` (epoch ms) or `maxPages` were read.
   */
  listHookDeliveries(hook: HookRef, since: number, maxPages: number): Promise<HookDelivery[]>;
  /** Asks GitHub to send a delivery again (`POST …/deliveries/{id}/attempts`, answered 202). */
  redeliverHookDelivery(hook: HookRef, deliveryId: number): Promise<void>;
}

/** What a check run should show (`PATCH /repos/{o}/{r}/check-runs/{id}`). Times are epoch ms. */
export interface CheckRunUpdate {
  readonly status: CheckStatus;
  readonly conclusion?: CheckConclusion;
  readonly startedAt?: number;
  readonly completedAt?: number;
  readonly detailsUrl: string;
  readonly output: { readonly title: string; readonly summary: string; readonly annotations?: readonly CheckAnnotation[] };
}

/** A new check run (`POST /repos/{o}/{r}/check-runs`). */
export interface NewCheckRun extends CheckRunUpdate {
  readonly name: string;
  readonly headSha: string;
  /** The build's key: how a retried create finds the run an earlier attempt made. */
  readonly externalId: string;
}

/** A check run GitHub lists for a commit. */
export interface ListedCheckRun {
  readonly id: number;
  readonly externalId: string | null;
  readonly status: string;
  readonly conclusion: string | null;
  /** The App that created it. */
  readonly appId: number | null;
  /** How many annotations it holds. */
  readonly annotationsCount: number;
}

/** The check-run calls (only a GitHub App may make them). Every method throws a GithubApiError on failure. */
export interface GithubChecksApi {
  /** Returns the new run's id. */
  createCheckRun(repository: string, run: NewCheckRun): Promise<number>;
  /** Annotations given are appended to the run's (GitHub keeps the earlier ones). */
  updateCheckRun(repository: string, id: number, update: CheckRunUpdate): Promise<void>;
  /** One run as GitHub shows it now. */
  getCheckRun(repository: string, id: number): Promise<ListedCheckRun & { readonly title: string | null }>;
  /** The runs named `name` on `sha`, every one of them (not only the latest), newest first. */
  listCheckRuns(repository: string, sha: string, name: string): Promise<ListedCheckRun[]>;
}

/** A failed GitHub call, with what the retry decision needs. `status` is undefined for network errors. */
export class GithubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly headers: Readonly<Record<string, string | undefined>> = {},
  ) {
    super(message);
    this.name = "GithubApiError";
  }
}

export function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner = "", repo = ""] = repository.split("/");
  return { owner, repo };
}
