import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { finishFakeBuild, startCodeBuildFake, type CodeBuildFake } from "../fakes/codebuild-fake.js";
import { startGithubFake, type GithubFake } from "../fakes/github-fake.js";
import { queryRaw, TEST_PG_URL, withSearchPath } from "../helpers/store-targets.js";
import {
  commit,
  exactlyOnce,
  is2xx,
  logLines,
  maxInWindow,
  post,
  postgresOrSkip,
  pushDelivery,
  REPO,
  seeded,
  sendUntilAcked,
  sleep,
  summary,
  tempDir,
  writeConfig,
  type Delivery,
  type SendStats,
  newStats,
} from "../fault/fault-helpers.js";
import { waitFor } from "./e2e-helpers.js";
import { spawnBuildgate, type RunningBuildgate } from "./spawn-buildgate.js";

const SECRET = "scale-out-secret-0123456789";
const TOKEN = "ghp_scaleout_token_0123456789";
const CONTEXT = "buildgate/hello";
// GitHub allows ~80 status posts a minute; each process keeps to 75 (the gate is per process,
// so two replicas together may post up to 150 a minute).
const POSTS_PER_MINUTE = 75;
// Pushes spread over 16 branches, as a busy repository's are. (All on one branch, every routing
// transaction of both processes updates the same build_heads row and they run one at a time.)
const branchOf = (i: number) => `refs/heads/lane-${i % 16}`;

const admin = await postgresOrSkip("PostgreSQL scale-out test");

/**
 * Two buildgate processes on one PostgreSQL schema (the same config file), deliveries spread over
 * both: phase 1 is small enough for every status to be posted within GitHub's rate limit
 * (75 posts a minute a process), so every state of every commit is checked; phase 2 brings the
 * total to 1,000 commits and checks builds, tracking and whatever statuses were posted.
 */
(admin ? describe : describe.skip)("scale-out: two buildgate processes on one PostgreSQL", () => {
  let dir: string;
  let schema: string;
  let storeUrl: string;
  let codebuild: CodeBuildFake;
  let github: GithubFake;
  let gates: RunningBuildgate[] = [];
  const appName = `bg_scale_${process.pid}`;

  beforeAll(async () => {
    dir = tempDir("scale-out");
    schema = `bg_scale_${process.pid}_${randomUUID().slice(0, 8)}`;
    await admin!.query(`create schema "${schema}"`);
    storeUrl = `${withSearchPath(TEST_PG_URL, schema)}&application_name=${appName}`;
    codebuild = await startCodeBuildFake({ projects: ["hello-ci"] });
    github = await startGithubFake({ token: TOKEN });
  });
  afterAll(async () => {
    await Promise.all(gates.map((g) => g.kill9()));
    await codebuild?.close();
    await github?.close();
    try {
      await admin?.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await admin?.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const sql = <T = Record<string, unknown>>(text: string) => queryRaw<T>(storeUrl, text);
  const count = async (text: string) => Number((await sql<{ n: string }>(text))[0]?.n);

  /**
   * `unique` commits (one delivery each), `dupes` of them also sent a second time with the same
   * delivery id to both processes at once, `replays` of them again under a new delivery id.
   * Alternates processes; returns what was acknowledged.
   */
  async function send(tag: string, unique: number, dupes: number, replays: number, random: () => number, stats: SendStats): Promise<{ deliveries: Delivery[]; dupeAnswers: number[][] }> {
    const deliveries = Array.from({ length: unique }, (_, i) => pushDelivery(commit(tag, i), undefined, branchOf(i)));
    const replayed = Array.from({ length: replays }, () => Math.floor(random() * unique)).map((i) => pushDelivery((deliveries[i] as Delivery).sha, undefined, branchOf(i)));
    const dupeOf = Array.from({ length: dupes }, () => deliveries[Math.floor(random() * unique)] as Delivery);
    const [a, b] = gates as [RunningBuildgate, RunningBuildgate];
    const dupeAnswers: number[][] = [];
    // The concurrent duplicates: the same delivery to both processes at the same moment, while the rest streams in.
    const duplicates = (async () => {
      for (const d of dupeOf) {
        const answers = await Promise.all([post(a.url, SECRET, d), post(b.url, SECRET, d)]);
        dupeAnswers.push(answers.map((x) => x.status));
        for (const x of answers) if (is2xx(x.status) && !stats.acked.has(d.id)) stats.acked.set(d.id, x.at);
        await sleep(random() * 20);
      }
    })();
    await sendUntilAcked([...deliveries, ...replayed], { secret: SECRET, target: (n) => (n % 2 === 0 ? a.url : b.url), concurrency: 12, deadlineMs: 120_000, stats });
    await duplicates;
    return { deliveries: [...deliveries, ...replayed], dupeAnswers };
  }

  const statusPosts = () => github.calls.filter((c) => c.method === "POST" && c.path.startsWith(`/repos/${REPO}/statuses/`));

  /** (sha, state, description) posted more than once. */
  function repeatedStatuses(): string[] {
    const seen = new Map<string, number>();
    for (const s of github.statuses) {
      const key = `${s.sha}|${s.context}|${s.state}|${s.description ?? ""}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  }

  it("builds every commit once and reports every state once, with one tracker at a time", async () => {
    const config = writeConfig(dir, { storeUrl, secret: SECRET, codebuildUrl: codebuild.url, github: { apiUrl: github.url, token: TOKEN }, pollIntervalSeconds: 1, jobs: { concurrency: 8 }, branches: '["lane-*"]' });
    // Both start at once on the fresh schema: migrations and the tracker job race too.
    const started = await Promise.allSettled([spawnBuildgate(config), spawnBuildgate(config)]);
    gates = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    for (const r of started) if (r.status === "rejected") throw r.reason;
    const random = seeded(11);
    const stats = newStats();
    const t0 = Date.now();

    // Phase 1: 20 commits (+5 concurrent duplicates, +3 replays); every status checked.
    const p1 = await send("a1", 20, 5, 3, random, stats);
    await waitFor("20 builds", () => codebuild.builds.size >= 20, 30_000);
    await waitFor("pending statuses", () => p1.deliveries.every((d) => github.latestStatus(REPO, d.sha, CONTEXT)?.state === "pending"), 30_000);
    for (const b of codebuild.builds.values()) finishFakeBuild(b, "SUCCEEDED");
    await waitFor("success statuses", () => p1.deliveries.every((d) => github.latestStatus(REPO, d.sha, CONTEXT)?.state === "success"), 30_000);
    await sleep(2500); // two more tracking cycles: nothing new may be posted
    const phase1Shas = new Set(p1.deliveries.map((d) => d.sha));
    for (const sha of phase1Shas) {
      const posted = github.statuses.filter((s) => s.sha === sha);
      expect(posted.filter((s) => s.state === "success")).toHaveLength(1);
      expect(posted.at(-1)?.state).toBe("success");
    }
    expect(repeatedStatuses()).toEqual([]);

    // Phase 2: 980 more commits (1,000 in all), 95 more concurrent duplicates, 47 more replays.
    const phase1Ms = Date.now() - t0;
    const p2 = await send("b2", 980, 95, 47, random, stats);
    const sendMs = Date.now() - t0 - phase1Ms;
    const lastAck = stats.lastAckAt;
    await waitFor("1,000 builds", () => codebuild.builds.size >= 1000, 90_000);
    const lastStart = Math.max(...[...codebuild.builds.values()].map((b) => b.startTime * 1000));
    await sleep(1000);
    const all = [...p1.deliveries, ...p2.deliveries];
    const ackedShas = all.filter((d) => stats.acked.has(d.id)).map((d) => d.sha);
    const check = exactlyOnce(codebuild, ackedShas);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toBe(0);
    expect(check.tokenReuse).toBe(0);
    expect(check.builds).toBe(1000);

    // The store agrees: every stored delivery routed to a build, 1,000 builds, each delivery id stored once.
    const uniqueIds = new Set(all.map((d) => d.id)).size;
    await waitFor("every delivery routed", async () => (await count(`select count(*) as n from deliveries where status <> 'routed'`)) === 0, 30_000);
    expect(await count(`select count(*) as n from deliveries`)).toBe(uniqueIds);
    expect(await count(`select count(*) as n from builds`)).toBe(1000);
    expect(await count(`select count(*) as n from route_decisions where build_id is null`)).toBe(0);
    expect(await count(`select count(distinct build_id) as n from route_decisions`)).toBe(1000);
    for (const answers of [...p1.dupeAnswers, ...p2.dupeAnswers]) {
      expect(answers.every(is2xx)).toBe(true);
      expect(answers.filter((s) => s === 202).length).toBeLessThanOrEqual(1);
    }

    // Finish every build: the tracker (one process at a time) sees them all.
    const finishAt = Date.now();
    for (const b of codebuild.builds.values()) if (!b.buildComplete) finishFakeBuild(b, "SUCCEEDED");
    await waitFor("1,000 builds succeeded in the store", async () => (await count(`select count(*) as n from builds where state = 'succeeded'`)) === 1000, 60_000);
    const trackedMs = Date.now() - finishAt;
    await sleep(1500);

    // One tracker at a time: the cycles of both processes never overlap, and one tracker job is live.
    const cycles = gates
      .flatMap((g, i) => logLines(g.output()).filter((l) => l.msg === "tracking cycle").map((l) => ({ gate: i, end: l.time, start: l.time - Number(l.ms ?? 0) })))
      .sort((x, y) => x.start - y.start);
    const overlaps = cycles.filter((c, i) => i > 0 && c.start < (cycles[i - 1] as { end: number }).end);
    expect(cycles.length).toBeGreaterThan(3);
    expect(overlaps).toEqual([]);
    expect(await count(`select count(*) as n from jobs where dedupe_key = 'tracker' and state in ('queued', 'running')`)).toBe(1);

    // Statuses: never the same state twice, and each process within its share of GitHub's limit.
    expect(repeatedStatuses()).toEqual([]);
    expect(statusPosts().every((c) => c.status === 201)).toBe(true);
    // Logged after the post returns, so a few seconds of latency can bunch lines: look at 55-second windows.
    const perProcess = gates.map((g) => maxInWindow(logLines(g.output()).filter((l) => l.msg === "status reported").map((l) => l.time), 55_000));
    for (const n of perProcess) expect(n).toBeLessThanOrEqual(POSTS_PER_MINUTE);
    const atGithub = maxInWindow(statusPosts().map((c) => c.at), 55_000);
    expect(atGithub).toBeLessThanOrEqual(2 * POSTS_PER_MINUTE);

    summary("scale-out (PostgreSQL, 2 processes)", {
      deliveryIds: all.length,
      posts: all.length + 2 * (p1.dupeAnswers.length + p2.dupeAnswers.length),
      uniqueCommits: 1000,
      concurrentDuplicates: p1.dupeAnswers.length + p2.dupeAnswers.length,
      replays: 50,
      kills: 0,
      lost: check.lost.length,
      duplicated: check.duplicated,
      drainMs: Math.max(0, Math.round(lastStart - lastAck)),
      trackedAllFinishedMs: trackedMs,
      trackerCycles: cycles.length,
      trackerCyclesByProcess: gates.map((_, i) => cycles.filter((c) => c.gate === i).length).join("/"),
      statusesPosted: github.statuses.length,
      maxPostsPerMinutePerProcess: perProcess.join("/"),
      maxPostsPerMinuteAtGithub: atGithub,
      phase1Ms,
      phase2SendMs: sendMs,
      totalMs: Date.now() - t0,
    });
  }, 240_000);
});
