import type { CommitState } from "../../domain/build-state.js";

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

export interface CommitStatus {
  readonly state: CommitState;
  readonly description: string;
  readonly context: string;
  readonly targetUrl?: string;
}

/** The GitHub REST calls buildgate makes. Every method throws a GithubApiError on failure. */
export interface GithubApi {
  createStatus(repository: string, sha: string, status: CommitStatus): Promise<void>;
  /** The pull request's changed files, or undefined when GitHub cannot list them all (over 3000). */
  listPullRequestFiles(repository: string, number: number): Promise<string[] | undefined>;
  getPullRequest(repository: string, number: number): Promise<PullRequestDetails>;
  /** `admin`, `maintain`, `write`, `triage`, `read` or `none`. */
  getPermission(repository: string, user: string): Promise<string>;
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
