import type { SourceEvent } from "./source-event.js";

/**
 * CodeBuild's `sourceVersion` for an event. GitHub: `ref^{SHA}` fetches only that ref and checks
 * out exactly the commit that was routed (pull requests use `refs/pull/N/head^{SHA}`, which also
 * works for forks); tags build the commit SHA. CodeCommit takes the commit id.
 */
export function sourceVersionFor(event: SourceEvent): string {
  if (event.provider !== "github" || event.kind === "tag") return event.sha;
  if (event.pullRequest) return `refs/pull/${event.pullRequest.number}/head^{${event.sha}}`;
  return `${event.ref}^{${event.sha}}`;
}
