import { buildDedupeKey } from "../../../src/domain/build-key.js";
import type { SourceEvent } from "../../../src/domain/source-event.js";
import { pullRequestEvent, pushEvent } from "./builders.js";

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
