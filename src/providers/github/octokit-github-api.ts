import { readFileSync } from "node:fs";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import type { Config } from "../../config/config.js";
import { GithubApiError, splitRepository, type GithubApi, type PullRequestDetails } from "./github-api.js";

// GitHub lists at most 3000 files of a pull request.
const MAX_PR_FILES = 3000;
const REQUEST_TIMEOUT_MS = 15_000;

type GithubConfig = NonNullable<Config["github"]>;

/** An Octokit for `github.apiUrl`, as a token or as a GitHub App installation (tokens renewed by auth-app before they expire). */
export function createOctokit(github: GithubConfig): Octokit {
  const timedFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const common = { baseUrl: github.apiUrl, userAgent: "buildgate", request: { fetch: timedFetch }, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } };
  const auth = github.auth;
  if (auth && "appId" in auth) {
    return new Octokit({ ...common, authStrategy: createAppAuth, auth: { appId: Number(auth.appId), privateKey: readFileSync(auth.privateKeyPath, "utf8"), installationId: Number(auth.installationId) } });
  }
  return new Octokit({ ...common, ...(auth ? { auth: auth.token } : {}) });
}

function toApiError(err: unknown): GithubApiError {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const status = typeof e.status === "number" && e.status > 0 ? e.status : undefined;
  return new GithubApiError(e.message ?? String(err), status, e.response?.headers ?? {});
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

export function createOctokitGithubApi(octokit: Octokit): GithubApi {
  return {
    async createStatus(repository, sha, status) {
      await call(() =>
        octokit.rest.repos.createCommitStatus({ ...splitRepository(repository), sha, state: status.state, description: status.description, context: status.context, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) }),
      );
    },
    async listPullRequestFiles(repository, number) {
      const files = await call(() => octokit.paginate(octokit.rest.pulls.listFiles, { ...splitRepository(repository), pull_number: number, per_page: 100 }));
      if (files.length >= MAX_PR_FILES) return undefined;
      return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
    },
    async getPullRequest(repository, number): Promise<PullRequestDetails> {
      const { data } = await call(() => octokit.rest.pulls.get({ ...splitRepository(repository), pull_number: number }));
      return {
        number: data.number,
        state: data.state,
        draft: data.draft ?? false,
        headRef: data.head.ref,
        headSha: data.head.sha,
        headRepository: data.head.repo?.full_name ?? null,
        baseRef: data.base.ref,
        baseSha: data.base.sha,
        baseRepository: data.base.repo.full_name,
        labels: data.labels.map((l) => l.name ?? "").filter(Boolean),
        authorAssociation: data.author_association,
        ...(data.updated_at ? { updatedAt: Date.parse(data.updated_at) } : {}),
      };
    },
    async getPermission(repository, user) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...splitRepository(repository), username: user });
        return data.permission;
      } catch (err) {
        // Not a collaborator: GitHub answers 404.
        if ((err as { status?: number }).status === 404) return "none";
        throw toApiError(err);
      }
    },
  };
}
