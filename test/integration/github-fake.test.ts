import { createVerify, generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";

const owner = "acme";
const repo = "api";
const sha = "0123456789abcdef0123456789abcdef01234567";
const files = (n: number) => Array.from({ length: n }, (_, i) => `src/file-${String(i).padStart(4, "0")}.ts`);

/** What @octokit/request throws (a RequestError, name "HttpError"), reduced to what the tests read. */
interface HttpErrorLike {
  name: string;
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined>; data: unknown };
}

async function rejection(promise: Promise<unknown>): Promise<HttpErrorLike> {
  try {
    await promise;
  } catch (err) {
    return err as HttpErrorLike;
  }
  throw new Error("expected the request to fail");
}

/** Octokit's default log sends plugin-request-log's failure lines to console.error; keep warn/error lines for assertions instead. */
function quietLog(lines: string[]) {
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  const drop = () => undefined;
  return { debug: drop, info: drop, warn: keep, error: keep };
}

describe("GitHub fake, driven by the real @octokit/rest client", () => {
  let fake: GithubFake;
  let octokit: Octokit;
  let logLines: string[];
  const log = () => quietLog(logLines);
  beforeEach(async () => {
    logLines = [];
    fake = await startGithubFake({ token: "test-token" });
    octokit = new Octokit({ auth: "test-token", baseUrl: fake.url, request: { retries: 0 }, log: log() });
  });
  afterEach(() => fake.close());

  const postStatus = (state: "error" | "failure" | "pending" | "success", extra: { context?: string; description?: string; target_url?: string; sha?: string } = {}) =>
    octokit.rest.repos.createCommitStatus({ owner, repo, sha, state, ...extra });

  describe("commit statuses", () => {
    it("creates a status, answers GitHub's shape and headers, and records it", async () => {
      const res = await postStatus("pending", { context: "codebuild/api-ci", description: "Build queued", target_url: "https://board.example/b/1" });

      expect(res.status).toBe(201);
      expect(res.data).toMatchObject({ state: "pending", context: "codebuild/api-ci", description: "Build queued", target_url: "https://board.example/b/1", creator: { login: "buildgate[bot]" } });
      expect(res.data.id).toEqual(expect.any(Number));
      expect(Date.parse(res.data.created_at)).not.toBeNaN();
      expect(res.headers).toMatchObject({ "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-used": "1", "x-ratelimit-resource": "core" });
      expect(res.headers["x-ratelimit-reset"]).toMatch(/^\d{10}$/);
      expect(res.headers["x-github-request-id"]).toMatch(/^[0-9A-F:]+$/);

      expect(fake.statuses).toEqual([{ owner, repo, sha, state: "pending", context: "codebuild/api-ci", description: "Build queued", target_url: "https://board.example/b/1", at: expect.any(Number), id: res.data.id }]);
      expect(fake.latestStatus("ACME/api", sha, "CodeBuild/API-CI")).toEqual({ state: "pending", description: "Build queued", target_url: "https://board.example/b/1" });
      expect(fake.latestStatus("acme/api", sha, "other")).toBeUndefined();
      expect(fake.calls).toEqual([
        expect.objectContaining({ method: "POST", path: `/repos/acme/api/statuses/${sha}`, query: {}, status: 201, body: { state: "pending", context: "codebuild/api-ci", description: "Build queued", target_url: "https://board.example/b/1" } }),
      ]);
      expect(fake.calls[0]?.headers.authorization).toBe("token test-token");
    });

    it("defaults the context to \"default\" and keeps only the newest status per context in latestStatus", async () => {
      await postStatus("pending");
      await postStatus("success", { description: "done" });
      expect(fake.statuses.map((s) => [s.context, s.state])).toEqual([["default", "pending"], ["default", "success"]]);
      expect(fake.latestStatus("acme/api", sha, "default")).toEqual({ state: "success", description: "done" });
    });

    it("rejects a 141-character description with 422 and accepts 140", async () => {
      await expect(postStatus("success", { description: "é".repeat(139) + "…" })).resolves.toMatchObject({ status: 201 });
      const err = await rejection(postStatus("success", { description: "x".repeat(141) }));

      expect(err).toMatchObject({ name: "HttpError", status: 422 });
      expect(err.message).toBe(
        'Validation Failed: {"resource":"Status","code":"custom","field":"description","message":"description is too long (maximum is 140 characters)"} - https://docs.github.com/rest',
      );
      expect(err.response?.data).toMatchObject({ message: "Validation Failed", errors: [{ message: "description is too long (maximum is 140 characters)" }] });
      expect(fake.statuses).toHaveLength(1);
      expect(fake.calls.map((c) => c.status)).toEqual([201, 422]);
    });

    it("rejects a description with 4-byte Unicode (emoji) with 422, as GitHub does", async () => {
      const err = await rejection(postStatus("failure", { description: "Build failed 🐛" }));
      expect(err.status).toBe(422);
      expect(err.response?.data).toMatchObject({ errors: [{ field: "description", message: "description doesn't accept 4-byte Unicode" }] });
      await expect(postStatus("failure", { description: "Build failed ✗ … é" })).resolves.toMatchObject({ status: 201 });
    });

    it("rejects an unknown state with 422", async () => {
      const err = await rejection(octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", { owner, repo, sha, state: "done" as "success" }));
      expect(err.status).toBe(422);
      expect(err.response?.data).toMatchObject({ errors: [{ field: "state", message: "state is not included in the list" }] });
      expect(fake.statuses).toEqual([]);
    });

    it("allows 1000 statuses per sha and context, then answers 422", async () => {
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 100 }, () => postStatus("pending", { context: "ci" })));
      }
      const err = await rejection(postStatus("success", { context: "CI" }));
      expect(err.status).toBe(422);
      expect(err.response?.data).toMatchObject({ message: "Validation Failed", errors: [{ message: "This SHA and context has reached the maximum number of statuses." }] });
      await expect(postStatus("success", { context: "lint" })).resolves.toMatchObject({ status: 201 });
      await expect(postStatus("success", { context: "ci", sha: "f".repeat(40) })).resolves.toMatchObject({ status: 201 });
    });

    it.each([
      { name: "no statuses is pending", posts: [], want: "pending", contexts: [] },
      { name: "all success", posts: [["ci", "success"], ["lint", "success"]], want: "success", contexts: ["lint", "ci"] },
      { name: "any pending", posts: [["ci", "pending"], ["lint", "success"]], want: "pending", contexts: ["lint", "ci"] },
      { name: "failure beats pending", posts: [["ci", "failure"], ["lint", "pending"]], want: "failure", contexts: ["lint", "ci"] },
      { name: "error counts as failure", posts: [["ci", "error"], ["lint", "success"]], want: "failure", contexts: ["lint", "ci"] },
      { name: "only the newest per context counts", posts: [["ci", "error"], ["ci", "success"]], want: "success", contexts: ["ci"] },
      { name: "contexts compare case-insensitively", posts: [["ci", "success"], ["CI", "failure"]], want: "failure", contexts: ["CI"] },
    ] as Array<{ name: string; posts: Array<[string, "error" | "failure" | "pending" | "success"]>; want: string; contexts: string[] }>)(
      "combined status: $name",
      async ({ posts, want, contexts }) => {
        for (const [context, state] of posts) await postStatus(state, { context });
        const { data } = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha });
        expect(data.state).toBe(want);
        expect(data.statuses.map((s) => s.context)).toEqual(contexts);
        expect(data).toMatchObject({ sha, total_count: contexts.length, repository: { full_name: "acme/api" } });
      },
    );

    it("lists statuses newest first, paginated, and resolves a PR branch name to its sha", async () => {
      fake.setPullRequest("acme/api", { number: 1, head: { ref: "feature/x", sha }, base: { ref: "main", sha: "b".repeat(40) } });
      for (const state of ["pending", "failure", "success"] as const) await postStatus(state);

      const first = await octokit.rest.repos.listCommitStatusesForRef({ owner, repo, ref: "feature/x", per_page: 2 });
      expect(first.data.map((s) => s.state)).toEqual(["success", "failure"]);
      expect(first.headers.link).toBe(`<${fake.url}/repos/acme/api/commits/feature%2Fx/statuses?per_page=2&page=2>; rel="next", <${fake.url}/repos/acme/api/commits/feature%2Fx/statuses?per_page=2&page=2>; rel="last"`);
      const all = await octokit.paginate(octokit.rest.repos.listCommitStatusesForRef, { owner, repo, ref: sha, per_page: 2 });
      expect(all.map((s) => s.state)).toEqual(["success", "failure", "pending"]);
    });
  });

  describe("pull requests", () => {
    const pr = { number: 7, head: { ref: "feature", sha, repoFullName: "fork-owner/api" }, base: { ref: "main", sha: "b".repeat(40) }, user: "contributor", authorAssociation: "FIRST_TIME_CONTRIBUTOR", labels: ["ci:run"], draft: true };

    it("pulls.get answers the PR with GitHub's shape", async () => {
      fake.setPullRequest("acme/api", pr);
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: 7 });
      expect(data).toMatchObject({
        number: 7,
        state: "open",
        draft: true,
        merged: false,
        user: { login: "contributor" },
        author_association: "FIRST_TIME_CONTRIBUTOR",
        labels: [{ name: "ci:run" }],
        html_url: "https://github.com/acme/api/pull/7",
        head: { ref: "feature", sha, label: "fork-owner:feature", repo: { full_name: "fork-owner/api", fork: true } },
        base: { ref: "main", sha: "b".repeat(40), repo: { full_name: "acme/api", fork: false } },
      });
    });

    it("defaults the head repo to the base repo, renders a deleted fork as null, and 404s unknown PRs", async () => {
      fake.setPullRequest("acme/api", { number: 1, head: { ref: "f", sha }, base: { ref: "main", sha } });
      fake.setPullRequest("acme/api", { number: 2, state: "closed", head: { ref: "f", sha, repoFullName: null }, base: { ref: "main", sha } });
      const same = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
      const gone = await octokit.rest.pulls.get({ owner, repo, pull_number: 2 });
      expect(same.data).toMatchObject({ state: "open", draft: false, labels: [], user: { login: "octocat" }, author_association: "NONE", head: { repo: { full_name: "acme/api", fork: false } } });
      expect(gone.data).toMatchObject({ state: "closed", head: { repo: null } });

      const err = await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 3 }));
      expect(err.status).toBe(404);
      expect(err.response?.data).toMatchObject({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    });

    it("paginates 250 files in 3 requests with GitHub's Link header", async () => {
      fake.setPullRequest("acme/api", { ...pr, files: files(250) });
      const all = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: 7, per_page: 100 });

      expect(all.map((f) => f.filename)).toEqual(files(250));
      expect(all[0]).toMatchObject({ filename: files(1)[0], status: "modified", additions: 1, deletions: 1, changes: 2 });
      expect(all[0]?.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(fake.calls.map((c) => [c.path, c.query])).toEqual([1, 2, 3].map((page) => ["/repos/acme/api/pulls/7/files", page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) }]));

      const base = `${fake.url}/repos/acme/api/pulls/7/files`;
      const first = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7, per_page: 100 });
      expect(first.headers.link).toBe(`<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`);
      const middle = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7, per_page: 100, page: 2 });
      expect(middle.headers.link).toBe(`<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", <${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`);
      const last = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7, per_page: 100, page: 3 });
      expect(last.data).toHaveLength(50);
      expect(last.headers.link).toBe(`<${base}?per_page=100&page=2>; rel="prev", <${base}?per_page=100&page=1>; rel="first"`);
    });

    it("serves 30 files per page by default, at most 100, and no Link header for a single page", async () => {
      fake.setPullRequest("acme/api", { ...pr, files: files(130) });
      const byDefault = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7 });
      const capped = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7, per_page: 500 });
      expect(byDefault.data).toHaveLength(30);
      expect(byDefault.headers.link).toContain(`<${fake.url}/repos/acme/api/pulls/7/files?page=5>; rel="last"`);
      expect(capped.data).toHaveLength(100);
      fake.setPullRequest("acme/api", { ...pr, files: files(3) });
      const single = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 7 });
      expect(single.data).toHaveLength(3);
      expect(single.headers.link).toBeUndefined();
    });

    it("serves at most 3000 files, as GitHub does", async () => {
      fake.setPullRequest("acme/api", { ...pr, files: files(3500) });
      const all = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: 7, per_page: 100 });
      expect(all).toHaveLength(3000);
      expect(all.at(-1)?.filename).toBe(files(3000).at(-1));
      expect(fake.calls).toHaveLength(30);
    });

    it("adds labels (visible on the PR afterwards) and comments, and records both", async () => {
      fake.setPullRequest("acme/api", pr);
      const labels = await octokit.rest.issues.addLabels({ owner, repo, issue_number: 7, labels: ["ci:run", "build-failed"] });
      const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: 7, body: "Build failed: https://board.example/b/1" });

      expect(labels.status).toBe(200);
      expect(labels.data.map((l) => l.name)).toEqual(["ci:run", "build-failed"]);
      expect(comment.status).toBe(201);
      expect(comment.data).toMatchObject({ body: "Build failed: https://board.example/b/1", html_url: expect.stringContaining("https://github.com/acme/api/pull/7#issuecomment-") });
      expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 7 })).data.labels.map((l) => l.name)).toEqual(["ci:run", "build-failed"]);
      expect(fake.calls.slice(0, 2).map((c) => [c.method, c.path, c.body])).toEqual([
        ["POST", "/repos/acme/api/issues/7/labels", { labels: ["ci:run", "build-failed"] }],
        ["POST", "/repos/acme/api/issues/7/comments", { body: "Build failed: https://board.example/b/1" }],
      ]);
      expect((await rejection(octokit.rest.issues.createComment({ owner, repo, issue_number: 99, body: "x" }))).status).toBe(404);
    });
  });

  describe("collaborator permissions", () => {
    it.each([
      { role: "admin", legacy: "admin" },
      { role: "maintain", legacy: "write" },
      { role: "write", legacy: "write" },
      { role: "triage", legacy: "read" },
      { role: "read", legacy: "read" },
      { role: "none", legacy: "none" },
    ] as const)("role $role reads as permission $legacy with role_name $role", async ({ role, legacy }) => {
      fake.setPermission("acme/api", "Dev1", role);
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "dev1" });
      expect(data).toMatchObject({ permission: legacy, role_name: role, user: { login: "Dev1" } });
    });

    it("answers 404 for a user never set", async () => {
      fake.setPermission("acme/api", "dev1", "write");
      const err = await rejection(octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "stranger" }));
      expect(err.status).toBe(404);
      expect((await rejection(octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo: "other", username: "dev1" }))).status).toBe(404);
    });
  });

  describe("failures, auth and rate limits", () => {
    it("@octokit/rest bundles no retry plugin: an injected 500 is one request, then the next succeeds", async () => {
      const plain = new Octokit({ auth: "test-token", baseUrl: fake.url, log: log() });
      fake.failNext(1, { status: 500 });
      const err = await rejection(postStatus("success"));
      expect(err).toMatchObject({ name: "HttpError", status: 500, message: "Internal Server Error - https://docs.github.com/rest" });
      expect(fake.statuses).toEqual([]);
      fake.failNext(1, { status: 502 });
      expect((await rejection(plain.rest.repos.createCommitStatus({ owner, repo, sha, state: "success" }))).status).toBe(502);
      await expect(postStatus("success")).resolves.toMatchObject({ status: 201 });
      expect(fake.calls.map((c) => c.status)).toEqual([500, 502, 201]);
    });

    it("failNext only counts matching requests", async () => {
      fake.setPullRequest("acme/api", { number: 1, head: { ref: "f", sha }, base: { ref: "main", sha } });
      fake.failNext(2, { status: 503, message: "Service unavailable" }, { method: "post", pathPrefix: "/repos/acme/api/statuses/" });
      await expect(octokit.rest.pulls.get({ owner, repo, pull_number: 1 })).resolves.toMatchObject({ status: 200 });
      expect((await rejection(postStatus("success"))).status).toBe(503);
      expect((await rejection(postStatus("success"))).status).toBe(503);
      await expect(postStatus("success")).resolves.toMatchObject({ status: 201 });

      fake.failNext(1, { status: 500 }, { method: "GET" });
      await expect(postStatus("success")).resolves.toMatchObject({ status: 201 });
      expect((await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 1 }))).status).toBe(500);
      await expect(octokit.rest.pulls.get({ owner, repo, pull_number: 1 })).resolves.toMatchObject({ status: 200 });
    });

    it("a secondary rate limit 403 carries retry-after and its message", async () => {
      const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
      fake.failNext(1, { status: 403, headers: { "Retry-After": "1" }, message });
      const err = await rejection(postStatus("success"));
      expect(err.status).toBe(403);
      expect(err.message).toBe(`${message} - https://docs.github.com/rest`);
      expect(err.response?.headers["retry-after"]).toBe("1");
      expect(err.response?.headers["x-ratelimit-remaining"]).toBe("5000");
      expect(err.response?.data).toMatchObject({ message });
      const line = `POST /repos/acme/api/statuses/${sha} - 403 with id ${String(err.response?.headers["x-github-request-id"])} in `;
      expect(logLines).toEqual([expect.stringMatching(new RegExp(`^${line}\\d+ms$`))]);
    });

    it("a 429 failure carries the given headers", async () => {
      fake.failNext(1, { status: 429, headers: { "retry-after": "30", "x-ratelimit-remaining": "0" } });
      const err = await rejection(postStatus("success"));
      expect(err.status).toBe(429);
      expect(err.response?.headers).toMatchObject({ "retry-after": "30", "x-ratelimit-remaining": "0" });
    });

    it("counts down the primary rate limit, answers 403 at 0 until the reset passes", async () => {
      const reset = Math.floor(Date.now() / 1000) + 60;
      fake.setRateLimit(1, reset);
      const ok = await postStatus("pending");
      expect(ok.headers).toMatchObject({ "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000", "x-ratelimit-reset": String(reset) });

      const err = await rejection(postStatus("success"));
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/^API rate limit exceeded/);
      expect(err.response?.headers).toMatchObject({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset), "x-ratelimit-limit": "5000" });
      expect(err.response?.headers["retry-after"]).toBeUndefined();
      expect(fake.statuses).toHaveLength(1);

      fake.setRateLimit(0, Math.floor(Date.now() / 1000) - 1);
      const after = await postStatus("success");
      expect(after.headers["x-ratelimit-remaining"]).toBe("4999");
      expect(Number(after.headers["x-ratelimit-reset"])).toBeGreaterThan(reset);
    });

    it("answers 401 for a wrong or missing token", async () => {
      const wrong = await rejection(new Octokit({ auth: "nope", baseUrl: fake.url, log: log() }).rest.repos.createCommitStatus({ owner, repo, sha, state: "success" }));
      expect(wrong).toMatchObject({ status: 401, message: "Bad credentials - https://docs.github.com/rest" });
      const none = await rejection(new Octokit({ baseUrl: fake.url, log: log() }).rest.repos.createCommitStatus({ owner, repo, sha, state: "success" }));
      expect(none).toMatchObject({ status: 401, message: "Requires authentication - https://docs.github.com/rest" });
      expect(fake.statuses).toEqual([]);
    });

    it("accepts any token when none is configured, and 404s unknown routes", async () => {
      const open = await startGithubFake();
      try {
        const client = new Octokit({ auth: "whatever", baseUrl: open.url, log: log() });
        await expect(client.rest.repos.createCommitStatus({ owner, repo, sha, state: "success" })).resolves.toMatchObject({ status: 201 });
        const err = await rejection(client.rest.repos.listBranches({ owner, repo }));
        expect(err.status).toBe(404);
        expect(err.response?.data).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
      } finally {
        await open.close();
      }
    });
  });

  describe("GitHub App auth through @octokit/auth-app", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

    it("exchanges the App JWT for a ghs_ token and uses it for later calls", async () => {
      const app = new Octokit({ authStrategy: createAppAuth, auth: { appId: 1, privateKey, installationId: 42 }, baseUrl: fake.url, log: log() });
      await expect(app.rest.repos.createCommitStatus({ owner, repo, sha, state: "success", context: "ci" })).resolves.toMatchObject({ status: 201 });
      await app.rest.repos.createCommitStatus({ owner, repo, sha, state: "success", context: "lint" });

      expect(fake.calls.map((c) => [c.method, c.path, c.status])).toEqual([
        ["POST", "/app/installations/42/access_tokens", 201],
        ["POST", `/repos/acme/api/statuses/${sha}`, 201],
        ["POST", `/repos/acme/api/statuses/${sha}`, 201],
      ]);
      const [tokenCall, statusCall] = fake.calls;
      expect(statusCall?.headers.authorization).toBe("token ghs_fake1");

      const jwt = /^bearer (([\w-]+)\.([\w-]+))\.([\w-]+)$/.exec(String(tokenCall?.headers.authorization));
      expect(jwt).not.toBeNull();
      const [, signed = "", header = "", payload = "", signature = ""] = jwt ?? [];
      expect(JSON.parse(Buffer.from(header, "base64url").toString())).toMatchObject({ alg: "RS256" });
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss: unknown; iat: number; exp: number };
      expect(claims.iss).toBe(1);
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
      expect(createVerify("RSA-SHA256").update(signed).verify(publicKey, Buffer.from(signature, "base64url"))).toBe(true);
    });

    it("refuses a non-JWT credential on the access_tokens endpoint", async () => {
      const err = await rejection(octokit.rest.apps.createInstallationAccessToken({ installation_id: 42 }));
      expect(err).toMatchObject({ status: 401, message: "A JSON web token could not be decoded - https://docs.github.com/rest" });
    });
  });
});
