import type { RouteRule } from "../../domain/route-rule.js";
import type { NormalizeResult } from "../../domain/source-event.js";
import type { GithubApi } from "./github-api.js";
import type { Store } from "../../store/store.js";
import { needsChangedFiles } from "../../domain/needs-changed-files.js";
import { resolveCommand } from "./resolve-command.js";

export interface EnrichGithubDeps {
  readonly github: Pick<GithubApi, "getPullRequest" | "getPermission" | "listPullRequestFiles">;
  readonly store: Pick<Store, "listBuildsForCommit">;
  readonly routes: readonly RouteRule[];
}

/**
 * What a GitHub payload cannot tell by itself: who may run a comment command and the pull
 * request's head (pulls API), and a pull request's changed files (pull request files API;
 * pushes list theirs in the payload).
 */
export function createGithubEnricher(deps: EnrichGithubDeps): (r: NormalizeResult) => Promise<NormalizeResult> {
  return async (normalized) => {
    const result = normalized.kind === "command" ? await resolveCommand({ github: deps.github, store: deps.store }, normalized.request) : normalized;
    if (result.kind !== "event" || !result.event.pullRequest || !needsChangedFiles(deps.routes, result.event)) return result;
    const files = await deps.github.listPullRequestFiles(result.event.repository, result.event.pullRequest.number);
    return files ? { kind: "event", event: { ...result.event, changedFiles: files } } : result;
  };
}
