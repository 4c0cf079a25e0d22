import type { CommitStatus } from "../../domain/commit-status.js";
import type { BuildRow } from "../../store/store.js";

const https = (url: string | null | undefined) => (url && /^https:\/\//.test(url) ? url : undefined);

/**
 * The comment buildgate posts on a CodeCommit pull request or commit (Markdown): which check,
 * its result, the commit, and links to the board and the logs. Only server-built values and
 * CodeBuild's own links go in; nothing from the event's free text.
 */
export function codeCommitComment(build: BuildRow, status: CommitStatus, milestone: "started" | "finished"): string {
  const headline = milestone === "started" ? "Build started" : status.description;
  const mark = milestone === "started" ? "⏳" : status.state === "success" ? "✅" : "❌";
  const links = [status.targetUrl ? `[Build #${build.id} on buildgate](${status.targetUrl})` : undefined, https(build.logs_url) ? `[CloudWatch logs](${build.logs_url})` : undefined].filter(Boolean);
  return [`${mark} **${build.context}**: ${headline}`, "", `Commit \`${build.sha.slice(0, 12)}\` · CodeBuild project \`${build.project}\``, ...(links.length ? ["", links.join(" · ")] : [])].join("\n");
}
