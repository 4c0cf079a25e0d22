import type { z } from "zod";
import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import { normalizeGithubPullRequest } from "./normalize-pull-request.js";
import { normalizeGithubPush } from "./normalize-push.js";
import { normalizeGithubIssueComment } from "./normalize-issue-comment.js";
import { IssueCommentPayload, PullRequestPayload, PushPayload } from "./payload-schemas.js";

/** Events the intake stores for routing; every other event is stored as ignored at once. */
export const ROUTED_GITHUB_EVENTS: ReadonlySet<string> = new Set(["push", "pull_request", "issue_comment"]);

const REASONS: Readonly<Record<string, string>> = {
  create: "create events are ignored: the push event for the same ref starts builds",
  delete: "delete events are ignored: deleted refs start nothing",
};

/** Why a GitHub event name is not routed, or undefined when it is. */
export function ignoredGithubEventReason(event: string): string | undefined {
  if (ROUTED_GITHUB_EVENTS.has(event)) return undefined;
  return REASONS[event] ?? `event ${event} is not handled`;
}

function parse<T>(schema: z.ZodType<T>, payload: unknown, event: string): T | string {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return `malformed ${event} payload: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`;
}

/** `installation.id` of a GitHub App delivery: which installation's token reports on it. */
export function installationOf(payload: unknown): number | undefined {
  const id = (payload as { installation?: { id?: unknown } } | null)?.installation?.id;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The result carrying the installation that sent it (a GitHub App delivery), which then answers for it: API calls, reports. */
export function withInstallation(result: NormalizeResult, installationId: number | undefined): NormalizeResult {
  if (installationId === undefined) return result;
  if (result.kind === "event") return { kind: "event", event: { ...result.event, installationId } };
  if (result.kind === "command") return { kind: "command", request: { ...result.request, installationId } };
  return result;
}

/** A GitHub delivery as events, with the installation that sent it. */
export function normalizeGithubDelivery(event: string, payload: unknown, deliveryId: string): NormalizeResult {
  return withInstallation(normalizeGithubEvent(event, payload, deliveryId), installationOf(payload));
}

/** Turns one GitHub delivery (event name + parsed JSON body) into a SourceEvent or a reason to ignore it. */
export function normalizeGithubEvent(event: string, payload: unknown, deliveryId: string): NormalizeResult {
  const skip = ignoredGithubEventReason(event);
  if (skip) return ignored(skip);
  if (event === "push") {
    const p = parse(PushPayload, payload, event);
    return typeof p === "string" ? ignored(p) : normalizeGithubPush(p, deliveryId);
  }
  if (event === "issue_comment") {
    const p = parse(IssueCommentPayload, payload, event);
    return typeof p === "string" ? ignored(p) : normalizeGithubIssueComment(p, deliveryId);
  }
  const p = parse(PullRequestPayload, payload, event);
  return typeof p === "string" ? ignored(p) : normalizeGithubPullRequest(p, deliveryId);
}
