import type { RouteRule } from "../../domain/route-rule.js";
import type { NormalizeResult, SourceEvent } from "../../domain/source-event.js";
import type { CodeCommitApi } from "./codecommit-api.js";
import { needsChangedFiles } from "../../domain/needs-changed-files.js";

export interface EnrichCodeCommitDeps {
  readonly api: Pick<CodeCommitApi, "getDifferences" | "getPullRequest">;
  readonly routes: readonly RouteRule[];
}

/**
 * Changed files for CodeCommit events whose routes filter by path, from `GetDifferences`: a
 * branch update against its old commit, a pull request's source commit against its merge base.
 * When the old commit is unknown (repository triggers carry none) the files stay unknown and
 * path filters build rather than skip.
 */
export function createCodeCommitEnricher(deps: EnrichCodeCommitDeps): (r: NormalizeResult) => Promise<NormalizeResult> {
  async function withFiles(e: SourceEvent): Promise<SourceEvent> {
    if (!needsChangedFiles(deps.routes, e)) return e;
    let before = e.beforeSha && !/^0+$/.test(e.beforeSha) ? e.beforeSha : undefined;
    if (e.pullRequest) {
      const pr = await deps.api.getPullRequest(String(e.pullRequest.number));
      before = pr.mergeBase ?? pr.destinationCommit;
    }
    if (!before) return e;
    const files = await deps.api.getDifferences(e.repository, before, e.sha);
    return files ? { ...e, changedFiles: files } : e;
  }
  return async (result) => {
    if (result.kind === "event") return { kind: "event", event: await withFiles(result.event) };
    if (result.kind === "events") return { kind: "events", events: await Promise.all(result.events.map(withFiles)) };
    return result;
  };
}
