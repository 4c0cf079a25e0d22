/* global fetch */
// Build logs: the first screen of a finished 100,000-line log (cached) and the live tail delay
// (a line written → seen through GET /api/builds/:id/log) with the 2 s upstream poll. The log
// source is the local runner's build.log (the service, the cache and the API are the same for
// CloudWatch Logs; test/e2e/build-logs-e2e.test.ts covers that source).
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { benchConfig, startBuildgate, tempDir } from "./lib/buildgate.mjs";
import { startCodeBuildFake } from "./lib/fakes.mjs";
import { sleep, summarize } from "./lib/stats.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const LINES = 100_000;

const logDir = (workDir, externalId) => join(workDir, externalId.replace(/^local:/, "").replace(":", "-"));

function seed(db, n, externalId, state, endedAt) {
  const now = Date.now();
  db.prepare(`insert into builds (dedupe_key, delivery_row_id, route, provider, repository, event_kind, ref, sha, project, context, source_version, env, state, external_id, created_at, updated_at, started_at, ended_at, external_status)
    values (?, 1, 'ci', 'github', 'Codertocat/Hello-World', 'push', 'refs/heads/master', ?, 'demo', 'buildgate/ci', 'refs/heads/master', '{}', ?, ?, ?, ?, ?, ?, ?)`).run(`logs-${n}`, n.toString(16).padStart(40, "0"), state, externalId, now, now, now - 120_000, endedAt, state === "running" ? "IN_PROGRESS" : "FAILED");
  return Number(db.prepare("select id from builds where dedupe_key = ?").get(`logs-${n}`).id);
}

async function timed(url) {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

export async function runLogs(ctx) {
  const samples = ctx.quick ? 20 : 100;
  const tailSamples = ctx.quick ? 5 : 15;
  const tmp = tempDir("logs");
  const workDir = join(tmp.dir, "builds");
  const cb = await startCodeBuildFake();
  const config = benchConfig({ storeUrl: `sqlite:${join(tmp.dir, "logs.db")}`, codebuildUrl: cb.url, extra: { board: { auth: { mode: "none" } }, local: { workDir }, logs: { cacheDir: join(tmp.dir, "log-cache"), pollSeconds: 2 } } });
  let srv;
  try {
    srv = await startBuildgate({ dir: tmp.dir, config, name: "buildgate-logs" });
    // Two builds of the local runner: one finished with a 100,000-line log, one running.
    const db = new Database(join(tmp.dir, "logs.db"));
    db.prepare("insert into deliveries (source, delivery_id, event, received_at, headers, body, body_sha256, status) values ('github', 'logs', 'push', ?, '{}', '{}', 'x', 'routed')").run(Date.now());
    const finishedId = `local:demo:${randomUUID()}`;
    const runningId = `local:demo:${randomUUID()}`;
    for (const id of [finishedId, runningId]) mkdirSync(logDir(workDir, id), { recursive: true });
    const lines = [];
    for (let i = 1; i <= LINES; i++) lines.push(i % 1000 === 0 ? `[Container] 2026/12/07 10:00:00 Running command step ${i}` : `\u001b[90m  ✓ test case ${i} passes\u001b[0m (${i % 97} ms) <script>x</script>`);
    writeFileSync(join(logDir(workDir, finishedId), "build.log"), `${lines.join("\n")}\n`);
    writeFileSync(join(logDir(workDir, runningId), "build.log"), "[Container] 2026/12/07 10:00:00 Entering phase BUILD\n");
    const finished = seed(db, 1, finishedId, "failed", Date.now() - 60_000);
    const running = seed(db, 2, runningId, "running", null);
    db.close();

    // 1. First screen of the finished log: the first read fetches and caches it, later reads are cached.
    const cold = await timed(`${srv.url}/api/builds/${finished}/log?after=0&limit=1`);
    const total = JSON.parse(cold.body).total;
    ctx.log(`logs: first read of the finished ${total.toLocaleString("en-US")}-line log (read and cached) ${cold.ms.toFixed(1)} ms`);
    const api = [];
    const page = [];
    for (let i = 0; i < samples; i++) {
      const r = await timed(`${srv.url}/api/builds/${finished}/log?after=${total - 500}&limit=500`);
      if (r.status !== 200 || JSON.parse(r.body).lines.length !== 500) throw new Error(`log API answered ${r.status}`);
      api.push(r.ms);
      const p = await timed(`${srv.url}/builds/${finished}`);
      if (p.status !== 200) throw new Error(`build page answered ${p.status}`);
      page.push(p.ms);
    }
    const firstScreen = summarize(api);
    const buildPage = summarize(page);
    ctx.log(`logs: first screen (last 500 of ${total.toLocaleString("en-US")} lines) via the API p50 ${firstScreen.p50.toFixed(1)} ms, p95 ${firstScreen.p95.toFixed(1)} ms; build page p50 ${buildPage.p50.toFixed(1)} ms, p95 ${buildPage.p95.toFixed(1)} ms`);

    // 2. Live tail: a line appended to the running build's log, seen by a viewer polling every 100 ms.
    let cursor = 0;
    const poll = async () => {
      const r = JSON.parse((await timed(`${srv.url}/api/builds/${running}/log?after=${cursor}`)).body);
      cursor = r.cursor;
      return r.lines;
    };
    await poll();
    const delays = [];
    for (let i = 0; i < tailSamples; i++) {
      await sleep(300 + Math.random() * 1700); // written at any point of the poll cycle
      const marker = `tail-marker-${i}-${randomUUID()}`;
      const written = performance.now();
      appendFileSync(join(logDir(workDir, runningId), "build.log"), `${marker}\n`);
      for (;;) {
        const seen = await poll();
        if (seen.some((l) => l.text === marker)) break;
        if (performance.now() - written > 15_000) throw new Error("a tail line did not appear within 15 s");
        await sleep(100);
      }
      delays.push(performance.now() - written);
    }
    const tail = summarize(delays);
    ctx.log(`logs: live tail delay (written → seen via the API, 2 s poll) p50 ${tail.p50.toFixed(0)} ms, max ${tail.max.toFixed(0)} ms over ${tail.n}`);
    return { lines: total, coldMs: cold.ms, firstScreen, buildPage, tail };
  } finally {
    await srv?.stop();
    await cb.close();
    tmp.cleanup();
  }
}
