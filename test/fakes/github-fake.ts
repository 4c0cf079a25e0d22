import { createPublicKey, randomBytes, verify } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  combinedState,
  decodeJwt,
  DOCS,
  errorBody,
  fileJson,
  GithubError,
  labelJson,
  latestPerContext,
  legacyPermission,
  MAX_PR_FILES,
  notFound,
  paginate,
  pullJson,
  repoJson,
  STATUS_STATES,
  statusJson,
  unauthorized,
  userJson,
  validationFailed,
  type FakePermission,
  type FakePullRequest,
  type RecordedStatus,
} from "./github-fake-shapes.js";

import { createFakeHooks, type FakeHooks } from "./github-fake-hooks.js";
import { createFakeChecks, type Caller, type RecordedCheckRun } from "./github-fake-checks.js";

export type { FakePermission, FakePullRequest, RecordedStatus } from "./github-fake-shapes.js";
export type { FakeHookDelivery, FakeHookOwner, FakeHooks, RecordedRedelivery } from "./github-fake-hooks.js";
export type { RecordedAnnotation, RecordedCheckRun } from "./github-fake-checks.js";

/** One request the fake received, in arrival order. `body` is the parsed JSON (undefined when empty). */
export interface GithubCall {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  body: unknown;
  readonly headers: IncomingHttpHeaders;
  /** Status the fake answered with; 0 while the request is in flight. */
  status: number;
  /** Arrival time, epoch ms. */
  readonly at: number;
}

export interface GithubFailure {
  readonly status: number;
  /** Extra response headers, e.g. `{ "retry-after": "1" }`; they override the x-ratelimit-* defaults. */
  readonly headers?: Record<string, string>;
  /** JSON `message`; defaults to the HTTP reason phrase. */
  readonly message?: string;
}

export interface GithubFakeOptions {
  /** Expected token (`Authorization: token …` or `Bearer …`). Others get 401 "Bad credentials", none gets 401 "Requires authentication". Any credential is accepted when omitted. */
  readonly token?: string;
  /**
   * The GitHub App: App endpoints then need a JWT signed RS256 with its private key (verified
   * against `publicKey`) whose `iss` is `id`. Without it any unexpired JWT passes unverified.
   */
  readonly app?: { readonly id: number; readonly publicKey: string };
  /** Installation id → the accounts (owners) it is installed on; tokens of others are refused (404), and a token works only on its accounts' repositories. Any installation when omitted. */
  readonly installations?: Readonly<Record<number, readonly string[]>>;
}

/** An installation token the fake issued. */
export interface IssuedToken {
  readonly token: string;
  readonly installationId: number;
  readonly expiresAt: number;
}

export interface GithubFake {
  /** Base URL for Octokit's `baseUrl` (a GHES-style `/api/v3` prefix is accepted too). */
  readonly url: string;
  readonly calls: GithubCall[];
  /** Webhooks and their deliveries (list with `cursor` pages, redelivery attempts recorded). */
  readonly hooks: FakeHooks;
  /** Every accepted `POST /repos/{o}/{r}/statuses/{sha}`, in order. */
  readonly statuses: RecordedStatus[];
  /** Newest status for `owner/name`, sha and context (repo and context compare case-insensitively, as GitHub does). */
  latestStatus(repo: string, sha: string, context: string): { state: string; description?: string; target_url?: string } | undefined;
  /** Adds or replaces PR `pr.number` of `repo` ("owner/name"). Labels added through the API are added to it. */
  setPullRequest(repo: string, pr: FakePullRequest): void;
  /** Sets `user`'s role on `repo`. Users never set get 404 from the permission endpoint. */
  setPermission(repo: string, user: string, permission: FakePermission): void;
  /**
   * Answers the next `n` requests matching `match` (method, path prefix; all when omitted) with `failure`, before auth and
   * rate limiting. Rules stack; the oldest rule with requests left wins. Injected failures consume no rate limit.
   */
  failNext(n: number, failure: GithubFailure, match?: { method?: string; pathPrefix?: string }): void;
  /**
   * Sets the primary rate limit window. Each request that passes auth consumes one; at 0 requests get 403
   * "API rate limit exceeded…" with `x-ratelimit-remaining: 0` until `resetEpochSeconds`, then a fresh 5000/h window starts.
   */
  setRateLimit(remaining: number, resetEpochSeconds: number): void;
  /**
   * Carries out the next `n` requests matching `match` but never answers them (the caller died
   * before it read GitHub's answer, as in a kill -9 after the request left); they go to `held`.
   */
  holdAnswers(n: number, match: { method?: string; pathPrefix?: string }): void;
  /** Requests carried out and left unanswered by `holdAnswers`. */
  readonly held: GithubCall[];
  /** Every installation token issued, in order. */
  readonly tokens: IssuedToken[];
  /** Every check run created, with its current fields and the writes that made it. */
  readonly checkRuns: RecordedCheckRun[];
  /** The check runs of `repo` on `sha` (named `name`), oldest first. */
  runsOf(repo: string, sha: string, name?: string): RecordedCheckRun[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
type Handler = (params: string[], req: { url: URL; body: unknown; caller: Caller }) => Answer;

const LIMIT = 5000;
const RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
const MAX_STATUSES_PER_CONTEXT = 1000;
const TOKEN_TTL_MS = 3600_000;

const key = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase();
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const asObject = (body: unknown): Record<string, unknown> => (body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
const requestId = () => [2, 2, 3, 3, 4].map((n) => randomBytes(n).toString("hex").toUpperCase()).join(":");

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GithubError(400, errorBody(400, "Problems parsing JSON"));
  }
}

/** Starts a local fake of the GitHub REST API (statuses, pulls, collaborators, issues, webhook deliveries, App tokens) on 127.0.0.1. */
export async function startGithubFake(options: GithubFakeOptions = {}): Promise<GithubFake> {
  const calls: GithubCall[] = [];
  const statuses: RecordedStatus[] = [];
  const pulls = new Map<string, { fullName: string; pr: FakePullRequest; createdAt: string }>();
  const permissions = new Map<string, { login: string; permission: FakePermission }>();
  const issuedTokens = new Map<string, IssuedToken>();
  const tokens: IssuedToken[] = [];
  const appKey = options.app ? createPublicKey(options.app.publicKey) : undefined;
  const failures: Array<{ remaining: number; failure: GithubFailure; method?: string; pathPrefix?: string }> = [];
  const holds: Array<{ remaining: number; method?: string; pathPrefix?: string }> = [];
  const held: GithubCall[] = [];
  const rate = { remaining: LIMIT, reset: Math.floor(Date.now() / 1000) + 3600 };
  let nextId = 1000;

  const statusesOf = (owner: string, repo: string, sha: string) => statuses.filter((s) => key(s.owner, s.repo) === key(owner, repo) && s.sha.toLowerCase() === sha.toLowerCase());
  const pullOf = (owner: string, repo: string, n: string) => {
    const entry = pulls.get(`${key(owner, repo)}#${n}`);
    if (!entry) throw notFound();
    return entry;
  };
  /** A branch name that is some PR's head or base resolves to its sha; anything else is taken as a sha. */
  const resolveRef = (owner: string, repo: string, ref: string) => {
    const sides = [...pulls.values()].filter((p) => p.fullName.toLowerCase() === key(owner, repo)).flatMap((p) => [p.pr.head, p.pr.base]);
    return sides.reverse().find((s) => s.ref === ref)?.sha ?? ref;
  };

  function createStatus([owner = "", repo = "", sha = ""]: string[], { body }: { body: unknown }): Answer {
    const b = asObject(body);
    if (typeof b.state !== "string" || !(STATUS_STATES as readonly string[]).includes(b.state)) throw validationFailed("Status", "state is not included in the list", "state");
    const description = typeof b.description === "string" ? b.description : undefined;
    // GitHub stores descriptions without 4-byte UTF-8 (emoji etc.): ouzi-dev/commit-status-updater#527, wip/app#138.
    if (description !== undefined && /[\u{10000}-\u{10FFFF}]/u.test(description)) throw validationFailed("Status", "description doesn't accept 4-byte Unicode", "description");
    if (description !== undefined && description.length > 140) throw validationFailed("Status", "description is too long (maximum is 140 characters)", "description");
    const context = typeof b.context === "string" && b.context !== "" ? b.context : "default";
    if (statusesOf(owner, repo, sha).filter((s) => s.context.toLowerCase() === context.toLowerCase()).length >= MAX_STATUSES_PER_CONTEXT) {
      throw validationFailed("Status", "This SHA and context has reached the maximum number of statuses.");
    }
    const targetUrl = typeof b.target_url === "string" ? b.target_url : undefined;
    const status: RecordedStatus = { owner, repo, sha, state: b.state, context, at: Date.now(), id: ++nextId, ...(description !== undefined && { description }), ...(targetUrl !== undefined && { target_url: targetUrl }) };
    statuses.push(status);
    return { status: 201, body: statusJson(status) };
  }

  function combinedStatus([owner = "", repo = "", ref = ""]: string[]): Answer {
    const sha = resolveRef(owner, repo, ref);
    const latest = latestPerContext(statusesOf(owner, repo, sha));
    const fullName = `${owner}/${repo}`;
    const body = { state: combinedState(latest), statuses: latest.map(statusJson), sha, total_count: latest.length, repository: repoJson(fullName, fullName), commit_url: `https://api.github.com/repos/${fullName}/commits/${sha}`, url: `https://api.github.com/repos/${fullName}/commits/${sha}/status` };
    return { status: 200, body };
  }

  function listStatuses([owner = "", repo = "", ref = ""]: string[], { url }: { url: URL }): Answer {
    const { page, link } = paginate(statusesOf(owner, repo, resolveRef(owner, repo, ref)).reverse(), url);
    return { status: 200, body: page.map(statusJson), ...(link && { headers: { link } }) };
  }

  function getPull([owner = "", repo = "", n = ""]: string[]): Answer {
    const { fullName, pr, createdAt } = pullOf(owner, repo, n);
    return { status: 200, body: pullJson(fullName, pr, createdAt) };
  }

  function listFiles([owner = "", repo = "", n = ""]: string[], { url }: { url: URL }): Answer {
    const { fullName, pr } = pullOf(owner, repo, n);
    const { page, link } = paginate((pr.files ?? []).slice(0, MAX_PR_FILES), url);
    return { status: 200, body: page.map((f) => fileJson(fullName, pr.head.sha, f)), ...(link && { headers: { link } }) };
  }

  function getPermission([owner = "", repo = "", user = ""]: string[]): Answer {
    const entry = permissions.get(`${key(owner, repo)}:${user.toLowerCase()}`);
    // Real GitHub answers 200 with "read"/"none" for some non-collaborators and 404 for others; the fake always 404s.
    if (!entry) throw notFound();
    const p = entry.permission;
    const rights = { admin: p === "admin", maintain: ["admin", "maintain"].includes(p), push: ["admin", "maintain", "write"].includes(p), triage: p !== "read" && p !== "none", pull: p !== "none" };
    return { status: 200, body: { permission: legacyPermission(p), role_name: p, user: { ...userJson(entry.login), permissions: rights, role_name: p } } };
  }

  function addLabels([owner = "", repo = "", n = ""]: string[], { body }: { body: unknown }): Answer {
    const { pr } = pullOf(owner, repo, n);
    const raw = Array.isArray(body) ? body : asObject(body).labels;
    const names = Array.isArray(raw) ? raw.map((l) => (typeof l === "string" ? l : asObject(l).name)) : [];
    if (names.length === 0 || !names.every((l): l is string => typeof l === "string" && l !== "")) throw validationFailed("Label", "labels must be a non-empty array of names", "labels");
    pr.labels = [...new Set([...(pr.labels ?? []), ...names])];
    return { status: 200, body: pr.labels.map(labelJson) }; // GitHub answers 200 (not 201) with all the issue's labels.
  }

  function addComment([owner = "", repo = "", n = ""]: string[], { body }: { body: unknown }): Answer {
    const { fullName, pr } = pullOf(owner, repo, n);
    const text = asObject(body).body;
    if (typeof text !== "string" || text === "") throw new GithubError(422, errorBody(422, 'Invalid request.\n\n"body" wasn\'t supplied.'));
    const id = ++nextId;
    const now = isoSeconds(Date.now());
    const comment = { id, node_id: `IC_${id}`, url: `https://api.github.com/repos/${fullName}/issues/comments/${id}`, html_url: `https://github.com/${fullName}/pull/${pr.number}#issuecomment-${id}`, issue_url: `https://api.github.com/repos/${fullName}/issues/${pr.number}`, body: text, user: userJson("buildgate[bot]"), author_association: "NONE", created_at: now, updated_at: now };
    return { status: 201, body: comment };
  }

  function createInstallationToken([id = ""]: string[]): Answer {
    const installationId = Number(id);
    if (options.installations && !options.installations[installationId]) throw notFound();
    const token = `ghs_fake${issuedTokens.size + 1}`;
    const expires = Date.now() + TOKEN_TTL_MS;
    const issued = { token, installationId, expiresAt: expires };
    issuedTokens.set(token, issued);
    tokens.push(issued);
    const perms = { metadata: "read", contents: "read", statuses: "write", checks: "write", pull_requests: "read", members: "read", issues: "write" };
    return { status: 201, body: { token, expires_at: isoSeconds(expires), permissions: perms, repository_selection: "all" } };
  }

  const fakeHooks = createFakeHooks();
  const fakeChecks = createFakeChecks();
  const seg = "([^/]+)";
  const repoPath = `^/repos/${seg}/${seg}`;
  const routes: Array<[string, RegExp, Handler]> = [
    ["POST", new RegExp(`${repoPath}/statuses/${seg}$`), createStatus],
    ["GET", new RegExp(`${repoPath}/commits/${seg}/statuses$`), listStatuses],
    ["GET", new RegExp(`${repoPath}/commits/${seg}/status$`), combinedStatus],
    ["GET", new RegExp(`${repoPath}/pulls/(\\d+)$`), getPull],
    ["GET", new RegExp(`${repoPath}/pulls/(\\d+)/files$`), listFiles],
    ["GET", new RegExp(`${repoPath}/collaborators/${seg}/permission$`), getPermission],
    ["POST", new RegExp(`${repoPath}/issues/(\\d+)/labels$`), addLabels],
    ["POST", new RegExp(`${repoPath}/issues/(\\d+)/comments$`), addComment],
    ["POST", /^\/app\/installations\/(\d+)\/access_tokens$/, createInstallationToken],
    ...fakeHooks.routes,
    ...fakeChecks.routes,
  ];

  /** An App JWT: RS256 over `header.payload`, verified against the App's public key when the fake knows it. */
  function checkJwt(credential: string | undefined): void {
    const jwt = credential === undefined ? undefined : decodeJwt(credential);
    if (!jwt || typeof jwt.iat !== "number" || typeof jwt.exp !== "number" || jwt.iss === undefined) throw unauthorized("A JSON web token could not be decoded");
    if (jwt.exp - jwt.iat > 600) throw unauthorized("'Expiration time' claim ('exp') is too far in the future");
    if (jwt.exp * 1000 <= Date.now()) throw unauthorized("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    if (!appKey || !options.app || credential === undefined) return;
    const [header = "", payload = "", signature = ""] = credential.split(".");
    const alg = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string }).alg;
    const valid = alg === "RS256" && verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), appKey, Buffer.from(signature, "base64url"));
    if (!valid) throw unauthorized("A JSON web token could not be decoded");
    if (String(jwt.iss) !== String(options.app.id)) throw unauthorized("Integration not found");
  }

  /** App endpoints need an unexpired App JWT; the rest need the configured token or an issued ghs_ token (limited to its installation's accounts). */
  function authorize(authorization: string | undefined, path: string): Caller {
    const credential = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    if (path.startsWith("/app/")) {
      checkJwt(credential);
      return {};
    }
    const issued = credential === undefined ? undefined : issuedTokens.get(credential);
    if (issued !== undefined) {
      if (issued.expiresAt <= Date.now()) throw unauthorized("Bad credentials");
      const owner = /^\/repos\/([^/]+)\//.exec(path)?.[1]?.toLowerCase();
      const accounts = options.installations?.[issued.installationId];
      if (owner && accounts && !accounts.some((a) => a.toLowerCase() === owner)) throw notFound();
      return { installationId: issued.installationId, ...(options.app ? { appId: options.app.id } : {}) };
    }
    if (options.token === undefined) return {};
    if (credential === undefined) throw unauthorized("Requires authentication");
    if (credential !== options.token) throw unauthorized("Bad credentials");
    return {};
  }

  function takeFailure(method: string, path: string): GithubError | undefined {
    const rule = failures.find((f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.pathPrefix || path.startsWith(f.pathPrefix)));
    if (!rule) return undefined;
    if (--rule.remaining === 0) failures.splice(failures.indexOf(rule), 1);
    const { status, message, headers = {} } = rule.failure;
    const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return new GithubError(status, { message: message ?? STATUS_CODES[status] ?? "Error", documentation_url: DOCS }, lowered);
  }

  function checkRateLimit(): void {
    const nowS = Math.floor(Date.now() / 1000);
    if (nowS >= rate.reset) Object.assign(rate, { remaining: LIMIT, reset: nowS + 3600 });
    if (rate.remaining > 0) return;
    throw new GithubError(403, { message: "API rate limit exceeded for user ID 1.", documentation_url: `${RATE_DOCS}#about-rate-limits` });
  }

  function route(method: string, path: string, req: { url: URL; body: unknown; caller: Caller }): Answer {
    for (const [m, pattern, handler] of routes) {
      const match = method === m ? pattern.exec(path) : null;
      if (match) return handler(match.slice(1).map(decodeURIComponent), req);
    }
    throw notFound();
  }

  function send(res: ServerResponse, answer: Answer): void {
    const rateHeaders = { "x-ratelimit-limit": String(LIMIT), "x-ratelimit-remaining": String(rate.remaining), "x-ratelimit-reset": String(rate.reset), "x-ratelimit-used": String(Math.max(0, LIMIT - rate.remaining)), "x-ratelimit-resource": "core" };
    const headers = { "content-type": "application/json; charset=utf-8", "x-github-media-type": "github.v3; format=json", "x-github-api-version-selected": "2022-11-28", "x-github-request-id": requestId(), ...rateHeaders, ...answer.headers };
    res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, ""); // GHES base URLs end in /api/v3
    const call: GithubCall = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, headers: req.headers, status: 0, at: Date.now() };
    calls.push(call);
    let answer: Answer;
    try {
      call.body = await readBody(req);
      const injected = takeFailure(method, path);
      if (injected) throw injected;
      const caller = authorize(req.headers.authorization, path);
      checkRateLimit();
      rate.remaining -= 1;
      answer = route(method, path, { url, body: call.body, caller });
    } catch (err) {
      const e = err instanceof GithubError ? err : new GithubError(500, errorBody(500, String(err)));
      answer = { status: e.status, body: e.body, headers: e.headers };
    }
    call.status = answer.status;
    const hold = holds.find((h) => h.remaining > 0 && (!h.method || h.method.toUpperCase() === method) && (!h.pathPrefix || path.startsWith(h.pathPrefix)));
    if (hold && answer.status < 400) {
      hold.remaining -= 1;
      held.push(call);
      return; // the request took effect; its answer never leaves
    }
    send(res, answer);
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    calls,
    hooks: fakeHooks.hooks,
    statuses,
    holdAnswers(n, match) {
      if (n > 0) holds.push({ remaining: n, ...match });
    },
    held,
    tokens,
    checkRuns: fakeChecks.checks.checkRuns,
    runsOf: fakeChecks.checks.runsOf,
    latestStatus(repo, sha, context) {
      const [owner = "", name = ""] = repo.split("/");
      const found = statusesOf(owner, name, sha).filter((s) => s.context.toLowerCase() === context.toLowerCase()).at(-1);
      return found && { state: found.state, ...(found.description !== undefined && { description: found.description }), ...(found.target_url !== undefined && { target_url: found.target_url }) };
    },
    setPullRequest(repo, pr) {
      pulls.set(`${repo.toLowerCase()}#${pr.number}`, { fullName: repo, pr: structuredClone(pr), createdAt: isoSeconds(Date.now()) });
    },
    setPermission(repo, user, permission) {
      permissions.set(`${repo.toLowerCase()}:${user.toLowerCase()}`, { login: user, permission });
    },
    failNext(n, failure, match = {}) {
      if (n > 0) failures.push({ remaining: n, failure, ...match });
    },
    setRateLimit(remaining, resetEpochSeconds) {
      Object.assign(rate, { remaining: Math.max(0, remaining), reset: resetEpochSeconds });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
