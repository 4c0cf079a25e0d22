import picomatch from "picomatch";
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
  if (event.provider === "codecommit") return checkCallerTrust(trust, pr.number, pr.callerArn, pr.approvedBy);
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

/**
 * CodeCommit has no forks: who may push is IAM's business. With `trust.callers` set, a pull
 * request builds when its caller matches, or once a matching caller approves it.
 */
function checkCallerTrust(trust: TrustRule, number: number, callerArn: string | undefined, approvedBy: string | undefined): string | undefined {
  if (!trust.callers) return undefined;
  const trusted = picomatch(trust.callers as string[]);
  if ((callerArn && trusted(callerArn)) || (approvedBy && trusted(approvedBy))) return undefined;
  return `pull request ${number} by ${callerArn ?? "an unknown caller"} is not from a trusted caller: waiting for an approval by one of [${trust.callers.join(", ")}]`;
}
