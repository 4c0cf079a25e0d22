import type { RouteRule } from "../domain/route-rule.js";
import type { SourceEvent } from "../domain/source-event.js";

/** Whether some route of the event's repository filters this kind of event by path: then the file list is worth an API call. */
export function needsChangedFiles(routes: readonly RouteRule[], e: SourceEvent): boolean {
  // /test and /retest build whatever the paths; /ok-to-test applies the route's filters, paths included.
  if (e.changedFiles || (e.command && e.command.name !== "ok-to-test") || e.kind === "tag") return false;
  const sameRepo = (r: RouteRule) => r.source.provider === e.provider && (e.provider === "github" ? r.source.repository.toLowerCase() === e.repository.toLowerCase() : r.source.repository === e.repository);
  // Comment commands run on routes that take pull_request or comment events (as the router's checkKind).
  const takes = (r: RouteRule) => (e.kind === "comment" ? r.on.includes("pull_request") || r.on.includes("comment") : r.on.includes(e.kind));
  return routes.some((r) => sameRepo(r) && (r.paths || r.ignorePaths) && takes(r));
}
