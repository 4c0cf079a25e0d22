import type { BuildState } from "../../../../src/domain/build-state.js";
import type { ParsedCommand } from "../../../../src/domain/comment-command.js";
import type { CommandRequest } from "../../../../src/domain/source-event.js";
import type { PullRequestDetails } from "../../../../src/providers/github/github-api.js";
import { resolveCommand, type ResolveCommandDeps } from "../../../../src/providers/github/resolve-command.js";
import type { BuildRow } from "../../../../src/store/store.js";
import { buildRow } from "../../../helpers/store-fixtures.js";

const REPO = "acme/api";
const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";

type NarrowGithub = ResolveCommandDeps["github"];
type NarrowStore = ResolveCommandDeps["store"];

/** The narrow GitHub API resolveCommand uses; records every call. */
class RecordingGithub implements NarrowGithub {
  readonly calls: string[] = [];
  readonly permissions = new Map<string, string>();
  readonly pullRequests = new Map<number, PullRequestDetails>();

  async getPermission(repository: string, user: string): Promise<string> {
    this.calls.push(`getPermission ${repository} ${user}`);
    return this.permissions.get(user) ?? "none";
  }

  async getPullRequest(repository: string, number: number): Promise<PullRequestDetails> {
    this.calls.push(`getPullRequest ${repository} #${number}`);
    const pr = this.pullRequests.get(number);
    if (!pr) throw new Error(`no pull request #${number}`);
    return pr;
  }
}

/** The builds of each commit, oldest first (as the store orders them); records lookups. */
class FakeBuilds implements NarrowStore {
  readonly lookups: string[] = [];
  constructor(private readonly builds: BuildRow[] = []) {}

  async listBuildsForCommit(repository: string, sha: string): Promise<BuildRow[]> {
    this.lookups.push(`${repository}@${sha}`);
    return this.builds.filter((b) => b.repository === repository && b.sha === sha);
  }
}

const pullRequest = (over: Partial<PullRequestDetails> = {}): PullRequestDetails => ({
  number: 7,
  state: "open",
  draft: false,
  headRef: "feature/x",
  headSha: HEAD,
  headRepository: REPO,
  baseRef: "main",
  baseSha: BASE,
  baseRepository: REPO,
  labels: ["bug"],
  authorAssociation: "CONTRIBUTOR",
  ...over,
});

const request = (command: ParsedCommand, over: Partial<CommandRequest> = {}): CommandRequest => ({
  provider: "github",
  deliveryId: "d-7",
  repository: REPO,
  pullRequestNumber: 7,
  command,
  commentId: 555,
  commenter: "alice",
  association: "MEMBER",
  occurredAt: 1_700_000_000_000,
  ...over,
});

let build = 0;
/** A build of the head commit for `route`, in `state`; ids grow in call order. */
const headBuild = (route: string, state: BuildState, sha = HEAD): BuildRow => buildRow({ id: ++build, route, state, sha, repository: REPO });

function setup(builds: BuildRow[] = [], pr: PullRequestDetails = pullRequest()) {
  const github = new RecordingGithub();
  github.pullRequests.set(pr.number, pr);
  const store = new FakeBuilds(builds);
  return { github, store, deps: { github, store } };
}

describe("resolveCommand: who may run commands", () => {
  it.each(["OWNER", "MEMBER", "COLLABORATOR"])("%s runs it without a permission lookup", async (association) => {
    const { github, deps } = setup();
    const result = await resolveCommand(deps, request({ name: "test", route: "api" }, { association }));
    expect(result.kind).toBe("event");
    expect(github.calls).toEqual([`getPullRequest ${REPO} #7`]);
  });

  it.each(["write", "maintain", "admin"])("a CONTRIBUTOR with %s permission runs it", async (permission) => {
    const { github, deps } = setup();
    github.permissions.set("bob", permission);
    const result = await resolveCommand(deps, request({ name: "ok-to-test" }, { association: "CONTRIBUTOR", commenter: "bob" }));
    expect(result.kind).toBe("event");
    expect(github.calls).toEqual([`getPermission ${REPO} bob`, `getPullRequest ${REPO} #7`]);
  });

  it.each([
    { association: "NONE", permission: "read" },
    { association: "CONTRIBUTOR", permission: "triage" },
    { association: "FIRST_TIME_CONTRIBUTOR", permission: "none" },
  ])("$association with $permission permission is ignored with the reason", async ({ association, permission }) => {
    const { github, store, deps } = setup([headBuild("api", "failed")]);
    github.permissions.set("mallory", permission);
    const result = await resolveCommand(deps, request({ name: "retest" }, { association, commenter: "mallory" }));
    expect(result).toEqual({ kind: "ignored", reason: `/retest by mallory (${association}, permission ${permission}) ignored: commands need write access` });
    // Nothing else is looked up for someone who may not run commands.
    expect(github.calls).toEqual([`getPermission ${REPO} mallory`]);
    expect(store.lookups).toEqual([]);
  });
});

describe("resolveCommand: the pull request", () => {
  it("turns the command into a comment event on the pull request's current head", async () => {
    const { deps } = setup();
    expect(await resolveCommand(deps, request({ name: "test", route: "api" }))).toEqual({
      kind: "event",
      event: {
        provider: "github",
        deliveryId: "d-7",
        repository: REPO,
        kind: "comment",
        action: "test",
        ref: "refs/heads/main",
        branch: "main",
        sha: HEAD,
        actor: "alice",
        pullRequest: {
          number: 7,
          baseRef: "main",
          baseSha: BASE,
          headRef: "feature/x",
          headSha: HEAD,
          headRepository: REPO,
          fromFork: false,
          draft: false,
          labels: ["bug"],
          authorAssociation: "CONTRIBUTOR",
        },
        command: { name: "test", route: "api", commentId: 555, commenter: "alice" },
        occurredAt: 1_700_000_000_000,
      },
    });
  });

  it.each([
    { name: "same repository in another case", headRepository: "ACME/Api", fromFork: false },
    { name: "another repository", headRepository: "stranger/api", fromFork: true },
    { name: "a deleted fork", headRepository: null, fromFork: true },
  ])("fromFork: $name", async ({ headRepository, fromFork }) => {
    const { deps } = setup([], pullRequest({ headRepository }));
    const result = await resolveCommand(deps, request({ name: "ok-to-test" }));
    expect(result.kind === "event" && result.event.pullRequest).toMatchObject({ headRepository, fromFork });
  });

  it.each(["closed", "merged"])("a %s pull request is ignored", async (state) => {
    const { deps } = setup([], pullRequest({ state }));
    expect(await resolveCommand(deps, request({ name: "ok-to-test" }))).toEqual({ kind: "ignored", reason: `pull request #7 is ${state}` });
  });

  it("has no occurredAt when the comment had none", async () => {
    const { deps } = setup();
    const { occurredAt: _occurredAt, ...withoutTime } = request({ name: "ok-to-test" });
    const result = await resolveCommand(deps, withoutTime);
    expect(result.kind === "event" && result.event).not.toHaveProperty("occurredAt");
  });

  it("/ok-to-test and /test do not look at builds", async () => {
    const { store, deps } = setup([headBuild("api", "failed")]);
    const okToTest = await resolveCommand(deps, request({ name: "ok-to-test" }));
    const test = await resolveCommand(deps, request({ name: "test", route: "web" }));
    expect(okToTest.kind === "event" && okToTest.event.command).toEqual({ name: "ok-to-test", commentId: 555, commenter: "alice" });
    expect(test.kind === "event" && test.event.command).toEqual({ name: "test", route: "web", commentId: 555, commenter: "alice" });
    expect(store.lookups).toEqual([]);
  });
});

describe("resolveCommand: /retest reruns the routes whose latest build of the head did not succeed", () => {
  const retestRoutesOf = async (builds: BuildRow[]) => {
    const { store, deps } = setup(builds);
    const result = await resolveCommand(deps, request({ name: "retest" }));
    return { result, store, routes: result.kind === "event" ? result.event.command?.retestRoutes : undefined };
  };

  it("takes the failed routes, judged by each route's latest build", async () => {
    const { routes, store } = await retestRoutesOf([
      headBuild("api", "failed"),
      headBuild("web", "failed"),
      headBuild("web", "succeeded"), // retried and passed: not retested
      headBuild("docs", "succeeded"),
      headBuild("docs", "failed"), // passed before, failed now: retested
      headBuild("lint", "errored"),
      headBuild("e2e", "timed_out"),
      headBuild("perf", "stopped"),
      headBuild("unit", "failed"),
      headBuild("unit", "running"), // a rerun in flight: not retested again
      headBuild("skip", "skipped"),
      headBuild("old", "failed", "9".repeat(40)), // another commit
    ]);
    expect(routes).toEqual(["api", "docs", "lint", "e2e", "perf"]);
    // The builds of the pull request's head, from the API, not of anything in the comment.
    expect(store.lookups).toEqual([`${REPO}@${HEAD}`]);
  });

  it("carries the routes in the command", async () => {
    const { result } = await retestRoutesOf([headBuild("api", "failed")]);
    expect(result.kind === "event" && result.event.command).toEqual({ name: "retest", retestRoutes: ["api"], commentId: 555, commenter: "alice" });
  });

  it.each<{ name: string; builds: () => BuildRow[] }>([
    { name: "no builds at all", builds: () => [] },
    { name: "everything succeeded", builds: () => [headBuild("api", "succeeded"), headBuild("web", "succeeded")] },
    { name: "a failure was retried and passed", builds: () => [headBuild("api", "failed"), headBuild("api", "succeeded")] },
    { name: "builds still running", builds: () => [headBuild("api", "pending"), headBuild("web", "queued"), headBuild("docs", "running")] },
    { name: "only another commit failed", builds: () => [headBuild("api", "failed", "9".repeat(40))] },
  ])("ignores /retest when nothing failed: $name", async ({ builds }) => {
    const { result } = await retestRoutesOf(builds());
    expect(result).toEqual({ kind: "ignored", reason: "/retest: no failed build of 1111111 to rerun" });
  });
});
