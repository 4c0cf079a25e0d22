import Database from "better-sqlite3";
import request from "supertest";
import { BUILD_STATES, type BuildState } from "../../src/domain/build-state.js";
import type { Store } from "../../src/store/store.js";
import { hashPassword } from "../../src/web/auth/password.js";
import { newBuild, newDelivery } from "./store-fixtures.js";
import { SECRET, type TestGate } from "./test-gate.js";

export const OPERATOR = { username: "olivia", password: "operator-password-1" } as const;
export const VIEWER = { username: "victor", password: "viewer-password-1" } as const;
export const API_TOKEN = "board-api-token-0123456789abcdef";
export const SESSION_SECRET = "s".repeat(40);

export interface BoardHashes {
  readonly operator: string;
  readonly viewer: string;
}

/** scrypt hashes for the two local users (about 100 ms each: make them once, in a beforeAll). */
export async function hashBoardUsers(): Promise<BoardHashes> {
  const [operator, viewer] = await Promise.all([hashPassword(OPERATOR.password), hashPassword(VIEWER.password)]);
  return { operator: operator!, viewer: viewer! };
}

export interface BoardYamlOptions {
  readonly mode?: "none" | "local" | "github";
  readonly publicUrl?: string;
  readonly host?: string;
  readonly loginAttempts?: number;
  readonly publicBadges?: boolean;
  readonly apiToken?: string | null;
  /** false: no board section at all. */
  readonly board?: boolean;
  /** server.trustProxy, as YAML. */
  readonly trustProxy?: string;
}

/** The test gate's GitHub routes plus `anything` (every branch, push and pull requests) and a board section. */
export function boardYaml(hashes: BoardHashes | undefined, o: BoardYamlOptions = {}): string {
  const mode = o.mode ?? "local";
  const server = [`host: "${o.host ?? "0.0.0.0"}"`, ...(o.publicUrl ? [`publicUrl: "${o.publicUrl}"`] : []), ...(o.apiToken === null ? [] : [`apiToken: "${o.apiToken ?? API_TOKEN}"`]), ...(o.trustProxy ? [`trustProxy: ${o.trustProxy}`] : [])];
  const auth =
    mode === "local"
      ? `
    mode: local
    local:
      users:
        - { username: ${OPERATOR.username}, passwordHash: "${hashes?.operator}", role: operator }
        - { username: ${VIEWER.username}, passwordHash: "${hashes?.viewer}", role: viewer }`
      : mode === "github"
        ? `
    mode: github
    github: { clientId: "fake-client-id", clientSecret: "fake-client-secret", org: "acme" }`
        : `
    mode: none`;
  const board =
    o.board === false
      ? ""
      : `
board:
  auth:${auth}
  sessionSecret: "${SESSION_SECRET}"
  loginAttempts: ${o.loginAttempts ?? 1000}
  publicBadges: ${o.publicBadges ?? true}
`;
  return `
server: { ${server.join(", ")} }
github:
  webhookSecrets: ["${SECRET}"]
routes:
  - name: hello
    source: { github: "Codertocat/Hello-World" }
    on: [push, pull_request]
    branches: ["master", "main"]
    project: hello-ci
  - name: anything
    source: { github: "Codertocat/Hello-World" }
    on: [push, pull_request]
    project: anything-ci
${board}`;
}

/** A cookie-aware client on the app, with full control of what is sent (unlike supertest's agent). */
export class BoardClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly app: TestGate["app"]) {}

  cookieHeader(only?: readonly string[]): string {
    return [...this.cookies].filter(([k]) => !only || only.includes(k)).map(([k, v]) => `${k}=${v}`).join("; ");
  }

  absorb(res: request.Response): request.Response {
    for (const c of setCookies(res)) {
      const [pair = "", ...attrs] = c.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expires = attrs.find((a) => /^expires=/i.test(a));
      if (value === "" || (expires && new Date(expires.slice(8)).getTime() < Date.now())) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<request.Response> {
    let req = request(this.app).get(path).redirects(0);
    if (this.cookies.size > 0) req = req.set("cookie", this.cookieHeader());
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return this.absorb(await req);
  }

  /** A form POST; `cookies` limits which cookies are sent. */
  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}, cookies?: readonly string[]): Promise<request.Response> {
    let req = request(this.app).post(path).redirects(0).type("form");
    const cookie = this.cookieHeader(cookies);
    if (cookie) req = req.set("cookie", cookie);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return this.absorb(await req.send(form));
  }

  /** The CSRF token of the forms on `path`. */
  async csrf(path = "/"): Promise<string> {
    const res = await this.get(path);
    const token = csrfOf(res.text);
    if (!token) throw new Error(`no CSRF token on ${path} (status ${res.status})`);
    return token;
  }

  async login(user: { username: string; password: string }, returnTo?: string): Promise<request.Response> {
    const token = await this.csrf(returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : "/login");
    return this.post("/login", { _csrf: token, username: user.username, password: user.password, ...(returnTo !== undefined ? { returnTo } : {}) });
  }

  get sid(): string | undefined {
    return this.cookies.get("bg.sid");
  }
}

/** The Location of a redirect (throws when there is none). */
export function locationOf(res: request.Response): string {
  const location = res.headers.location as string | undefined;
  if (location === undefined) throw new Error(`no Location header (status ${res.status})`);
  return location;
}

export function setCookies(res: request.Response): string[] {
  const raw = res.headers["set-cookie"] as string[] | string | undefined;
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
}

export function csrfOf(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** A signed-in client. */
export async function signedIn(app: TestGate["app"], user: { username: string; password: string }): Promise<BoardClient> {
  const client = new BoardClient(app);
  const res = await client.login(user);
  if (res.status !== 303 || res.headers.location !== "/") throw new Error(`login of ${user.username} failed: ${res.status} ${res.headers.location}`);
  return client;
}

/** The gate's SQLite file, read directly (jobs by kind are not part of the Store interface). */
export function sqlitePath(gate: TestGate): string {
  return gate.config.store.url.replace(/^sqlite:/, "");
}

export interface JobLine {
  readonly id: number;
  readonly kind: string;
  readonly state: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

export function jobsOf(gate: TestGate): JobLine[] {
  const db = new Database(sqlitePath(gate), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT id, kind, state, payload, attempts FROM jobs ORDER BY id").all() as Array<{ id: number; kind: string; state: string; payload: string; attempts: number }>).map((j) => ({ ...j, payload: JSON.parse(j.payload) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** Everything an action could change: builds, deliveries, and the job table. */
export async function sideEffects(gate: TestGate): Promise<{ builds: number; deliveries: number; jobs: string }> {
  const builds = await gate.store.listBuildsPage({ limit: 100_000 });
  const deliveries = await gate.store.listDeliveriesPage({ limit: 100_000 });
  return { builds: builds.length, deliveries: deliveries.length, jobs: JSON.stringify(jobsOf(gate).map((j) => [j.id, j.kind, j.state, j.attempts])) };
}

let seq = 0;

/** Stores an accepted delivery and one routed build for it; returns both ids. */
export async function seedBuild(
  store: Store,
  o: { route?: string; ref?: string; sha?: string; pullRequest?: number | null; repository?: string; body?: unknown; state?: BuildState; phase?: string | null; logsUrl?: string | null; externalId?: string | null; deliveryId?: string; now?: number } = {},
): Promise<{ deliveryRowId: number; buildId: number }> {
  seq += 1;
  const now = o.now ?? Date.now();
  const deliveryId = o.deliveryId ?? `seed-${seq}-${now}`;
  const sha = o.sha ?? seq.toString(16).padStart(40, "0");
  const [outcome] = await store.insertDeliveries([newDelivery(deliveryId, { body: JSON.stringify(o.body ?? { ref: o.ref ?? "refs/heads/main", after: sha }), receivedAt: now })]);
  if (outcome !== "accepted") throw new Error(`delivery ${deliveryId}: ${String(outcome)}`);
  const [row] = await store.findDeliveries(deliveryId);
  const route = o.route ?? "hello";
  const build = newBuild(route, `seed|${seq}|${deliveryId}`, {
    ...(o.repository ? { repository: o.repository } : { repository: "Codertocat/Hello-World" }),
    ref: o.ref ?? "refs/heads/main",
    sha,
    pullRequest: o.pullRequest ?? null,
    trigger: { deliveryId, event: "push", actor: "octocat" },
  });
  const outcomeRouting = await store.recordRouting(row!.id, { status: "routed", decisions: [{ route, matched: true, reason: "seeded", build }] }, now);
  const buildId = outcomeRouting.createdBuildIds[0]!;
  const patch = {
    ...(o.state ? { state: o.state } : {}),
    ...(o.phase !== undefined ? { current_phase: o.phase } : {}),
    ...(o.logsUrl !== undefined ? { logs_url: o.logsUrl } : {}),
    ...(o.externalId !== undefined ? { external_id: o.externalId } : {}),
  };
  if (Object.keys(patch).length > 0) await store.updateBuild(buildId, BUILD_STATES, patch, now);
  return { deliveryRowId: row!.id, buildId };
}

/** A job that failed every attempt, in dead letters; returns its id. Call before other jobs are queued. */
export async function seedDeadJob(store: Store, now = Date.now()): Promise<number> {
  const id = await store.jobs.enqueue({ kind: "report_status", payload: { buildId: 999_999 }, dedupeKey: `dead-${now}` }, now);
  const claimed = await store.jobs.claim("seed:1:x", now, 60_000, 100);
  for (const j of claimed) {
    if (j.id === id) await store.jobs.bury(j.id, "seed:1:x", "boom: <b>seeded</b> failure", now);
    else await store.jobs.defer(j.id, "seed:1:x", now, now);
  }
  return id!;
}
