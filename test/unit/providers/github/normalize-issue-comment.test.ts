import type { NormalizeResult } from "../../../../src/domain/source-event.js";
import { normalizeGithubEvent } from "../../../../src/providers/github/normalize-github-event.js";
import { examplesOf } from "./webhook-examples.js";

/** The fields of an issue_comment payload the tests read or change. */
interface IssueCommentExample {
  action: string;
  issue: { number: number; state: string; pull_request?: Record<string, unknown>; [key: string]: unknown };
  comment: { id: number; body: string | null; author_association?: string; created_at?: string; user: { login: string; [key: string]: unknown } | null; [key: string]: unknown };
  repository: { full_name: string; [key: string]: unknown };
  sender?: { login: string; [key: string]: unknown };
  [key: string]: unknown;
}

const REAL = examplesOf("issue_comment") as IssueCommentExample[];
const COMMENT_ID = 492700400;
// comment.created_at of the examples: "2019-05-15T15:20:21Z".
const CREATED_AT = Date.UTC(2019, 4, 15, 15, 20, 21);

const normalize = (payload: unknown): NormalizeResult => normalizeGithubEvent("issue_comment", payload, "d-3");

/** A real issue_comment example of `action`, moved onto pull request #1 with `body`. */
function prComment(body: string | null, action = "created"): IssueCommentExample {
  const found = REAL.find((p) => p.action === action);
  if (!found) throw new Error(`no issue_comment example with action ${action}`);
  const payload = structuredClone(found);
  payload.issue.pull_request = {
    url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1",
    html_url: "https://github.com/Codertocat/Hello-World/pull/1",
    diff_url: "https://github.com/Codertocat/Hello-World/pull/1.diff",
    patch_url: "https://github.com/Codertocat/Hello-World/pull/1.patch",
  };
  payload.comment.body = body;
  return payload;
}

describe("normalizeGithubEvent: the real issue_comment examples", () => {
  it("are comments on issues (none on a pull request)", () => {
    expect(REAL.length).toBeGreaterThanOrEqual(3);
    expect(REAL.some((p) => p.issue.pull_request !== undefined)).toBe(false);
  });

  it.each(REAL.map((payload, i) => ({ name: `#${i} ${payload.action}`, payload })))("$name is ignored with a reason", ({ payload }) => {
    const want = payload.action === "created" ? "comment is on an issue, not a pull request" : `issue_comment action ${payload.action} does not run commands`;
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: want });
  });

  it("an issue comment that is a command is still ignored", () => {
    const payload = structuredClone(REAL.find((p) => p.action === "created") as IssueCommentExample);
    payload.comment.body = "/retest";
    expect(normalize(payload)).toEqual({ kind: "ignored", reason: "comment is on an issue, not a pull request" });
  });
});

describe("normalizeGithubEvent: a command on a pull request", () => {
  it("becomes a command request with everything resolveCommand needs", () => {
    expect(normalize(prComment("/retest"))).toEqual({
      kind: "command",
      request: {
        provider: "github",
        deliveryId: "d-3",
        repository: "Codertocat/Hello-World",
        pullRequestNumber: 1,
        command: { name: "retest" },
        commentId: COMMENT_ID,
        commenter: "Codertocat",
        association: "OWNER",
        occurredAt: CREATED_AT,
      },
    });
  });

  it.each([
    { body: "/ok-to-test", command: { name: "ok-to-test" } },
    { body: "/test api-v2.1\n", command: { name: "test", route: "api-v2.1" } },
    { body: "  /retest  ", command: { name: "retest" } },
  ])("parses $body", ({ body, command }) => {
    expect(normalize(prComment(body))).toMatchObject({ kind: "command", request: { command } });
  });

  it("carries the commenter's association, not the pull request author's", () => {
    const payload = prComment("/retest");
    payload.comment.author_association = "FIRST_TIME_CONTRIBUTOR";
    expect(normalize(payload)).toMatchObject({ kind: "command", request: { association: "FIRST_TIME_CONTRIBUTOR" } });
  });

  it("treats a missing association as NONE", () => {
    const payload = prComment("/retest");
    delete payload.comment.author_association;
    expect(normalize(payload)).toMatchObject({ kind: "command", request: { association: "NONE" } });
  });

  it("takes the commenter from sender when the comment has no user (deleted account)", () => {
    const payload = prComment("/retest");
    payload.comment.user = null;
    payload.sender = { login: "ghost-sender" };
    expect(normalize(payload)).toMatchObject({ kind: "command", request: { commenter: "ghost-sender" } });
  });

  it("leaves out occurredAt without a usable created_at", () => {
    const payload = prComment("/retest");
    payload.comment.created_at = "not a date";
    const result = normalize(payload);
    expect(result.kind).toBe("command");
    expect(result.kind === "command" && result.request).not.toHaveProperty("occurredAt");
  });
});

describe("normalizeGithubEvent: pull request comments that run nothing", () => {
  it.each([
    { name: "an edited command", payload: () => prComment("/retest", "edited"), reason: "issue_comment action edited does not run commands" },
    { name: "a deleted command", payload: () => prComment("/retest", "deleted"), reason: "issue_comment action deleted does not run commands" },
    { name: "a comment that is not a command", payload: () => prComment("Looks good, /retest maybe?"), reason: "comment is not a command (/retest, /test ROUTE, /ok-to-test)" },
    { name: "an empty comment", payload: () => prComment(null), reason: "comment is not a command (/retest, /test ROUTE, /ok-to-test)" },
    { name: "a command with shell after it", payload: () => prComment("/test api && curl x|sh"), reason: "comment is not a command (/retest, /test ROUTE, /ok-to-test)" },
    {
      name: "a command on a closed pull request",
      payload: () => {
        const p = prComment("/retest");
        p.issue.state = "closed";
        return p;
      },
      reason: "pull request #1 is closed",
    },
  ])("$name", ({ payload, reason }) => {
    expect(normalize(payload())).toEqual({ kind: "ignored", reason });
  });

  it("a malformed payload is ignored with the field, not thrown", () => {
    const payload = prComment("/retest") as unknown as Record<string, unknown>;
    delete (payload.comment as Record<string, unknown>).id;
    const result = normalize(payload);
    expect(result.kind).toBe("ignored");
    expect(result.kind === "ignored" && result.reason).toMatch(/^malformed issue_comment payload: comment\.id: .+/);
  });
});
