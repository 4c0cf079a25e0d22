import type { PhaseRecord } from "../../../src/domain/build-snapshot.js";
import { BUILD_STATES, type BuildState } from "../../../src/domain/build-state.js";
import { checkRunState, checkRunSummary, fencedBlock, MAX_SUMMARY, type CheckOutputInput } from "../../../src/domain/check-run-output.js";

const T = Date.UTC(2026, 10, 26, 10, 0, 0);
const PHASES: PhaseRecord[] = [
  { type: "SUBMITTED", status: "SUCCEEDED", startedAt: T, endedAt: T + 1000, durationSeconds: 1 },
  { type: "PROVISIONING", status: "SUCCEEDED", startedAt: T + 1000, endedAt: T + 9000, durationSeconds: 8 },
  { type: "BUILD", status: "FAILED", startedAt: T + 9000, endedAt: T + 73000, durationSeconds: 64 },
  { type: "COMPLETED", startedAt: T + 73000 },
];
const base = (over: Partial<CheckOutputInput> = {}): CheckOutputInput => ({
  state: "failed",
  buildId: 7,
  project: "api-ci",
  buildUrl: "https://ci.example.com/builds/7",
  phases: PHASES,
  cause: { phase: "BUILD", command: "npm test", reason: "exit status 1" },
  startedAt: T,
  endedAt: T + 73000,
  ...over,
});

describe("checkRunState", () => {
  const table: Array<[BuildState, string, string | undefined]> = [
    ["pending", "queued", undefined],
    ["queued", "queued", undefined],
    ["running", "in_progress", undefined],
    ["succeeded", "completed", "success"],
    ["failed", "completed", "failure"],
    ["errored", "completed", "failure"],
    ["timed_out", "completed", "timed_out"],
    ["stopped", "completed", "cancelled"],
    ["skipped", "completed", "skipped"],
  ];
  it.each(table)("%s → %s %s", (state, status, conclusion) => {
    expect(checkRunState(state)).toEqual({ status, ...(conclusion ? { conclusion } : {}) });
  });

  it("the table above names every build state", () => {
    expect(table.map(([state]) => state).sort()).toEqual([...BUILD_STATES].sort());
  });
});

describe("fencedBlock", () => {
  it.each([
    { name: "plain text gets three backticks", lines: ["npm ERR! test failed"], fence: "```" },
    { name: "a line of three backticks cannot close a four-backtick fence", lines: ["```", "# Injected heading", "```"], fence: "````" },
    { name: "the longest run decides", lines: ["a ` b `` c ````` d"], fence: "``````" },
  ])("$name", ({ lines, fence }) => {
    const block = fencedBlock(lines);
    expect(block.startsWith(`${fence}text\n`)).toBe(true);
    expect(block.endsWith(`\n${fence}`)).toBe(true);
    // No line inside is a fence that could close it.
    for (const line of block.split("\n").slice(1, -1)) expect(/^\s*`{3,}\s*$/.test(line) && line.trim().length >= fence.length).toBe(false);
  });
});

describe("checkRunSummary", () => {
  it("states the failing command, the phase table with durations and the link to the board", () => {
    expect(checkRunSummary(base())).toBe(
      [
        "**Failing command** in BUILD: ` npm test ` (exit status 1)",
        "",
        "| Phase | Result | Duration |",
        "| --- | --- | --- |",
        "| SUBMITTED | ✅ SUCCEEDED | 1s |",
        "| PROVISIONING | ✅ SUCCEEDED | 8s |",
        "| BUILD | ❌ FAILED | 1m04s |",
        "",
        "[Build #7 on buildgate](https://ci.example.com/builds/7) · CodeBuild project ` api-ci ` · took 1m13s",
      ].join("\n"),
    );
  });

  it.each([
    { name: "a reason without a command", over: { cause: { phase: "DOWNLOAD_SOURCE", command: null, reason: "CLIENT_ERROR: repository not found" } }, want: "**Failed** in DOWNLOAD\\_SOURCE: CLIENT\\_ERROR\\: repository not found" },
    { name: "buildgate's own error", over: { state: "errored" as const, cause: null, error: "StartBuild refused: AccessDenied" }, want: "**Error:** StartBuild refused\\: AccessDenied" },
    { name: "a running phase", over: { state: "running" as const, cause: null, phases: [{ type: "BUILD", startedAt: T }] }, want: "| BUILD | ⏳ running |  |" },
  ])("$name", ({ over, want }) => {
    expect(checkRunSummary(base(over))).toContain(want);
  });

  it("escapes repository text: a command cannot add links, and a table cell cannot be split", () => {
    const text = checkRunSummary(base({ cause: { phase: "BUILD", command: "echo ` [x](https://evil.example) `", reason: "a | b <img src=x>" } }));
    expect(text).toContain("`` echo ` [x](https://evil.example) ` ``");
    expect(text).toContain("(a \\| b \\<img src=x\\>)");
  });

  it("lists failed tests and the last 30 log lines, fenced so the log cannot break out", () => {
    const log = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    log[38] = "```";
    log[39] = "\u001b[31m## not a heading\u001b[0m";
    const text = checkRunSummary(base({ failedTests: [{ name: "adds", suite: "math", message: "expected 2\nreceived 3", file: "src/math.test.ts", line: 12 }], logTail: log }));
    expect(text).toContain("#### Failed tests (1)\n- ` math › adds ` (` src/math.test.ts:12 `): expected 2");
    expect(text).toContain("#### Last 30 log lines\n````text\nline 11\n");
    expect(text).toContain("```\n## not a heading\n````");
    expect(text).not.toContain("line 10\n");
  });

  it("says who can approve a pull request waiting for ok-to-test, and how", () => {
    const text = checkRunSummary(base({ state: "pending", cause: null, phases: [], awaiting: { reason: "pull request #4 comes from fork evil/fork: waiting for label ok-to-test", label: "ok-to-test", associations: ["OWNER", "MEMBER"] } }));
    expect(text).toContain("**Waiting for approval:** pull request \\#4 comes from fork evil/fork\\: waiting for label ok\\-to\\-test.");
    expect(text).toContain("adds the label ` ok-to-test `, or someone with write access comments ` /ok-to-test `");
  });

  it("stays within GitHub's 65,535 characters: the log shrinks first, then the listed tests", () => {
    const huge = "x".repeat(20_000);
    const text = checkRunSummary(base({ logTail: Array.from({ length: 30 }, () => huge), failedTests: Array.from({ length: 500 }, (_, i) => ({ name: `t${i} ${"y".repeat(5000)}` })) }));
    expect(text.length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(text).toContain("[Build #7 on buildgate]");
    expect(text).toContain("… and 480 more");
  });
});
