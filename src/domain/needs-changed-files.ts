import type { RouteRule } from "./route-rule.js";
import { isRuleRepository } from "./same-repository.js";
import type { SourceEvent } from "./source-event.js";

/** Whether some route of the event's repository filters this kind of event by path: then the file list is worth an API call. */
export function needsChangedFiles(routes: readonly RouteRule[], e: SourceEvent): boolean {
  // /test and /retest build whatever the paths; /ok-to-test applies the route's filters, paths included.
  if (e.changedFiles || (e.command && e.command.name !== "ok-to-test") || e.kind === "tag") return false;
  // Comment commands run on routes that take pull_request or comment events (as the router's checkKind).
  const takes = (r: RouteRule) => (e.kind === "comment" ? r.on.includes("pull_request") || r.on.includes("comment") : r.on.includes(e.kind));
  return routes.some((r) => isRuleRepository(r, e) && (r.paths || r.ignorePaths) && takes(r));
}
