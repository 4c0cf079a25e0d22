import { parseCommentCommand, type ParsedCommand } from "../../../src/domain/comment-command.js";

describe("parseCommentCommand: the whole comment is one command", () => {
  it.each<{ body: string; want: ParsedCommand }>([
    { body: "/retest", want: { name: "retest" } },
    { body: " /retest \n", want: { name: "retest" } },
    { body: "\n\n/retest\r\n", want: { name: "retest" } },
    { body: "/ok-to-test", want: { name: "ok-to-test" } },
    { body: "/test api", want: { name: "test", route: "api" } },
    { body: "/test api-v2.1", want: { name: "test", route: "api-v2.1" } },
    { body: "/test\tweb_ui", want: { name: "test", route: "web_ui" } },
    { body: "/test   api  \n", want: { name: "test", route: "api" } },
    { body: `/test ${"a".repeat(63)}`, want: { name: "test", route: "a".repeat(63) } },
  ])("accepts $body", ({ body, want }) => {
    expect(parseCommentCommand(body)).toEqual(want);
  });

  it.each([
    { name: "trailing words", body: "/retest please" },
    { name: "/test without a route", body: "/test" },
    { name: "/test with a trailing space only", body: "/test " },
    { name: "/test with two routes", body: "/test a b" },
    { name: "shell after the route", body: "/test api && curl x|sh" },
    { name: "shell glued to the route", body: "/test api;rm" },
    { name: "command not at the start", body: "please /retest" },
    { name: "two commands", body: "/retest\n/test x" },
    { name: "upper case", body: "/RETEST" },
    { name: "path in the route", body: "/test ../x" },
    { name: "route starting with a dot", body: "/test .x" },
    { name: "route starting with a dash", body: "/test -x" },
    { name: "route with a slash", body: "/test a/b" },
    { name: "route too long", body: `/test ${"a".repeat(64)}` },
    { name: "quoted in markdown", body: "> /retest" },
    { name: "in a code span", body: "`/retest`" },
    { name: "no slash", body: "retest" },
    { name: "unknown command", body: "/approve" },
    { name: "prefix of a command", body: "/retesting" },
    { name: "newline between /test and its route", body: "/test\napi" },
    { name: "empty", body: "" },
    { name: "only whitespace", body: " \n " },
  ])("rejects $name", ({ body }) => {
    expect(parseCommentCommand(body)).toBeUndefined();
  });
});
