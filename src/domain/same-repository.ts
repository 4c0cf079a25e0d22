import type { RouteRule } from "./route-rule.js";
import type { SourceEvent } from "./source-event.js";

// GitHub names are case-insensitive (Codertocat/Hello-World is codertocat/hello-world); CodeCommit's are not.
const CASE_INSENSITIVE: ReadonlySet<string> = new Set(["github"]);

/** Whether two repository names of a provider name the same repository. */
export function sameRepository(provider: string, a: string, b: string): boolean {
  return CASE_INSENSITIVE.has(provider) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Whether an event comes from the repository a route's source names. */
export function isRuleRepository(rule: Pick<RouteRule, "source">, e: Pick<SourceEvent, "provider" | "repository">): boolean {
  return rule.source.provider === e.provider && sameRepository(e.provider, rule.source.repository, e.repository);
}
