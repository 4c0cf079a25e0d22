import { buildDedupeKey, supersedeKeyFor } from "../../../src/domain/build-key.js";
import type { SourceEvent } from "../../../src/domain/source-event.js";
import { commentEvent, pullRequestEvent, pushEvent, tagEvent } from "./builders.js";

describe("buildDedupeKey", () => {
  const push = pushEvent("main");
  const pr = pullRequestEvent("main");

  it.each<{ name: string; a: SourceEvent; b: SourceEvent }>([
    { name: "another delivery id", a: push, b: { ...push, deliveryId: "other" } },
    { name: "another actor", a: push, b: { ...push, actor: "someone" } },
    { name: "another before sha", a: push, b: { ...push, beforeSha: "0".repeat(40) } },
    { name: "another commit message", a: push, b: { ...push, headCommitMessage: "reworded" } },
    { name: "changed files now known", a: push, b: { ...push, changedFiles: ["a.ts"] } },
    { name: "another pull request action", a: pr, b: { ...pr, action: "synchronize" } },
    { name: "labels changed on the pull request", a: pr, b: pullRequestEvent("main", { labels: ["ok-to-test"], addedLabel: "ok-to-test" }, { action: "labeled" }) },
  ])("is the same for $name", ({ a, b }) => {
    expect(buildDedupeKey("api", b)).toBe(buildDedupeKey("api", a));
  });

  it.each<{ name: string; a: SourceEvent; b: SourceEvent; routeB?: string }>([
    { name: "another route", a: push, b: push, routeB: "web" },
    { name: "another provider", a: push, b: { ...push, provider: "codecommit" } },
    { name: "another repository", a: push, b: { ...push, repository: "acme/web" } },
    { name: "another kind", a: push, b: { ...push, kind: "tag" } },
    { name: "another ref", a: push, b: pushEvent("dev") },
    { name: "another commit", a: push, b: { ...push, sha: "f".repeat(40) } },
    { name: "another pull request number", a: pr, b: pullRequestEvent("main", { number: 8 }) },
    { name: "a pull request and a push of the same commit and ref", a: push, b: { ...pr, kind: "push" } },
  ])("differs for $name", ({ a, b, routeB }) => {
    expect(buildDedupeKey(routeB ?? "api", b)).not.toBe(buildDedupeKey("api", a));
  });
});

describe("buildDedupeKey: comment commands", () => {
  const pr = pullRequestEvent("main");

  it("/ok-to-test is the same build as the pull_request event for the same head", () => {
    expect(buildDedupeKey("api", commentEvent({ name: "ok-to-test" }))).toBe(buildDedupeKey("api", pr));
    expect(buildDedupeKey("api", commentEvent({ name: "ok-to-test", commentId: 2 }, {}, { deliveryId: "d-9" }))).toBe(buildDedupeKey("api", pr));
  });

  it("/ok-to-test on another head is another build", () => {
    expect(buildDedupeKey("api", commentEvent({ name: "ok-to-test" }, { headSha: "f".repeat(40) }, { sha: "f".repeat(40) }))).not.toBe(buildDedupeKey("api", pr));
  });

  it.each<{ name: string; command: Parameters<typeof commentEvent>[0] }>([
    { name: "/retest", command: { name: "retest", retestRoutes: ["api"] } },
    { name: "/test", command: { name: "test", route: "api" } },
  ])("$name asks for a new build: it differs from the pull_request key and per comment", ({ command }) => {
    const first = buildDedupeKey("api", commentEvent({ ...command, commentId: 1 }));
    expect(first).not.toBe(buildDedupeKey("api", pr));
    expect(buildDedupeKey("api", commentEvent({ ...command, commentId: 2 }))).not.toBe(first);
    // The same comment delivered again is the same build.
    expect(buildDedupeKey("api", commentEvent({ ...command, commentId: 1 }, {}, { deliveryId: "redelivery" }))).toBe(first);
  });

  it("/retest and /test of the same comment id do not collide with a push of the head", () => {
    const keys = new Set([buildDedupeKey("api", commentEvent({ name: "retest", commentId: 5 })), buildDedupeKey("api", pushEvent("main")), buildDedupeKey("api", pr)]);
    expect(keys.size).toBe(3);
  });
});

describe("supersedeKeyFor", () => {
  const rule = (pullRequests: boolean, branches: boolean) => ({ name: "api", cancelSuperseded: { pullRequests, branches } });
  const PR_KEY = "github|acme/api|api|pr#7";
  const BRANCH_KEY = "github|acme/api|api|refs/heads/main";

  it.each<{ name: string; pullRequests: boolean; branches: boolean; event: SourceEvent; want: string | null }>([
    { name: "pull request, pullRequests on", pullRequests: true, branches: false, event: pullRequestEvent("main"), want: PR_KEY },
    { name: "pull request, pullRequests off", pullRequests: false, branches: true, event: pullRequestEvent("main"), want: null },
    { name: "comment command on a pull request, pullRequests on", pullRequests: true, branches: false, event: commentEvent({ name: "retest" }), want: PR_KEY },
    { name: "push, branches on", pullRequests: false, branches: true, event: pushEvent("main"), want: BRANCH_KEY },
    { name: "push, branches off", pullRequests: true, branches: false, event: pushEvent("main"), want: null },
    { name: "tag, both on", pullRequests: true, branches: true, event: tagEvent("v1.0"), want: null },
    { name: "both off", pullRequests: false, branches: false, event: pullRequestEvent("main"), want: null },
  ])("$name", ({ pullRequests, branches, event, want }) => {
    expect(supersedeKeyFor(rule(pullRequests, branches), event)).toBe(want);
  });

  it.each<{ name: string; a: SourceEvent; b: SourceEvent; same: boolean }>([
    { name: "two heads of the same pull request share a group", a: pullRequestEvent("main"), b: pullRequestEvent("main", { headSha: "f".repeat(40) }, { sha: "f".repeat(40), action: "synchronize" }), same: true },
    { name: "a retargeted pull request stays in its group", a: pullRequestEvent("main"), b: pullRequestEvent("develop"), same: true },
    { name: "two pull requests do not", a: pullRequestEvent("main"), b: pullRequestEvent("main", { number: 8 }), same: false },
    { name: "two pushes to a branch share a group", a: pushEvent("main"), b: pushEvent("main", { sha: "f".repeat(40) }), same: true },
    { name: "pushes to two branches do not", a: pushEvent("main"), b: pushEvent("dev"), same: false },
    { name: "a push and a pull request into the branch do not", a: pushEvent("main"), b: pullRequestEvent("main"), same: false },
  ])("$name", ({ a, b, same }) => {
    const all = rule(true, true);
    expect(supersedeKeyFor(all, a) === supersedeKeyFor(all, b)).toBe(same);
  });

  it("differs per route", () => {
    expect(supersedeKeyFor({ name: "web", cancelSuperseded: { pullRequests: true, branches: true } }, pullRequestEvent("main"))).not.toBe(PR_KEY);
  });
});
