import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { signGithub } from "../helpers/sign.js";
import { waitFor } from "../e2e/e2e-helpers.js";
import { requireBuiltCli, spawnBuildgate, type RunningBuildgate } from "../e2e/spawn-buildgate.js";
import { commit, pushDelivery, REPO, sleep, summary, tempDir, type Delivery } from "./fault-helpers.js";

// Real-looking secrets, fresh each run, so a hit in the logs can only come from this run.
const hex = (n: number) => randomBytes(n).toString("hex");
const SECRETS = {
  webhookSecret: `whsec_${hex(20)}`,
  oldWebhookSecret: `whsec_old_${hex(20)}`,
  githubToken: `ghp_${randomBytes(27).toString("base64url").slice(0, 36)}`,
  eventbridgeKey: `ebkey_${hex(24)}`,
  sessionSecret: `sess_${hex(32)}`,
  password: `correct-horse-${hex(8)}-staple`,
  apiToken: `bgapi_${hex(24)}`,
};
const USER = "olivia";

/** `buildgate hash-password`, reading the password on stdin as an operator would. */
function hashPassword(password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [requireBuiltCli(), "hash-password"], { env: { PATH: process.env.PATH }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`hash-password exited ${code}`))));
    proc.stdin.end(`${password}\n`);
  });
}

/** A tiny cookie jar over fetch (no redirects followed). */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (value === "") this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return res;
  }
  async login(username: string, password: string): Promise<Response> {
    const page = await (await this.request("/login")).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error("no CSRF token on /login");
    return this.request("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, username, password }).toString() });
  }
}

describe("fault: log hygiene — a run with real secrets never logs them", () => {
  let dir: string;
  let github: GithubFake;
  let codebuild: CodeBuildFake;
  let gate: RunningBuildgate;

  beforeAll(async () => {
    dir = tempDir("log-hygiene");
    github = await startGithubFake({ token: SECRETS.githubToken });
    codebuild = await startCodeBuildFake({ projects: ["hello-ci"] });
  });
  afterAll(async () => {
    await gate?.kill9();
    await github?.close();
    await codebuild?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps secrets, tokens, signatures, cookies and passwords out of stdout and stderr", async () => {
    const passwordHash = await hashPassword(SECRETS.password);
    expect(passwordHash).toMatch(/^scrypt\$/);
    const config = join(dir, "buildgate.yaml");
    // Most secrets come from the environment, as in production; the session secret is literal.
    writeFileSync(
      config,
      `
store: { url: "sqlite:${join(dir, "bg.db")}" }
server: { host: 127.0.0.1, publicUrl: "http://127.0.0.1", apiToken: "\${BG_API_TOKEN}" }
github:
  webhookSecrets: ["\${BG_WEBHOOK_SECRET}", "\${BG_OLD_WEBHOOK_SECRET}"]
  apiUrl: "${github.url}"
  auth: { token: "\${BG_GITHUB_TOKEN}" }
codecommit:
  eventbridge: { apiKeyHeader: x-api-key, apiKey: "\${BG_EVENTBRIDGE_KEY}" }
aws: { region: us-east-1, endpoints: { codebuild: "${codebuild.url}" }, maxAttempts: 2 }
tracking: { pollIntervalSeconds: 1 }
board:
  auth:
    mode: local
    local: { users: [{ username: ${USER}, passwordHash: "${passwordHash}", role: operator }] }
  sessionSecret: "${SECRETS.sessionSecret}"
routes:
  - name: hello
    source: { github: "${REPO}" }
    on: [push]
    branches: [master]
    project: hello-ci
`,
    );
    // debug: the most the process ever says.
    gate = await spawnBuildgate(config, {
      LOG_LEVEL: "debug",
      BG_API_TOKEN: SECRETS.apiToken,
      BG_WEBHOOK_SECRET: SECRETS.webhookSecret,
      BG_OLD_WEBHOOK_SECRET: SECRETS.oldWebhookSecret,
      BG_GITHUB_TOKEN: SECRETS.githubToken,
      BG_EVENTBRIDGE_KEY: SECRETS.eventbridgeKey,
    });
    const forbidden = new Map<string, string>(Object.entries(SECRETS).map(([k, v]) => [v, k]));
    forbidden.set(passwordHash, "password hash");
    forbidden.set(passwordHash.split("$").at(-1) as string, "password hash digest");
    const answers: Record<string, number> = {};
    const send = async (label: string, d: Delivery, signature: string) => {
      forbidden.set(signature, `${label} signature`);
      forbidden.set(signature.replace(/^sha256=/, ""), `${label} signature digest`);
      const res = await fetch(`${gate.url}/webhooks/github`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": d.event, "x-github-delivery": d.id, "x-hub-signature-256": signature, cookie: `bg.sid=${SECRETS.sessionSecret}` }, body: d.body });
      await res.arrayBuffer();
      answers[label] = res.status;
    };

    // Signed deliveries (current and old secret), a status post that GitHub first refuses with 500.
    github.failNext(1, { status: 500, message: "Server Error" }, { method: "POST" });
    const good = pushDelivery(commit("10a", 1));
    await send("current secret", good, signGithub(SECRETS.webhookSecret, good.body));
    const rotated = pushDelivery(commit("10a", 2));
    await send("old secret", rotated, signGithub(SECRETS.oldWebhookSecret, rotated.body));
    // Bad signatures: another secret, a tampered body, a sha1 header value, garbage.
    const bad = pushDelivery(commit("10a", 3));
    await send("wrong secret", bad, signGithub(`wrong_${hex(16)}`, bad.body));
    await send("tampered body", { ...bad, body: bad.body.replace("Hello", "Hallo") }, signGithub(SECRETS.webhookSecret, bad.body));
    await send("short signature", bad, `sha256=${hex(8)}`);
    expect(answers).toEqual({ "current secret": 202, "old secret": 202, "wrong secret": 401, "tampered body": 401, "short signature": 401 });

    // EventBridge with the right key, and with a wrong one.
    const wrongKey = `ebkey_${hex(24)}`;
    forbidden.set(wrongKey, "wrong EventBridge key");
    const event = JSON.stringify({ version: "0", id: randomUUID(), "detail-type": "CodeCommit Comment on Commit", source: "aws.codecommit", account: "123456789012", time: new Date().toISOString(), region: "us-east-1", resources: [], detail: {} });
    const eb = async (key: string) => (await fetch(`${gate.url}/webhooks/eventbridge`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: event })).status;
    expect(await eb(SECRETS.eventbridgeKey)).toBe(200);
    expect(await eb(wrongKey)).toBe(401);

    // The board: a wrong password, then the right one; pages and the API with the session and a bearer token.
    const wrongPassword = `wrong-horse-${hex(8)}`;
    forbidden.set(wrongPassword, "wrong password");
    const browser = new Browser(gate.url);
    expect((await browser.login(USER, wrongPassword)).headers.get("location")).toMatch(/^\/login\?error=1/);
    const login = await browser.login(USER, SECRETS.password);
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/");
    const sid = browser.cookies.get("bg.sid");
    expect(sid).toBeDefined();
    forbidden.set(sid as string, "session cookie");
    forbidden.set(decodeURIComponent(sid as string), "session cookie (decoded)");
    forbidden.set(/^s:([^.]+)\./.exec(decodeURIComponent(sid as string))?.[1] as string, "session id");
    for (const [name, value] of browser.cookies) if (name !== "bg.sid") forbidden.set(value, `cookie ${name}`);
    expect((await browser.request("/")).status).toBe(200);
    expect((await browser.request("/builds")).status).toBe(200);
    expect((await fetch(`${gate.url}/api/builds`, { headers: { authorization: `Bearer ${SECRETS.apiToken}` } })).status).toBe(200);
    const wrongBearer = `bgapi_${hex(24)}`;
    forbidden.set(wrongBearer, "wrong API token");
    expect((await fetch(`${gate.url}/api/builds`, { headers: { authorization: `Bearer ${wrongBearer}`, accept: "application/json" } })).status).toBe(401);

    // Statuses land (after the 500) and the builds finish.
    const shas = [good.sha, rotated.sha];
    await waitFor("pending statuses", () => shas.every((sha) => github.latestStatus(REPO, sha, "buildgate/hello")?.state === "pending"), 30_000);
    for (const b of codebuild.builds.values()) finishFakeBuild(b, "SUCCEEDED");
    await waitFor("success statuses", () => shas.every((sha) => github.latestStatus(REPO, sha, "buildgate/hello")?.state === "success"), 30_000);
    expect(github.calls.some((c) => c.status === 500)).toBe(true);
    expect(github.calls.filter((c) => c.method === "POST").every((c) => c.headers.authorization === `token ${SECRETS.githubToken}`)).toBe(true);
    await sleep(300);

    // Stop the process the usual way (SIGTERM), so shutdown logs are captured too.
    await gate.stop();
    const output = gate.output();
    const leaks = [...forbidden].filter(([value]) => value.length >= 8 && output.includes(value)).map(([, what]) => what);
    const lines = output.split("\n").length;
    summary("log hygiene", { logLines: lines, valuesChecked: forbidden.size, leaks: leaks.length });
    // The run did log what it did (the check is not vacuous).
    expect(output).toContain("github delivery rejected");
    expect(output).toContain("status reported");
    expect(output).toContain("board sign-in failed");
    expect(leaks).toEqual([]);
  }, 90_000);
});
