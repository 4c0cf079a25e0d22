import type { ParsedCommand } from "./comment-command.js";

/** Where an event came from. */
export type ProviderId = "github" | "codecommit";

/** What happened, in the terms routes are written in (`routes[].on`). */
export type EventKind = "push" | "tag" | "pull_request" | "comment";
export const EVENT_KINDS: readonly EventKind[] = ["push", "tag", "pull_request", "comment"];

/** The pull request part of a SourceEvent. */
export interface PullRequestInfo {
  readonly number: number;
  readonly baseRef: string;
  readonly baseSha: string;
  readonly headRef: string;
  readonly headSha: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  readonly headRepository: string | null;
  readonly fromFork: boolean;
  readonly draft: boolean;
  readonly labels: readonly string[];
  /** GitHub's `author_association` of the pull request author (OWNER, MEMBER, NONE, …). */
  readonly authorAssociation: string;
  /** The pull request's title, when the event carries it (shown on the board's cards). */
  readonly title?: string;
  /** Who opened the pull request: a GitHub login, a CodeCommit IAM principal ARN. */
  readonly author?: string;
  /** Set when the event is `labeled`: the label just added. */
  readonly addedLabel?: string;
  /** CodeCommit: the IAM principal that opened or updated the pull request. */
  readonly callerArn?: string;
  /** CodeCommit: set when the event is an approval, to the approving principal. */
  readonly approvedBy?: string;
}

/** A pull request comment command, already checked: the commenter is trusted. */
export interface CommentCommand {
  /** `/retest`: rerun the routes whose latest build of the head failed; `/test ROUTE`; `/ok-to-test`. */
  readonly name: "retest" | "test" | "ok-to-test";
  /** The route named by `/test`. */
  readonly route?: string;
  /** For `/retest`: the routes whose latest build of the head commit did not succeed. */
  readonly retestRoutes?: readonly string[];
  readonly commentId: number;
  readonly commenter: string;
}

/**
 * One provider event, normalized. Routing and everything after it only ever see this shape.
 * `changedFiles` is undefined when the list is unknown or truncated: routes never skip on
 * missing data.
 */
export interface SourceEvent {
  readonly provider: ProviderId;
  readonly deliveryId: string;
  readonly repository: string;
  /** CodeCommit: where the repository lives. */
  readonly location?: { readonly region: string; readonly account: string };
  readonly kind: EventKind;
  /** Provider action: "pushed", "opened", "synchronize", "reopened", … */
  readonly action: string;
  /** Full ref: `refs/heads/main`, `refs/tags/v1.0`, or the base ref of a pull request. */
  readonly ref: string;
  /** Short branch name (pushes) or base branch (pull requests); undefined for tags. */
  readonly branch?: string;
  readonly tag?: string;
  /** The commit to build. */
  readonly sha: string;
  readonly beforeSha?: string;
  readonly pullRequest?: PullRequestInfo;
  readonly actor: string;
  readonly headCommitMessage?: string;
  readonly changedFiles?: readonly string[];
  readonly cloneUrl?: string;
  /** When the event happened (epoch ms), to order late deliveries; undefined when unknown. */
  readonly occurredAt?: number;
  /** Set on `comment` events. */
  readonly command?: CommentCommand;
  /** GitHub App deliveries: the installation that sent it (its token reports the builds). */
  readonly installationId?: number;
}

/** A comment command that still needs the provider's API: who may run it, and the pull request's head. */
export interface CommandRequest {
  readonly provider: ProviderId;
  readonly deliveryId: string;
  readonly repository: string;
  readonly pullRequestNumber: number;
  readonly command: ParsedCommand;
  readonly commentId: number;
  readonly commenter: string;
  /** The commenter's `author_association` on the comment. */
  readonly association: string;
  readonly occurredAt?: number;
  /** GitHub App deliveries: the installation that sent it. */
  readonly installationId?: number;
}

/** The result of normalizing one delivery: an event to route, a command to resolve, or a recorded reason to ignore it. */
export type NormalizeResult =
  | { readonly kind: "event"; readonly event: SourceEvent }
  /** One delivery can carry several events (a CodeCommit trigger lists every ref a push changed). */
  | { readonly kind: "events"; readonly events: readonly SourceEvent[] }
  /** A builder's state-change event: poll these builds now. */
  | { readonly kind: "hint"; readonly buildIds: readonly string[]; readonly reason: string }
  | { readonly kind: "command"; readonly request: CommandRequest }
  | { readonly kind: "ignored"; readonly reason: string };

export const ignored = (reason: string): NormalizeResult => ({ kind: "ignored", reason });
