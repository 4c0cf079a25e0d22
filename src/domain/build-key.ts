import type { SourceEvent } from "./source-event.js";

/**
 * The dedupe key of a build: route, event kind, ref, commit and pull request. The same commit
 * delivered again (a redelivery, a replay under a new delivery id, an `ok-to-test` label on an
 * already built head) maps to the same key, and the store's unique index makes it one build.
 */
export function buildDedupeKey(route: string, event: SourceEvent): string {
  const pr = event.pullRequest ? `#${event.pullRequest.number}` : "";
  // /ok-to-test approves the pull request's head: the same build as the pull_request event.
  // /retest and /test ask for a new build each time.
  const command = event.command;
  const kind = command && command.name !== "ok-to-test" ? `comment:${command.commentId}` : event.kind === "comment" ? "pull_request" : event.kind;
  return [event.provider, event.repository, route, kind, event.ref, event.sha + pr].join("|");
}

/**
 * The group in which a newer build supersedes older in-flight ones: the route plus the pull
 * request (or the branch, when configured). Null when the route does not cancel.
 */
export function supersedeKeyFor(route: { name: string; cancelSuperseded: { pullRequests: boolean; branches: boolean } }, event: SourceEvent): string | null {
  if (event.pullRequest) return route.cancelSuperseded.pullRequests ? [event.provider, event.repository, route.name, `pr#${event.pullRequest.number}`].join("|") : null;
  if (event.kind === "push") return route.cancelSuperseded.branches ? [event.provider, event.repository, route.name, event.ref].join("|") : null;
  return null;
}
