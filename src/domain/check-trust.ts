import type { TrustRule } from "./route-rule.js";
import type { SourceEvent } from "./source-event.js";

/** GitHub label names are case-insensitive. */
export const sameLabel = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Pull requests from forks or from authors outside the trusted associations start nothing
 * until a maintainer adds the ok-to-test label (labeling needs triage rights on GitHub).
 * Returns the reason a pull request is not trusted, or undefined when it may build.
 */
export function checkTrust(trust: TrustRule, event: SourceEvent): string | undefined {
  const pr = event.pullRequest;
  if (!pr) return undefined;
  if (pr.labels.some((l) => sameLabel(l, trust.okToTestLabel))) return undefined;
  const trustedAuthor = trust.associations.includes(pr.authorAssociation);
  if (pr.fromFork && !trust.allowForks) {
    return `pull request #${pr.number} comes from fork ${pr.headRepository ?? "(deleted)"}: waiting for label ${trust.okToTestLabel}`;
  }
  if (!trustedAuthor) {
    return `pull request #${pr.number} author is ${pr.authorAssociation}, not one of [${trust.associations.join(", ")}]: waiting for label ${trust.okToTestLabel}`;
  }
  return undefined;
}
