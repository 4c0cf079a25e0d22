import type { SourceEvent } from "./source-event.js";

/**
 * The dedupe key of a build: route, event kind, ref, commit and pull request. The same commit
 * delivered again (a redelivery, a replay under a new delivery id, an `ok-to-test` label on an
 * already built head) maps to the same key, and the store's unique index makes it one build.
 */
export function buildDedupeKey(route: string, event: SourceEvent): string {
  const pr = event.pullRequest ? `#${event.pullRequest.number}` : "";
  return [event.provider, event.repository, route, event.kind, event.ref, event.sha + pr].join("|");
}
