import type { CommitStatus } from "../../domain/commit-status.js";
import { storedPhases } from "../../domain/build-snapshot.js";
import { isLocalBuildId } from "../../domain/builder.js";
import { failureCause } from "../../domain/failure-cause.js";
import type { BuildRow } from "../../store/store.js";
import { codeSpan, escapeMarkdown } from "./escape-markdown.js";

const https = (url: string | null | undefined) => (url && /^https:\/\//.test(url) ? url : undefined);
// A comment holds at most 10,240 characters; a command longer than this is cut.
const MAX_COMMAND = 1000;

/** `Failing command in BUILD: `npm test` (exit status 1)`, or undefined when the build names no cause. */
function causeLine(build: BuildRow): string | undefined {
  const cause = failureCause({ state: build.state, phases: storedPhases(build.phases) });
  if (!cause || (!cause.command && !cause.reason)) return undefined;
  const reason = cause.reason ? escapeMarkdown(cause.reason) : undefined;
  if (!cause.command) return `Cause in ${escapeMarkdown(cause.phase)}: ${reason}`;
  const command = cause.command.length > MAX_COMMAND ? `${cause.command.slice(0, MAX_COMMAND)}…` : cause.command;
  return `Failing command in ${escapeMarkdown(cause.phase)}: ${codeSpan(command)}${reason ? ` (${reason})` : ""}`;
}

/**
 * The comment buildgate posts on a CodeCommit pull request or commit (Markdown): which check,
 * its result and, for a failure, its cause on its own line, the commit, and links to the board
 * and the logs. The description and the cause hold repository text (a buildspec command): they
 * are escaped, the command in a code span it cannot break out of. Nothing from the event's free text.
 */
export function codeCommitComment(build: BuildRow, status: CommitStatus, milestone: "started" | "finished"): string {
  const headline = milestone === "started" ? "Build started" : escapeMarkdown(status.description);
  const mark = milestone === "started" ? "⏳" : status.state === "success" ? "✅" : "❌";
  const cause = milestone === "finished" ? causeLine(build) : undefined;
  // A local runner build has no CloudWatch log and no CodeBuild project: say what it is.
  const local = isLocalBuildId(build.external_id);
  const links = [status.targetUrl ? `[Build #${build.id} on buildgate](${status.targetUrl})` : undefined, https(build.logs_url) ? `[${local ? "Build log" : "CloudWatch logs"}](${build.logs_url})` : undefined].filter(Boolean);
  const where = local ? `local runner project \`${build.project}\`` : `CodeBuild project \`${build.project}\``;
  return [`${mark} **${build.context}**: ${headline}`, ...(cause ? ["", cause] : []), "", `Commit \`${build.sha.slice(0, 12)}\` · ${where}`, ...(links.length ? ["", links.join(" · ")] : [])].join("\n");
}
