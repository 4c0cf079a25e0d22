import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { CodeBuildFake, FakeBuild } from "../fakes/codebuild-fake.js";
import { pushExample } from "../helpers/github-examples.js";
import { signGithub } from "../helpers/sign.js";
import { TEST_PG_URL } from "../helpers/store-targets.js";

// Shared by the fault suites (test/fault/) and the PostgreSQL scale-out test (test/e2e/scale-out*).

export const REPO = "Codertocat/Hello-World";

/** mulberry32: a small seeded generator, so a failing run can be repeated with the same "random" kills. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `p`, or a rejection after `ms` (the timer is cleared either way, so Jest can exit). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `buildgate-${prefix}-`));
}

/** A 40-hex commit id, unique per (tag, i); tag is 1-8 hex digits. */
export const commit = (tag: string, i: number) => `${tag}${i.toString(16).padStart(40 - tag.length, "0")}`;

/** One GitHub push delivery, signed when sent. */
export interface Delivery {
  readonly id: string;
  readonly sha: string;
  readonly body: string;
  readonly event: string;
}

export function pushDelivery(sha: string, id: string = randomUUID(), ref = "refs/heads/master"): Delivery {
  return { id, sha, event: "push", body: JSON.stringify(pushExample({ after: sha, ref })) };
}

export interface Answer {
  readonly status: number;
  readonly at: number;
  readonly headers: Headers;
}

/** Posts a signed delivery; throws on a network error (refused, reset, timeout). */
export async function post(url: string, secret: string, d: Delivery, timeoutMs = 15_000): Promise<Answer> {
  const res = await fetch(`${url}/webhooks/github`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": d.event, "x-github-delivery": d.id, "x-hub-signature-256": signGithub(secret, d.body) },
    body: d.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  return { status: res.status, at: Date.now(), headers: res.headers };
}

/**
 * The same as `post`, on a new connection that is closed afterwards: no keep-alive socket the
 * server may be closing at that moment (a POST on such a socket fails and is not retried).
 */
export function postFresh(url: string, secret: string, d: Delivery, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhooks/github`, {
      method: "POST",
      agent: false,
      timeout: timeoutMs,
      headers: { "content-type": "application/json", "x-github-event": d.event, "x-github-delivery": d.id, "x-hub-signature-256": signGithub(secret, d.body), connection: "close" },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, at: Date.now(), headers });
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(d.body);
  });
}

export const is2xx = (status: number) => status >= 200 && status < 300;

export interface SendStats {
  /** Delivery id → time of its first 2xx. */
  readonly acked: Map<string, number>;
  /** Every answer, by status (0: network error). */
  readonly statuses: Map<number, number>;
  /** Attempts that did not get a 2xx and were sent again. */
  retries: number;
  lastAckAt: number;
}

export const newStats = (): SendStats => ({ acked: new Map(), statuses: new Map(), retries: 0, lastAckAt: 0 });

/**
 * Sends every delivery until it is acknowledged (2xx), with `concurrency` senders, the way a
 * sender that redelivers does: a network error or a 5xx puts the same delivery (same id) back
 * in the queue. `target(i)` picks the URL per attempt (it may change: a restarted process).
 * Bounded by `deadlineMs`.
 */
export async function sendUntilAcked(deliveries: readonly Delivery[], o: { secret: string; target: (attempt: number) => string; concurrency: number; deadlineMs: number; stats?: SendStats; retryDelayMs?: number }): Promise<SendStats> {
  const stats = o.stats ?? newStats();
  const queue = [...deliveries];
  const deadline = Date.now() + o.deadlineMs;
  let attempts = 0;
  let inFlight = 0;
  const sender = async () => {
    while (Date.now() < deadline) {
      const d = queue.shift();
      if (!d) {
        if (inFlight === 0) return;
        await sleep(20);
        continue;
      }
      inFlight++;
      // 0: a network error (refused, reset, timed out).
      const status = await post(o.target(attempts++), o.secret, d).then(
        (a) => a.status,
        () => 0,
      );
      inFlight--;
      stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
      if (is2xx(status)) {
        if (!stats.acked.has(d.id)) stats.acked.set(d.id, Date.now());
        stats.lastAckAt = Math.max(stats.lastAckAt, Date.now());
      } else {
        stats.retries++;
        queue.push(d);
        await sleep(o.retryDelayMs ?? 50);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, sender));
  if (queue.length > 0) throw new Error(`${queue.length} deliveries were never acknowledged before the deadline`);
  return stats;
}

export const envOf = (b: FakeBuild, name: string) => b.environment.environmentVariables.find((v) => v.name === name)?.value;

/** Builds in the CodeBuild fake per BUILDGATE_SHA. */
export function buildsBySha(fake: CodeBuildFake): Map<string, FakeBuild[]> {
  const by = new Map<string, FakeBuild[]>();
  for (const b of fake.builds.values()) {
    const sha = envOf(b, "BUILDGATE_SHA") ?? "?";
    by.set(sha, [...(by.get(sha) ?? []), b]);
  }
  return by;
}

/** The invariant check of the suites: lost = commits acknowledged but never built, duplicated = extra builds of a commit. */
export function exactlyOnce(fake: CodeBuildFake, ackedShas: Iterable<string>): { builds: number; lost: string[]; duplicated: number; tokens: number; tokenReuse: number } {
  const by = buildsBySha(fake);
  const lost = [...new Set(ackedShas)].filter((sha) => !by.has(sha));
  const duplicated = [...by.values()].reduce((n, bs) => n + bs.length - 1, 0);
  // Each successful StartBuild names one idempotency token; one token must map to one build.
  const tokenBuilds = new Map<string, Set<string>>();
  for (const c of fake.calls) {
    if (c.op !== "StartBuild" || c.status !== 200) continue;
    const token = String(c.body.idempotencyToken);
    const env = (c.body.environmentVariablesOverride as Array<{ name: string; value: string }>) ?? [];
    const sha = env.find((v) => v.name === "BUILDGATE_SHA")?.value ?? "?";
    tokenBuilds.set(token, new Set([...(tokenBuilds.get(token) ?? []), sha]));
  }
  const tokenReuse = [...tokenBuilds.values()].filter((s) => s.size > 1).length;
  return { builds: fake.builds.size, lost, duplicated, tokens: tokenBuilds.size, tokenReuse };
}

export interface ConfigOptions {
  readonly storeUrl: string;
  readonly secret: string;
  readonly codebuildUrl: string;
  readonly github?: { readonly apiUrl: string; readonly token: string };
  readonly pollIntervalSeconds?: number;
  readonly jobs?: { readonly concurrency?: number; readonly maxAttempts?: number; readonly leaseSeconds?: number };
  readonly awsMaxAttempts?: number;
  /** More routes (YAML list items, indented by two spaces). */
  readonly moreRoutes?: string;
  /** More top-level YAML. */
  readonly extra?: string;
  readonly server?: string;
  /** Branch globs of the `hello` route (YAML flow list); default [master]. */
  readonly branches?: string;
}

/** A buildgate config with the `hello` route (pushes to master of Codertocat/Hello-World → hello-ci). */
export function writeConfig(dir: string, o: ConfigOptions, name = "buildgate.yaml"): string {
  const path = join(dir, name);
  const github = o.github ? `, apiUrl: "${o.github.apiUrl}", auth: { token: "${o.github.token}" }` : "";
  const jobs = { concurrency: 8, maxAttempts: 10, leaseSeconds: 30, ...o.jobs };
  writeFileSync(
    path,
    `
store: { url: "${o.storeUrl}" }
server: { host: 127.0.0.1${o.server ? `, ${o.server}` : ""} }
github: { webhookSecrets: ["${o.secret}"]${github} }
aws: { region: us-east-1, endpoints: { codebuild: "${o.codebuildUrl}" }, maxAttempts: ${o.awsMaxAttempts ?? 3} }
tracking: { pollIntervalSeconds: ${o.pollIntervalSeconds ?? 15} }
jobs: { concurrency: ${jobs.concurrency}, maxAttempts: ${jobs.maxAttempts}, leaseSeconds: ${jobs.leaseSeconds} }
${o.extra ?? ""}
routes:
  - name: hello
    source: { github: "${REPO}" }
    on: [push]
    branches: ${o.branches ?? "[master]"}
    project: hello-ci
${o.moreRoutes ?? ""}
`,
  );
  return path;
}

/**
 * The PostgreSQL server of the store tests, or undefined when it does not answer. Under CI
 * (CI=true) an unreachable server fails the file instead: CI must run these suites.
 */
export async function postgresOrSkip(suite: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    const reason = `cannot connect to ${TEST_PG_URL} (${err instanceof Error ? err.message : String(err)})`;
    if (process.env.CI) throw new Error(`${suite} cannot run under CI: ${reason}. Start PostgreSQL or set BUILDGATE_TEST_PG_URL.`, { cause: err });
    console.warn(`${suite} skipped: ${reason}`);
    return undefined;
  }
}

/** A parsed pino line of a buildgate process. */
export type LogLine = Record<string, unknown> & { time: number; msg: string; pid?: number };

export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of output.split("\n")) {
    if (!text.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // a line cut by a kill -9
    }
  }
  return lines;
}

/** The largest number of times in any window of `windowMs`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** One line the lead can quote. */
export function summary(suite: string, numbers: Record<string, unknown>): void {
  console.log(`[fault-summary] ${suite}: ${Object.entries(numbers).map(([k, v]) => `${k}=${String(v)}`).join(" ")}`);
}
