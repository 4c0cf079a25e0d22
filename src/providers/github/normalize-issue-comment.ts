import { parseCommentCommand } from "../../domain/comment-command.js";
import { ignored, type NormalizeResult } from "../../domain/source-event.js";
import type { IssueCommentPayload } from "./payload-schemas.js";

/** issue_comment → a command request when a new comment on a pull request is exactly one command. */
export function normalizeGithubIssueComment(payload: IssueCommentPayload, deliveryId: string): NormalizeResult {
  if (payload.action !== "created") return ignored(`issue_comment action ${payload.action} does not run commands`);
  if (!payload.issue.pull_request) return ignored("comment is on an issue, not a pull request");
  const command = parseCommentCommand(payload.comment.body ?? "");
  if (!command) return ignored("comment is not a command (/retest, /test ROUTE, /ok-to-test)");
  if (payload.issue.state !== "open") return ignored(`pull request #${payload.issue.number} is ${payload.issue.state}`);
  const createdAt = payload.comment.created_at ? Date.parse(payload.comment.created_at) : NaN;
  return {
    kind: "command",
    request: {
      provider: "github",
      deliveryId,
      repository: payload.repository.full_name,
      pullRequestNumber: payload.issue.number,
      command,
      commentId: payload.comment.id,
      commenter: payload.comment.user?.login ?? payload.sender?.login ?? "unknown",
      association: payload.comment.author_association ?? "NONE",
      ...(Number.isFinite(createdAt) ? { occurredAt: createdAt } : {}),
    },
  };
}
