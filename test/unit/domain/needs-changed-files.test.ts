import type { RouteRule } from "../../../src/domain/route-rule.js";
import type { SourceEvent } from "../../../src/domain/source-event.js";
import { needsChangedFiles } from "../../../src/domain/needs-changed-files.js";
import { commentEvent, makeRule, pullRequestEvent, pushEvent } from "./builders.js";

describe("needsChangedFiles: whether the file list is worth an API call", () => {
  const paths = makeRule({ paths: ["services/api/**"] });
  it.each<{ name: string; routes: RouteRule[]; event: SourceEvent; want: boolean }>([
    { name: "a pull request and a route with paths", routes: [paths], event: pullRequestEvent("main"), want: true },
    { name: "a route with ignorePaths", routes: [makeRule({ ignorePaths: ["docs/**"] })], event: pullRequestEvent("main"), want: true },
    { name: "a comment-only route does not filter pull_request events", routes: [makeRule({ on: ["comment"], paths: ["src/**"] })], event: pullRequestEvent("main"), want: false },
    { name: "the repository in another case", routes: [paths], event: pullRequestEvent("main", {}, { repository: "ACME/Api" }), want: true },
    { name: "no route filters paths", routes: [makeRule()], event: pullRequestEvent("main"), want: false },
    { name: "the path route is for another repository", routes: [makeRule({ paths: ["src/**"], source: { provider: "github", repository: "acme/web" } })], event: pullRequestEvent("main"), want: false },
    { name: "the path route takes only pushes", routes: [makeRule({ on: ["push"], paths: ["src/**"] })], event: pullRequestEvent("main"), want: false },
    { name: "a push to a route with paths", routes: [paths], event: pushEvent("main"), want: true },
    { name: "files already known", routes: [paths], event: pullRequestEvent("main", {}, { changedFiles: ["a.ts"] }), want: false },
    // /ok-to-test applies the route's usual filters except trust: paths need the files.
    { name: "/ok-to-test", routes: [paths], event: commentEvent({ name: "ok-to-test" }), want: true },
    { name: "/ok-to-test, route on [comment]", routes: [makeRule({ on: ["comment"], paths: ["src/**"] })], event: commentEvent({ name: "ok-to-test" }), want: true },
    { name: "/ok-to-test, route on [push]", routes: [makeRule({ on: ["push"], paths: ["src/**"] })], event: commentEvent({ name: "ok-to-test" }), want: false },
    // /test and /retest build whatever the paths: no need to ask.
    { name: "/test ROUTE", routes: [paths], event: commentEvent({ name: "test", route: "api" }), want: false },
    { name: "/retest", routes: [paths], event: commentEvent({ name: "retest", retestRoutes: ["api"] }), want: false },
  ])("$name → $want", ({ routes, event, want }) => {
    expect(needsChangedFiles(routes, event)).toBe(want);
  });
});
