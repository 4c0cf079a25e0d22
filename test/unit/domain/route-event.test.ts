import { createRouter } from "../../../src/domain/route-event.js";
import type { RouteRule } from "../../../src/domain/route-rule.js";
import type { SourceEvent } from "../../../src/domain/source-event.js";
import { BASE_SHA, commentEvent, makeRule, pullRequestEvent, pushEvent, SHA, tagEvent } from "./builders.js";

interface Case {
  name: string;
  rule?: Partial<RouteRule>;
  event: SourceEvent;
  /** The decision's reason; "matched: …" means the route builds. */
  want: string;
}

const MATCHED_PUSH = "matched: push to main starts api-ci";
const MATCHED_PR = "matched: pull request #7 (opened) into main starts api-ci";
const UNKNOWN_FILES = " (changed files unknown: building rather than skipping)";

/** Routes `event` through a single rule and checks the one decision and the plans agree with `want`. */
function expectDecision({ rule, event, want }: Case): void {
  const result = createRouter([makeRule(rule)])(event);
  const matched = want.startsWith("matched: ");
  expect(result.decisions).toEqual([{ route: "api", matched, reason: want }]);
  expect(result.plans.map((p) => p.route)).toEqual(matched ? ["api"] : []);
}

describe("createRouter: repository", () => {
  const codecommit = (repository: string) => ({ source: { provider: "codecommit" as const, repository } });
  it.each<Case>([
    { name: "github repository, same case", event: pushEvent("main"), want: MATCHED_PUSH },
    { name: "github repository compares case-insensitively", rule: { source: { provider: "github", repository: "Acme/API" } }, event: pushEvent("main"), want: MATCHED_PUSH },
    { name: "github event repository in other case", event: pushEvent("main", { repository: "ACME/Api" }), want: MATCHED_PUSH },
    { name: "another github repository", event: pushEvent("main", { repository: "acme/web" }), want: "repository github:acme/web is not github:acme/api" },
    { name: "same name on another provider", rule: codecommit("acme/api"), event: pushEvent("main"), want: "repository github:acme/api is not codecommit:acme/api" },
    { name: "codecommit repository, same case", rule: codecommit("MyRepo"), event: pushEvent("main", { provider: "codecommit", repository: "MyRepo" }), want: MATCHED_PUSH },
    {
      name: "codecommit repository compares case-sensitively",
      rule: codecommit("MyRepo"),
      event: pushEvent("main", { provider: "codecommit", repository: "myrepo" }),
      want: "repository codecommit:myrepo is not codecommit:MyRepo",
    },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: event kind", () => {
  it.each<Case>([
    { name: "push in on", rule: { on: ["push"] }, event: pushEvent("main"), want: MATCHED_PUSH },
    { name: "tag not in on", rule: { on: ["push"] }, event: tagEvent("v1.0"), want: "event tag is not in on: [push]" },
    { name: "tag in on", rule: { on: ["tag"] }, event: tagEvent("v1.0"), want: "matched: tag v1.0 starts api-ci" },
    { name: "push not in on", rule: { on: ["pull_request", "tag"] }, event: pushEvent("main"), want: "event push is not in on: [pull_request, tag]" },
    { name: "pull request not in on", rule: { on: ["push"] }, event: pullRequestEvent("main"), want: "event pull_request is not in on: [push]" },
    { name: "pull request in on", rule: { on: ["pull_request"] }, event: pullRequestEvent("main"), want: MATCHED_PR },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: branches", () => {
  const branches = ["main", "release/*"];
  it.each<Case>([
    { name: "push to a listed branch", rule: { branches }, event: pushEvent("main"), want: MATCHED_PUSH },
    { name: "push to a branch matching a glob", rule: { branches }, event: pushEvent("release/1.0"), want: "matched: push to release/1.0 starts api-ci" },
    { name: "push to an unlisted branch", rule: { branches }, event: pushEvent("feature/x"), want: "branch feature/x matches none of branches: [main, release/*]" },
    { name: "* does not cross /", rule: { branches }, event: pushEvent("release/1.0/hotfix"), want: "branch release/1.0/hotfix matches none of branches: [main, release/*]" },
    { name: "** crosses /", rule: { branches: ["release/**"] }, event: pushEvent("release/1.0/hotfix"), want: "matched: push to release/1.0/hotfix starts api-ci" },
    { name: "only-negative list matches other branches", rule: { branches: ["!gh-pages"] }, event: pushEvent("feature/x"), want: "matched: push to feature/x starts api-ci" },
    { name: "only-negative list excludes its branch", rule: { branches: ["!gh-pages"] }, event: pushEvent("gh-pages"), want: "branch gh-pages matches none of branches: [!gh-pages]" },
    {
      name: "later negation overrides an earlier glob",
      rule: { branches: ["release/**", "!release/**-alpha"] },
      event: pushEvent("release/2-alpha"),
      want: "branch release/2-alpha matches none of branches: [release/**, !release/**-alpha]",
    },
    { name: "later positive re-includes", rule: { branches: ["!main", "main"] }, event: pushEvent("main"), want: MATCHED_PUSH },
    { name: "no branches filter matches any branch", event: pushEvent("any/deep/branch"), want: "matched: push to any/deep/branch starts api-ci" },
    { name: "pull request uses the base branch", rule: { branches: ["main"] }, event: pullRequestEvent("main", { headRef: "feature/x" }), want: MATCHED_PR },
    {
      name: "pull request is not matched on its head branch",
      rule: { branches: ["feature/*"] },
      event: pullRequestEvent("main", { headRef: "feature/x" }),
      want: "base branch main matches none of branches: [feature/*]",
    },
    { name: "pull request into an unlisted base", rule: { branches }, event: pullRequestEvent("develop"), want: "base branch develop matches none of branches: [main, release/*]" },
    { name: "branches do not filter tags", rule: { branches: ["main"] }, event: tagEvent("v1.0"), want: "matched: tag v1.0 starts api-ci" },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: tags", () => {
  it.each<Case>([
    { name: "tag matching the filter", rule: { tags: ["v*"] }, event: tagEvent("v1.2.0"), want: "matched: tag v1.2.0 starts api-ci" },
    { name: "tag not matching the filter", rule: { tags: ["v*"] }, event: tagEvent("nightly"), want: "tag nightly matches none of tags: [v*]" },
    { name: "negated tag pattern", rule: { tags: ["v*", "!v*-rc*"] }, event: tagEvent("v2.0-rc1"), want: "tag v2.0-rc1 matches none of tags: [v*, !v*-rc*]" },
    { name: "no tags filter matches any tag", event: tagEvent("anything"), want: "matched: tag anything starts api-ci" },
    { name: "tags do not filter branch pushes", rule: { tags: ["v*"] }, event: pushEvent("main"), want: MATCHED_PUSH },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: headBranches", () => {
  const headBranches = ["!dependabot/**"];
  it.each<Case>([
    { name: "head branch allowed", rule: { headBranches }, event: pullRequestEvent("main", { headRef: "feature/y" }), want: MATCHED_PR },
    {
      name: "head branch excluded",
      rule: { headBranches },
      event: pullRequestEvent("main", { headRef: "dependabot/npm/left-pad" }),
      want: "head branch dependabot/npm/left-pad matches none of headBranches: [!dependabot/**]",
    },
    {
      name: "head branch positive list",
      rule: { headBranches: ["feature/*"] },
      event: pullRequestEvent("main", { headRef: "fix/z" }),
      want: "head branch fix/z matches none of headBranches: [feature/*]",
    },
    { name: "headBranches do not filter pushes", rule: { headBranches }, event: pushEvent("dependabot/npm/left-pad"), want: "matched: push to dependabot/npm/left-pad starts api-ci" },
    {
      name: "base branch is checked before head branch",
      rule: { branches: ["main"], headBranches },
      event: pullRequestEvent("develop", { headRef: "dependabot/x" }),
      want: "base branch develop matches none of branches: [main]",
    },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: drafts and labels", () => {
  it.each<Case>([
    { name: "draft ignored by default", event: pullRequestEvent("main", { draft: true }), want: "pull request #7 is a draft (drafts: false)" },
    { name: "draft builds with drafts: true", rule: { drafts: true }, event: pullRequestEvent("main", { draft: true }), want: MATCHED_PR },
    { name: "ready pull request builds", event: pullRequestEvent("main", { draft: false }), want: MATCHED_PR },
    {
      name: "labeled with another label",
      event: pullRequestEvent("main", { addedLabel: "bug", labels: ["bug"] }, { action: "labeled" }),
      want: "label bug does not start builds (only ok-to-test)",
    },
    {
      name: "labeled with ok-to-test",
      event: pullRequestEvent("main", { addedLabel: "ok-to-test", labels: ["ok-to-test"] }, { action: "labeled" }),
      want: "matched: pull request #7 (labeled) into main starts api-ci",
    },
    {
      name: "labeled with ok-to-test when another label is configured",
      rule: { trust: { associations: ["OWNER", "MEMBER", "COLLABORATOR"], okToTestLabel: "safe-to-test", allowForks: false } },
      event: pullRequestEvent("main", { addedLabel: "ok-to-test", labels: ["ok-to-test"] }, { action: "labeled" }),
      want: "label ok-to-test does not start builds (only safe-to-test)",
    },
    {
      name: "labels compare case-insensitively, as on GitHub",
      event: pullRequestEvent("main", { addedLabel: "OK-To-Test", labels: ["OK-To-Test"], fromFork: true, headRepository: "stranger/api", authorAssociation: "NONE" }, { action: "labeled" }),
      want: "matched: pull request #7 (labeled) into main starts api-ci",
    },
    {
      name: "ok-to-test on a fork pull request from a stranger builds",
      event: pullRequestEvent("main", { addedLabel: "ok-to-test", labels: ["ok-to-test"], fromFork: true, headRepository: "stranger/api", authorAssociation: "NONE" }, { action: "labeled" }),
      want: "matched: pull request #7 (labeled) into main starts api-ci",
    },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: skip markers", () => {
  it.each<Case>([
    { name: "[skip ci]", event: pushEvent("main", { headCommitMessage: "Docs [skip ci]" }), want: "head commit message contains [skip ci]" },
    { name: "[ci skip] in any case", event: pushEvent("main", { headCommitMessage: "Docs\n\n[CI Skip]" }), want: "head commit message contains [ci skip]" },
    { name: "skip ci without brackets builds", event: pushEvent("main", { headCommitMessage: "skip ci on docs" }), want: MATCHED_PUSH },
    { name: "no message builds", event: pushEvent("main", { headCommitMessage: undefined }), want: MATCHED_PUSH },
    { name: "marker also stops tags", event: tagEvent("v1.0", { headCommitMessage: "Release [skip ci]" }), want: "head commit message contains [skip ci]" },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: paths and ignorePaths", () => {
  const paths = ["services/api/**"];
  const ignorePaths = ["docs/**", "**/*.md"];
  it.each<Case>([
    { name: "a changed file matches paths", rule: { paths }, event: pushEvent("main", { changedFiles: ["README.md", "services/api/src/a.ts"] }), want: MATCHED_PUSH },
    {
      name: "no changed file matches paths",
      rule: { paths },
      event: pushEvent("main", { changedFiles: ["README.md", "services/web/a.ts"] }),
      want: "none of 2 changed files match paths: [services/api/**]",
    },
    {
      name: "paths with a negation excluding the only file",
      rule: { paths: ["services/**", "!services/**/*.md"] },
      event: pushEvent("main", { changedFiles: ["services/api/README.md"] }),
      want: "none of 1 changed files match paths: [services/**, !services/**/*.md]",
    },
    { name: "paths with a negation and another file", rule: { paths: ["services/**", "!services/**/*.md"] }, event: pushEvent("main", { changedFiles: ["services/api/README.md", "services/api/a.ts"] }), want: MATCHED_PUSH },
    {
      name: "all changed files are ignored",
      rule: { ignorePaths },
      event: pushEvent("main", { changedFiles: ["docs/guide.txt", "README.md"] }),
      want: "all 2 changed files match ignorePaths: [docs/**, **/*.md]",
    },
    { name: "one changed file is not ignored", rule: { ignorePaths }, event: pushEvent("main", { changedFiles: ["docs/guide.txt", "src/a.ts"] }), want: MATCHED_PUSH },
    { name: "paths with unknown changed files builds with a note", rule: { paths }, event: pushEvent("main", { changedFiles: undefined }), want: MATCHED_PUSH + UNKNOWN_FILES },
    { name: "paths with an empty file list builds with a note", rule: { paths }, event: pushEvent("main", { changedFiles: [] }), want: MATCHED_PUSH + UNKNOWN_FILES },
    { name: "ignorePaths with unknown changed files builds with a note", rule: { ignorePaths }, event: pushEvent("main"), want: MATCHED_PUSH + UNKNOWN_FILES },
    { name: "pull request with unknown changed files builds with a note", rule: { paths }, event: pullRequestEvent("main"), want: MATCHED_PR + UNKNOWN_FILES },
    { name: "no path filter: no note", event: pushEvent("main", { changedFiles: undefined }), want: MATCHED_PUSH },
    { name: "paths are not applied to tags", rule: { paths }, event: tagEvent("v1.0", { changedFiles: ["README.md"] }), want: "matched: tag v1.0 starts api-ci" },
    { name: "ignorePaths are not applied to tags", rule: { ignorePaths }, event: tagEvent("v1.0", { changedFiles: ["README.md"] }), want: "matched: tag v1.0 starts api-ci" },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: trust", () => {
  const fork = { fromFork: true, headRepository: "stranger/api" };
  it.each<Case>([
    { name: "same-repo pull request by a MEMBER builds", event: pullRequestEvent("main"), want: MATCHED_PR },
    { name: "fork pull request needs the label", event: pullRequestEvent("main", fork), want: "pull request #7 comes from fork stranger/api: waiting for label ok-to-test" },
    {
      name: "fork pull request builds with allowForks",
      rule: { trust: { associations: ["MEMBER"], okToTestLabel: "ok-to-test", allowForks: true } },
      event: pullRequestEvent("main", fork),
      want: MATCHED_PR,
    },
    {
      name: "author outside the associations needs the label",
      event: pullRequestEvent("main", { authorAssociation: "FIRST_TIME_CONTRIBUTOR" }),
      want: "pull request #7 author is FIRST_TIME_CONTRIBUTOR, not one of [OWNER, MEMBER, COLLABORATOR]: waiting for label ok-to-test",
    },
    { name: "label present on a fork pull request builds", event: pullRequestEvent("main", { ...fork, labels: ["ok-to-test"], authorAssociation: "NONE" }, { action: "synchronize" }), want: "matched: pull request #7 (synchronize) into main starts api-ci" },
    { name: "pushes are not subject to trust", event: pushEvent("main", { actor: "stranger" }), want: MATCHED_PUSH },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: the first failing check is the reason", () => {
  it.each<Case>([
    { name: "repository before kind", rule: { on: ["tag"] }, event: pushEvent("main", { repository: "acme/web" }), want: "repository github:acme/web is not github:acme/api" },
    { name: "kind before branches", rule: { on: ["tag"], branches: ["main"] }, event: pushEvent("dev"), want: "event push is not in on: [tag]" },
    { name: "label before draft", event: pullRequestEvent("main", { draft: true, addedLabel: "bug" }, { action: "labeled" }), want: "label bug does not start builds (only ok-to-test)" },
    { name: "draft before branches", rule: { branches: ["main"] }, event: pullRequestEvent("dev", { draft: true }), want: "pull request #7 is a draft (drafts: false)" },
    { name: "branches before skip marker", rule: { branches: ["main"] }, event: pushEvent("dev", { headCommitMessage: "[skip ci]" }), want: "branch dev matches none of branches: [main]" },
    { name: "skip marker before paths", rule: { paths: ["src/**"] }, event: pushEvent("main", { headCommitMessage: "[skip ci]", changedFiles: ["docs/a"] }), want: "head commit message contains [skip ci]" },
    {
      name: "paths before trust",
      rule: { paths: ["src/**"] },
      event: pullRequestEvent("main", { fromFork: true, headRepository: "x/api" }, { changedFiles: ["docs/a"] }),
      want: "none of 1 changed files match paths: [src/**]",
    },
  ])("$name", (c) => expectDecision(c));
});

describe("createRouter: several routes", () => {
  const router = createRouter([
    makeRule({ name: "api", project: "api-ci", branches: ["main"] }),
    makeRule({ name: "web", project: "web-ci", source: { provider: "github", repository: "acme/web" } }),
    makeRule({ name: "all", project: "all-ci" }),
  ]);

  it("returns one decision per route in config order and one plan per match", () => {
    const result = router(pushEvent("main"));
    expect(result.decisions).toEqual([
      { route: "api", matched: true, reason: "matched: push to main starts api-ci" },
      { route: "web", matched: false, reason: "repository github:acme/api is not github:acme/web" },
      { route: "all", matched: true, reason: "matched: push to main starts all-ci" },
    ]);
    expect(result.plans.map((p) => [p.route, p.project, p.context])).toEqual([
      ["api", "api-ci", "buildgate/api"],
      ["all", "all-ci", "buildgate/all"],
    ]);
  });

  it("returns no plans when no route matches", () => {
    const result = router(pushEvent("main", { repository: "other/repo" }));
    expect(result.plans).toEqual([]);
    expect(result.decisions.map((d) => d.matched)).toEqual([false, false, false]);
  });

  it("routes nothing with no routes", () => {
    expect(createRouter([])(pushEvent("main"))).toEqual({ plans: [], decisions: [] });
  });
});

describe("createRouter: plans", () => {
  const route = (rule: Partial<RouteRule>, event: SourceEvent) => {
    const [plan] = createRouter([makeRule(rule)])(event).plans;
    if (!plan) throw new Error("expected a plan");
    return plan;
  };
  const keyOf = (event: SourceEvent, name = "api") => route({ name }, event).dedupeKey;

  it("carries the route, project, context and the event itself", () => {
    const event = pushEvent("main");
    const plan = route({ project: "p1", context: "ci/p1" }, event);
    expect(plan).toMatchObject({ route: "api", project: "p1", context: "ci/p1" });
    expect(plan.event).toBe(event);
  });

  it.each([
    { name: "push redelivered", a: pushEvent("main"), b: pushEvent("main", { deliveryId: "delivery-2" }) },
    { name: "pull request redelivered", a: pullRequestEvent("main"), b: pullRequestEvent("main", {}, { deliveryId: "delivery-2" }) },
    {
      name: "ok-to-test label on an already built head",
      a: pullRequestEvent("main", {}, { action: "synchronize" }),
      b: pullRequestEvent("main", { addedLabel: "ok-to-test", labels: ["ok-to-test"] }, { action: "labeled", deliveryId: "delivery-3" }),
    },
  ])("dedupeKey is the same: $name", ({ a, b }) => {
    expect(keyOf(b)).toBe(keyOf(a));
  });

  it.each([
    { name: "another commit", a: pushEvent("main"), b: pushEvent("main", { sha: "3333333333333333333333333333333333333333" }) },
    { name: "another branch", a: pushEvent("main"), b: pushEvent("dev") },
    { name: "another repository", a: pushEvent("main"), b: pushEvent("main", { repository: "ACME/API" }) },
    { name: "another pull request", a: pullRequestEvent("main"), b: pullRequestEvent("main", { number: 8 }) },
    { name: "a push and a pull request of the same commit", a: pushEvent("main"), b: pullRequestEvent("main") },
    { name: "a branch and a tag on the same commit", a: pushEvent("v1"), b: tagEvent("v1") },
  ])("dedupeKey differs: $name", ({ a, b }) => {
    expect(keyOf(b)).not.toBe(keyOf(a));
  });

  it("dedupeKey differs per route for the same event", () => {
    const plans = createRouter([makeRule({ name: "a" }), makeRule({ name: "b" })])(pushEvent("main")).plans;
    expect(plans).toHaveLength(2);
    expect(plans[0]?.dedupeKey).not.toBe(plans[1]?.dedupeKey);
  });

  it("env of a push: route env plus BUILDGATE_* with the branch", () => {
    const plan = route({ env: { STAGE: "ci" } }, pushEvent("main"));
    expect(plan.env).toEqual({
      STAGE: "ci",
      BUILDGATE_ROUTE: "api",
      BUILDGATE_PROVIDER: "github",
      BUILDGATE_REPOSITORY: "acme/api",
      BUILDGATE_DELIVERY_ID: "delivery-1",
      BUILDGATE_EVENT: "push",
      BUILDGATE_ACTION: "pushed",
      BUILDGATE_REF: "refs/heads/main",
      BUILDGATE_SHA: SHA,
      BUILDGATE_BUILD_KEY: plan.dedupeKey,
      BUILDGATE_BRANCH: "main",
    });
  });

  it("env of a tag has BUILDGATE_TAG and no branch", () => {
    const plan = route({}, tagEvent("v1.0"));
    expect(plan.env).toMatchObject({ BUILDGATE_EVENT: "tag", BUILDGATE_TAG: "v1.0", BUILDGATE_REF: "refs/tags/v1.0" });
    expect(plan.env).not.toHaveProperty("BUILDGATE_BRANCH");
    expect(plan.env).not.toHaveProperty("BUILDGATE_PR_NUMBER");
  });

  it("env of a pull request describes base and head", () => {
    const plan = route({}, pullRequestEvent("main", { number: 42, headRef: "feature/x" }, { action: "synchronize" }));
    expect(plan.env).toMatchObject({
      BUILDGATE_EVENT: "pull_request",
      BUILDGATE_ACTION: "synchronize",
      BUILDGATE_BRANCH: "main",
      BUILDGATE_PR_NUMBER: "42",
      BUILDGATE_BASE_REF: "main",
      BUILDGATE_BASE_SHA: BASE_SHA,
      BUILDGATE_HEAD_REF: "feature/x",
      BUILDGATE_SHA: SHA,
    });
    expect(plan.env).not.toHaveProperty("BUILDGATE_TAG");
  });

  it("env of a pull request whose base commit is unknown has no BUILDGATE_BASE_SHA (never an empty one)", () => {
    const event = pullRequestEvent("main", { number: 43 });
    const plan = route({}, { ...event, pullRequest: { ...event.pullRequest!, baseSha: "" } });
    expect(plan.env).toMatchObject({ BUILDGATE_PR_NUMBER: "43", BUILDGATE_BASE_REF: "main" });
    expect(plan.env).not.toHaveProperty("BUILDGATE_BASE_SHA");
  });

  it("route env cannot override BUILDGATE_* variables", () => {
    const plan = route({ env: { BUILDGATE_SHA: "fake", BUILDGATE_ROUTE: "other", BUILDGATE_BUILD_KEY: "k", KEEP: "1" } }, pushEvent("main"));
    expect(plan.env).toMatchObject({ BUILDGATE_SHA: SHA, BUILDGATE_ROUTE: "api", BUILDGATE_BUILD_KEY: plan.dedupeKey, KEEP: "1" });
  });
});

describe("createRouter: comment commands", () => {
  const fork = { fromFork: true, headRepository: "stranger/api", authorAssociation: "NONE" };
  const MATCHED_TEST = "matched: /test api by alice on pull request #7 starts api-ci";
  const MATCHED_RETEST = "matched: /retest by alice on pull request #7 starts api-ci";
  const MATCHED_OK = "matched: /ok-to-test by alice on pull request #7 starts api-ci";
  const testApi = (pr: Parameters<typeof commentEvent>[1] = {}, over: Parameters<typeof commentEvent>[2] = {}) => commentEvent({ name: "test", route: "api" }, pr, over);
  const retest = (routes: string[] | undefined, pr: Parameters<typeof commentEvent>[1] = {}, over: Parameters<typeof commentEvent>[2] = {}) =>
    commentEvent({ name: "retest", ...(routes ? { retestRoutes: routes } : {}) }, pr, over);
  const okToTest = (pr: Parameters<typeof commentEvent>[1] = {}, over: Parameters<typeof commentEvent>[2] = {}) => commentEvent({ name: "ok-to-test" }, pr, over);

  describe("which routes take commands", () => {
    it.each<Case>([
      { name: "on: [comment]", rule: { on: ["comment"] }, event: testApi(), want: MATCHED_TEST },
      { name: "on: [pull_request]", rule: { on: ["pull_request"] }, event: testApi(), want: MATCHED_TEST },
      { name: "on: [push, tag] takes no commands", rule: { on: ["push", "tag"] }, event: testApi(), want: "comment commands need comment or pull_request in on: [push, tag]" },
      { name: "on: [push, tag] takes no /ok-to-test", rule: { on: ["push", "tag"] }, event: okToTest(), want: "comment commands need comment or pull_request in on: [push, tag]" },
      { name: "another repository", event: testApi({}, { repository: "acme/web" }), want: "repository github:acme/web is not github:acme/api" },
    ])("$name", (c) => expectDecision(c));
  });

  describe("/test ROUTE runs only that route, without the event filters", () => {
    it.each<Case>([
      { name: "the named route", event: testApi(), want: MATCHED_TEST },
      { name: "another route", event: commentEvent({ name: "test", route: "web" }), want: "/test names route web" },
      { name: "branches are not applied", rule: { branches: ["release/*"] }, event: testApi(), want: MATCHED_TEST },
      { name: "headBranches are not applied", rule: { headBranches: ["!feature/**"] }, event: testApi(), want: MATCHED_TEST },
      { name: "paths are not applied", rule: { paths: ["services/api/**"] }, event: testApi({}, { changedFiles: ["docs/a.md"] }), want: MATCHED_TEST },
      { name: "ignorePaths are not applied", rule: { ignorePaths: ["docs/**"] }, event: testApi({}, { changedFiles: ["docs/a.md"] }), want: MATCHED_TEST },
      { name: "drafts build", event: testApi({ draft: true }), want: MATCHED_TEST },
      { name: "a skip marker does not stop it", event: testApi({}, { headCommitMessage: "wip [skip ci]" }), want: MATCHED_TEST },
      { name: "a fork pull request by a stranger builds (the commenter was checked)", event: testApi(fork), want: MATCHED_TEST },
    ])("$name", (c) => expectDecision(c));

    it("starts only the named route of several", () => {
      const router = createRouter([makeRule({ name: "api" }), makeRule({ name: "web", project: "web-ci" }), makeRule({ name: "docs", project: "docs-ci" })]);
      const result = router(commentEvent({ name: "test", route: "web" }));
      expect(result.plans.map((p) => p.route)).toEqual(["web"]);
      expect(result.decisions).toEqual([
        { route: "api", matched: false, reason: "/test names route web" },
        { route: "web", matched: true, reason: "matched: /test web by alice on pull request #7 starts web-ci" },
        { route: "docs", matched: false, reason: "/test names route web" },
      ]);
    });
  });

  describe("/retest runs only the routes in retestRoutes", () => {
    it.each<Case>([
      { name: "a route with a failed build", event: retest(["api"]), want: MATCHED_RETEST },
      { name: "a route without one", event: retest(["web"]), want: "/retest: route api has no failed build of 1111111" },
      { name: "no retestRoutes at all", event: retest(undefined), want: "/retest: route api has no failed build of 1111111" },
      { name: "filters are not applied", rule: { branches: ["release/*"], paths: ["src/**"] }, event: retest(["api"], { draft: true }, { changedFiles: ["docs/a"], headCommitMessage: "[ci skip]" }), want: MATCHED_RETEST },
      { name: "trust is not applied", event: retest(["api"], fork), want: MATCHED_RETEST },
    ])("$name", (c) => expectDecision(c));
  });

  describe("/ok-to-test applies the normal filters except trust", () => {
    it.each<Case>([
      { name: "a trusted pull request", event: okToTest(), want: MATCHED_OK },
      { name: "a fork pull request by a stranger", event: okToTest(fork), want: MATCHED_OK },
      { name: "a fork pull request without the label", rule: { trust: { associations: ["OWNER"], okToTestLabel: "ok-to-test", allowForks: false } }, event: okToTest(fork), want: MATCHED_OK },
      { name: "branches apply", rule: { branches: ["release/*"] }, event: okToTest(), want: "base branch main matches none of branches: [release/*]" },
      { name: "headBranches apply", rule: { headBranches: ["!feature/**"] }, event: okToTest(), want: "head branch feature/x matches none of headBranches: [!feature/**]" },
      { name: "drafts apply", event: okToTest({ draft: true }), want: "pull request #7 is a draft (drafts: false)" },
      { name: "skip markers apply", event: okToTest({}, { headCommitMessage: "wip [skip ci]" }), want: "head commit message contains [skip ci]" },
      { name: "paths apply", rule: { paths: ["src/**"] }, event: okToTest(fork, { changedFiles: ["docs/a.md"] }), want: "none of 1 changed files match paths: [src/**]" },
      { name: "paths with unknown files build", rule: { paths: ["src/**"] }, event: okToTest(), want: MATCHED_OK + UNKNOWN_FILES },
    ])("$name", (c) => expectDecision(c));
  });
});

describe("createRouter: reportSkipped", () => {
  const NOT_AFFECTED = ": reported as not affected (reportSkipped)";
  const paths = ["services/api/**"];
  const prMissing = pullRequestEvent("main", {}, { changedFiles: ["docs/a.md", "README.md"] });

  it("plans a skipped build for a pull request that misses the route's paths", () => {
    const result = createRouter([makeRule({ paths, reportSkipped: true })])(prMissing);
    expect(result.decisions).toEqual([{ route: "api", matched: false, reason: `none of 2 changed files match paths: [services/api/**]${NOT_AFFECTED}` }]);
    expect(result.plans).toHaveLength(1);
    expect(result.plans[0]).toMatchObject({ route: "api", project: "api-ci", context: "buildgate/api", skipped: true, event: prMissing });
    // The same key as a real build of this head: a later real build is deduped against it.
    expect(result.plans[0]?.dedupeKey).toBe(createRouter([makeRule()])(prMissing).plans[0]?.dedupeKey);
  });

  it("treats a pull request whose files are all ignored the same way", () => {
    const result = createRouter([makeRule({ ignorePaths: ["docs/**", "*.md"], reportSkipped: true })])(prMissing);
    expect(result.decisions[0]?.reason).toBe(`all 2 changed files match ignorePaths: [docs/**, *.md]${NOT_AFFECTED}`);
    expect(result.plans.map((p) => p.skipped)).toEqual([true]);
  });

  it.each<{ name: string; rule: Partial<RouteRule>; event: SourceEvent; reason: string }>([
    { name: "without reportSkipped", rule: { paths }, event: prMissing, reason: "none of 2 changed files match paths: [services/api/**]" },
    { name: "pushes are never reported skipped", rule: { paths, reportSkipped: true }, event: pushEvent("main", { changedFiles: ["docs/a.md"] }), reason: "none of 1 changed files match paths: [services/api/**]" },
    { name: "an earlier filter failed", rule: { paths, branches: ["release/*"], reportSkipped: true }, event: prMissing, reason: "base branch main matches none of branches: [release/*]" },
    { name: "a draft", rule: { paths, reportSkipped: true }, event: pullRequestEvent("main", { draft: true }, { changedFiles: ["docs/a.md"] }), reason: "pull request #7 is a draft (drafts: false)" },
  ])("no plan: $name", ({ rule, event, reason }) => {
    const result = createRouter([makeRule(rule)])(event);
    expect(result.plans).toEqual([]);
    expect(result.decisions).toEqual([{ route: "api", matched: false, reason }]);
  });

  it("a matching pull request builds normally", () => {
    const result = createRouter([makeRule({ paths, reportSkipped: true })])(pullRequestEvent("main", {}, { changedFiles: ["services/api/a.ts"] }));
    expect(result.decisions).toEqual([{ route: "api", matched: true, reason: MATCHED_PR }]);
    expect(result.plans).toHaveLength(1);
    expect(result.plans[0]).not.toHaveProperty("skipped");
  });

  it("unknown changed files build rather than skip", () => {
    const result = createRouter([makeRule({ paths, reportSkipped: true })])(pullRequestEvent("main"));
    expect(result.decisions).toEqual([{ route: "api", matched: true, reason: MATCHED_PR + UNKNOWN_FILES }]);
    expect(result.plans[0]).not.toHaveProperty("skipped");
  });

  it("mixes skipped and real plans across routes", () => {
    const router = createRouter([makeRule({ name: "api", paths, reportSkipped: true }), makeRule({ name: "docs", project: "docs-ci", paths: ["docs/**"], reportSkipped: true })]);
    const result = router(prMissing);
    expect(result.plans.map((p) => [p.route, p.skipped === true])).toEqual([
      ["api", true],
      ["docs", false],
    ]);
    expect(result.decisions.map((d) => d.matched)).toEqual([false, true]);
  });
});

describe("createRouter: supersedeKey on plans", () => {
  const planOf = (rule: Partial<RouteRule>, event: SourceEvent) => createRouter([makeRule(rule)])(event).plans[0];
  it.each<{ name: string; rule: Partial<RouteRule>; event: SourceEvent; want: string | null }>([
    { name: "pull request, pullRequests on", rule: { cancelSuperseded: { pullRequests: true, branches: false } }, event: pullRequestEvent("main"), want: "github|acme/api|api|pr#7" },
    { name: "pull request, cancelling off", rule: {}, event: pullRequestEvent("main"), want: null },
    { name: "push, branches on", rule: { cancelSuperseded: { pullRequests: false, branches: true } }, event: pushEvent("main"), want: "github|acme/api|api|refs/heads/main" },
    { name: "push, only pullRequests on", rule: { cancelSuperseded: { pullRequests: true, branches: false } }, event: pushEvent("main"), want: null },
    { name: "tag", rule: { cancelSuperseded: { pullRequests: true, branches: true } }, event: tagEvent("v1.0"), want: null },
    {
      name: "skipped plan keeps its group",
      rule: { cancelSuperseded: { pullRequests: true, branches: false }, paths: ["src/**"], reportSkipped: true },
      event: pullRequestEvent("main", {}, { changedFiles: ["docs/a"] }),
      want: "github|acme/api|api|pr#7",
    },
  ])("$name", ({ rule, event, want }) => {
    expect(planOf(rule, event)?.supersedeKey).toBe(want);
  });
});
