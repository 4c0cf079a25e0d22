import type { PhaseRecord } from "./build-snapshot.js";
import type { BuildState } from "./build-state.js";
import { codeSpan, escapeMarkdown } from "./escape-markdown.js";
import type { FailureCause } from "./failure-cause.js";
import { formatDuration } from "./status-description.js";
import { withoutAnsi } from "./without-ansi.js";

/** GitHub's check run lifecycle (`status`) and result (`conclusion`, when completed). */
export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "cancelled" | "timed_out" | "skipped" | "action_required" | "neutral";

export interface CheckRunState {
  readonly status: CheckStatus;
  readonly conclusion?: CheckConclusion;
}

/**
 * A build's state as a check run. Errored builds fail (GitHub has no "error" conclusion);
 * stopped ones (by hand or superseded) are cancelled; "not affected" is skipped, which GitHub
 * counts as passing for a required check.
 */
export function checkRunState(state: BuildState): CheckRunState {
  switch (state) {
    case "pending":
    case "queued":
      return { status: "queued" };
    case "running":
      return { status: "in_progress" };
    case "succeeded":
      return { status: "completed", conclusion: "success" };
    case "failed":
    case "errored":
      return { status: "completed", conclusion: "failure" };
    case "timed_out":
      return { status: "completed", conclusion: "timed_out" };
    case "stopped":
      return { status: "completed", conclusion: "cancelled" };
    case "skipped":
      return { status: "completed", conclusion: "skipped" };
  }
}

/** GitHub refuses a summary over 65,535 characters (422). */
export const MAX_SUMMARY = 65_535;
export const LOG_TAIL_LINES = 30;
const MAX_LOG_LINE = 500;
const MAX_TESTS_LISTED = 20;
const MAX_COMMAND = 1000;

/** One failed test, as a test report names it (JUnit `testcase` with its `failure`). */
export interface FailedTest {
  readonly name: string;
  readonly suite?: string;
  readonly message?: string;
  readonly file?: string;
  readonly line?: number;
}

/** A pull request that builds nothing until someone approves it (ok-to-test). */
export interface AwaitingApproval {
  /** Why it waits (checkTrust's reason). */
  readonly reason: string;
  readonly label: string;
  /** The author associations that build without approval. */
  readonly associations: readonly string[];
}

export interface CheckOutputInput {
  readonly state: BuildState;
  readonly buildId?: number;
  /** The CodeBuild project; none for a pull request that has not built yet. */
  readonly project?: string;
  /** The board's build page. */
  readonly buildUrl: string;
  readonly phases: readonly PhaseRecord[];
  readonly cause?: FailureCause | null;
  /** buildgate's own error (start refused, builder lost). */
  readonly error?: string | null;
  readonly startedAt?: number | null;
  readonly endedAt?: number | null;
  readonly failedTests?: readonly FailedTest[];
  /** The log's last lines (at most the last 30 are shown), once the build finished. */
  readonly logTail?: readonly string[];
  readonly awaiting?: AwaitingApproval;
}

// Terminal escape sequences (without-ansi.ts) and other control characters say nothing on a web page.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
const cleanLine = (line: string) => {
  const text = withoutAnsi(line).replace(CONTROL, "").replace(/\s+$/, "");
  return text.length > MAX_LOG_LINE ? `${text.slice(0, MAX_LOG_LINE - 1)}…` : text;
};

/**
 * Lines as a fenced code block the text cannot close: the fence is longer than any run of
 * backticks inside (at least three), so no log line can end the block and inject Markdown.
 */
export function fencedBlock(lines: readonly string[], info = "text"): string {
  const body = lines.join("\n");
  const longest = Math.max(0, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

const MARK: Readonly<Record<string, string>> = { SUCCEEDED: "✅", FAILED: "❌", FAULT: "❌", TIMED_OUT: "⏱️", STOPPED: "⏹️", CLIENT_ERROR: "❌" };
// escapeMarkdown escapes "|" too: a table cell cannot be split.
const cell = (text: string) => escapeMarkdown(text);

function phaseTable(phases: readonly PhaseRecord[], state: BuildState): string | undefined {
  const rows = phases.filter((p) => p.type !== "COMPLETED");
  if (rows.length === 0) return undefined;
  const running = state === "queued" || state === "running";
  const lines = rows.map((p) => {
    const result = p.status ? `${MARK[p.status] ?? ""} ${cell(p.status)}`.trim() : running ? "⏳ running" : "";
    const took = p.durationSeconds !== undefined ? formatDuration(p.durationSeconds * 1000) : p.startedAt !== undefined && p.endedAt !== undefined ? formatDuration(p.endedAt - p.startedAt) : "";
    return `| ${cell(p.type)} | ${result} | ${took} |`;
  });
  return ["| Phase | Result | Duration |", "| --- | --- | --- |", ...lines].join("\n");
}

function causeSection(i: CheckOutputInput): string | undefined {
  const c = i.cause;
  if (c && c.command) {
    const command = c.command.length > MAX_COMMAND ? `${c.command.slice(0, MAX_COMMAND)}…` : c.command;
    return `**Failing command** in ${cell(c.phase)}: ${codeSpan(command)}${c.reason ? ` (${cell(c.reason)})` : ""}`;
  }
  if (c && c.reason) return `**Failed** in ${cell(c.phase)}: ${cell(c.reason)}`;
  if (i.error) return `**Error:** ${cell(i.error)}`;
  return undefined;
}

function testsSection(tests: readonly FailedTest[], listed: number): string | undefined {
  if (tests.length === 0) return undefined;
  const items = tests.slice(0, listed).map((t) => {
    const name = t.suite ? `${t.suite} › ${t.name}` : t.name;
    const where = t.file ? ` (${codeSpan(t.line ? `${t.file}:${t.line}` : t.file)})` : "";
    const message = t.message ? `: ${cell(t.message.split("\n")[0] ?? "").slice(0, 300)}` : "";
    return `- ${codeSpan(name.slice(0, 300))}${where}${message}`;
  });
  const more = tests.length > listed ? [`- … and ${tests.length - listed} more`] : [];
  return [`#### Failed tests (${tests.length})`, ...items, ...more].join("\n");
}

function awaitingSection(a: AwaitingApproval): string {
  return [
    `**Waiting for approval:** ${cell(a.reason)}.`,
    "",
    `Pull requests from forks or from authors who are not ${a.associations.map(cell).join(", ")} build only once a maintainer approves them:`,
    `someone with triage rights adds the label ${codeSpan(a.label)}, or someone with write access comments ${codeSpan("/ok-to-test")}.`,
    "Review the change first: the build runs its code.",
  ].join("\n");
}

function assemble(i: CheckOutputInput, logLines: readonly string[], testsListed: number): string {
  const took = i.startedAt && i.endedAt ? formatDuration(i.endedAt - i.startedAt) : undefined;
  const link = `[${i.buildId !== undefined ? `Build #${i.buildId}` : "This build"} on buildgate](${i.buildUrl})`;
  const sections = [
    i.awaiting ? awaitingSection(i.awaiting) : undefined,
    causeSection(i),
    phaseTable(i.phases, i.state),
    testsSection(i.failedTests ?? [], testsListed),
    logLines.length > 0 ? `#### Last ${logLines.length} log lines\n${fencedBlock(logLines)}` : undefined,
    `${link}${i.project ? ` · CodeBuild project ${codeSpan(i.project)}` : ""}${took ? ` · took ${took}` : ""}`,
  ];
  return sections.filter((s): s is string => s !== undefined).join("\n\n");
}

/**
 * The check run's summary (Markdown): why it waits or failed (the failing phase, command and
 * reason), the phases with their durations, the failed tests, the last 30 log lines in a block
 * they cannot break out of, and a link to the board. Every repository, log and test text is
 * escaped. Always within GitHub's 65,535 characters: log lines go first, then listed tests.
 */
export function checkRunSummary(i: CheckOutputInput): string {
  let log = (i.logTail ?? []).slice(-LOG_TAIL_LINES).map(cleanLine);
  let listed = MAX_TESTS_LISTED;
  let text = assemble(i, log, listed);
  while (text.length > MAX_SUMMARY && log.length > 0) {
    log = log.slice(Math.max(1, Math.ceil(log.length / 4)));
    text = assemble(i, log, listed);
  }
  while (text.length > MAX_SUMMARY && listed > 0) {
    listed = Math.floor(listed / 2);
    text = assemble(i, log, listed);
  }
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
