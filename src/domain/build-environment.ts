import type { RouteRule } from "./route-rule.js";
import type { SourceEvent } from "./source-event.js";

/**
 * The environment variables a build gets: the route's `env`, then BUILDGATE_* describing the
 * trigger (BUILDGATE_* win, so a route cannot fake its own trigger).
 */
export function buildEnvironment(rule: RouteRule, event: SourceEvent, buildKey: string): Record<string, string> {
  const env: Record<string, string> = {
    ...rule.env,
    BUILDGATE_ROUTE: rule.name,
    BUILDGATE_PROVIDER: event.provider,
    BUILDGATE_REPOSITORY: event.repository,
    BUILDGATE_DELIVERY_ID: event.deliveryId,
    BUILDGATE_EVENT: event.kind,
    BUILDGATE_ACTION: event.action,
    BUILDGATE_REF: event.ref,
    BUILDGATE_SHA: event.sha,
    BUILDGATE_BUILD_KEY: buildKey,
  };
  if (event.branch !== undefined) env.BUILDGATE_BRANCH = event.branch;
  if (event.tag !== undefined) env.BUILDGATE_TAG = event.tag;
  if (event.pullRequest) {
    env.BUILDGATE_PR_NUMBER = String(event.pullRequest.number);
    env.BUILDGATE_BASE_REF = event.pullRequest.baseRef;
    // CodeCommit pull request events may name no destination commit: no variable, not an empty one.
    if (event.pullRequest.baseSha !== "") env.BUILDGATE_BASE_SHA = event.pullRequest.baseSha;
    env.BUILDGATE_HEAD_REF = event.pullRequest.headRef;
    if (event.pullRequest.headRepository) env.BUILDGATE_HEAD_REPOSITORY = event.pullRequest.headRepository;
    if (event.pullRequest.fromFork) env.BUILDGATE_FROM_FORK = "true";
  }
  return env;
}
