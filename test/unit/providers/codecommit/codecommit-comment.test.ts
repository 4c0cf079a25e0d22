import { codeCommitComment } from "../../../../src/providers/codecommit/codecommit-comment.js";
import { codeSpan, escapeMarkdown } from "../../../../src/providers/codecommit/escape-markdown.js";
import type { CommitStatus } from "../../../../src/domain/commit-status.js";
import { buildRow } from "../../../helpers/store-fixtures.js";

const failedIn = (type: string, statusCode: string, message: string) =>
  JSON.stringify([
    { type: "SUBMITTED", status: "SUCCEEDED" },
    { type, status: "FAILED", contexts: [{ statusCode, message }] },
    { type: "COMPLETED" },
  ]);
const commandFailed = (command: string) => failedIn("BUILD", "COMMAND_EXECUTION_ERROR", `Error while executing command: ${command}. Reason: exit status 1`);
const failure = (description: string): CommitStatus => ({ state: "failure", description, context: "codebuild/cc", targetUrl: "https://buildgate.example/builds/6" });

/** The content of the single code span in a line, read as CommonMark does: the fence, then up to the same fence. */
function spanContent(line: string): string | undefined {
  const open = /`+/.exec(line);
  if (!open) return undefined;
  const fence = open[0];
  const rest = line.slice(open.index + fence.length);
  const close = new RegExp(`(?<!\`)${fence}(?!\`)`).exec(rest);
  return close ? rest.slice(0, close.index).replace(/^ (.*) $/, "$1") : undefined;
}

describe("codeCommitComment: the cause on its own line", () => {
  it.each([
    {
      name: "a failed command, in a code span",
      phases: commandFailed("npm test"),
      description: "Failed in BUILD: npm test (exit status 1) after 1m05s",
      want: "Failing command in BUILD: ` npm test ` (exit status 1)",
    },
    {
      name: "a command with quotes and dots",
      phases: commandFailed(`grep -Fq "Congratulations" index.html`),
      description: "Failed in BUILD",
      want: 'Failing command in BUILD: ` grep -Fq "Congratulations" index.html ` (exit status 1)',
    },
    {
      name: "a reason without a command, escaped",
      phases: failedIn("DOWNLOAD_SOURCE", "YAML_FILE_ERROR", "stat /codebuild/output/src123/src/buildspec.yml: no such file or directory"),
      description: "Failed in DOWNLOAD_SOURCE",
      want: "Cause in DOWNLOAD\\_SOURCE: stat /codebuild/output/src123/src/buildspec\\.yml\\: no such file or directory",
    },
  ])("$name", ({ phases, description, want }) => {
    const lines = codeCommitComment(buildRow({ state: "failed", phases }), failure(description), "finished").split("\n");
    expect(lines[2]).toBe(want);
    expect(lines[1]).toBe("");
    expect(lines[3]).toBe("");
  });

  it("has no cause line when the build started, succeeded, or failed without a context", () => {
    const ok: CommitStatus = { state: "success", description: "Succeeded in 1m35s", context: "codebuild/cc" };
    expect(codeCommitComment(buildRow({ state: "failed", phases: commandFailed("npm test") }), failure("Build started"), "started")).not.toContain("Failing command");
    expect(codeCommitComment(buildRow({ state: "succeeded", phases: "[]" }), ok, "finished")).toBe("✅ **buildgate/api**: Succeeded in 1m35s\n\nCommit `aaaaaaaaaaaa` · CodeBuild project `api-ci`");
    const noContext = JSON.stringify([{ type: "BUILD", status: "FAILED" }]);
    expect(codeCommitComment(buildRow({ state: "failed", phases: noContext }), failure("Failed in BUILD phase"), "finished")).not.toMatch(/Cause|Failing command/);
    expect(codeCommitComment(buildRow({ state: "failed", phases: "not json" }), failure("Failed"), "finished")).not.toMatch(/Cause|Failing command/);
  });

  it.each([
    { name: "backticks", command: "echo `date` ``x`` ```" },
    { name: "a leading and a trailing backtick", command: "`rm -rf /`" },
    { name: "Markdown and HTML", command: "**bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)> </code>" },
    { name: "line breaks (a block scalar)", command: "set -e\n\nnpm ci\n# heading\nnpm test" },
  ])("a hostile command ($name) stays inside its code span", ({ command }) => {
    const comment = codeCommitComment(buildRow({ state: "failed", phases: commandFailed(command) }), failure(`Failed in BUILD: ${command}`), "finished");
    const line = comment.split("\n").find((l) => l.startsWith("Failing command"));
    expect(spanContent(line ?? "")).toBe(command.replace(/\s+/g, " ").trim());
    expect(line?.endsWith(" (exit status 1)")).toBe(true);
    // The headline carries the description escaped: no unescaped Markdown or HTML character in it.
    const headline = comment.split("\n")[0] ?? "";
    expect(headline.replace(/^❌ \*\*buildgate\/api\*\*: /, "").replace(/\\[\\`*_{}[\]()#+\-.!|~<>&:]/g, "")).not.toMatch(/[`*_[\]<>&\\]/);
  });
});

describe("escapeMarkdown and codeSpan", () => {
  it.each([
    { text: "npm test", want: "npm test" },
    { text: "a_b*c*", want: "a\\_b\\*c\\*" },
    { text: "[x](y)", want: "\\[x\\]\\(y\\)" },
    { text: "<b>&amp;", want: "\\<b\\>\\&amp;" },
    { text: "line\n\n# two", want: "line \\# two" },
  ])("escapeMarkdown → $want", ({ text, want }) => {
    expect(escapeMarkdown(text)).toBe(want);
  });

  it.each([
    { text: "npm test", want: "` npm test `" },
    { text: "a `b` c", want: "`` a `b` c ``" },
    { text: "```", want: "```` ``` ````" },
  ])("codeSpan($text)", ({ text, want }) => {
    expect(codeSpan(text)).toBe(want);
  });
});

describe("codeCommitComment: names the builder that ran the build (issue 13)", () => {
  const status: CommitStatus = { state: "failure", description: "Failed in BUILD", context: "buildgate/api", targetUrl: "https://buildgate.example/builds/1" };
  it("a CodeBuild build links its CloudWatch logs and names its CodeBuild project", () => {
    const comment = codeCommitComment(buildRow({ state: "failed", external_id: "api-ci:0f6c3a52-1c2d-4e5f-8a9b-0123456789ab", logs_url: "https://console.aws.amazon.com/cloudwatch/home#logsV2" }), status, "finished");
    expect(comment).toContain("CodeBuild project `api-ci`");
    expect(comment).toContain("[CloudWatch logs](https://console.aws.amazon.com/cloudwatch/home#logsV2)");
  });
  it("a local runner build says so: no CloudWatch, no CodeBuild", () => {
    const comment = codeCommitComment(buildRow({ state: "failed", external_id: "local:api-ci:0f6c3a52-1c2d-4e5f-8a9b-0123456789ab", logs_url: "https://buildgate.example/builds/logs/local%3Aapi-ci" }), status, "finished");
    expect(comment).toContain("local runner project `api-ci`");
    expect(comment).toContain("[Build log](https://buildgate.example/builds/logs/local%3Aapi-ci)");
    expect(comment).not.toMatch(/CloudWatch|CodeBuild/);
    expect(comment).toContain("[Build #1 on buildgate](https://buildgate.example/builds/1)");
  });
});
