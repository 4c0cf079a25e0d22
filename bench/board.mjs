// Board: dashboard and builds list page times with a million builds and two million deliveries.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { appliedMigrations, fillBoardStore, GENERATOR_VERSION, REPOSITORIES, refreshBoardStore } from "./lib/board-data.mjs";
import { benchConfig, distDir, ROOT, startBuildgate, tempDir } from "./lib/buildgate.mjs";
import { startCodeBuildFake } from "./lib/fakes.mjs";
import { summarize } from "./lib/stats.mjs";

const CACHE = join(ROOT, ".bench");

/** Each built migration's content hash, by name (001-initial, …). */
function migrationHashes() {
  const dir = join(distDir(), "store", "migrations");
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".js"))
      .map((f) => [f.replace(/\.js$/, ""), createHash("sha256").update(readFileSync(join(dir, f))).digest("hex").slice(0, 16)]),
  );
}

/**
 * A generated store: cached under .bench/ for the full size (it takes minutes), fresh for
 * --quick. A cached store is reused while every migration it was made or upgraded with is
 * unchanged: migrations added since are applied by buildgate when it opens it, as in an upgrade.
 */
async function boardStore(ctx, builds) {
  const cached = builds >= 100_000;
  const tmp = cached ? undefined : tempDir("board");
  if (cached) mkdirSync(CACHE, { recursive: true });
  const path = cached ? join(CACHE, `board-${builds}-g${GENERATOR_VERSION}.db`) : join(tmp.dir, "board.db");
  const manifest = `${path}.json`;
  const current = migrationHashes();
  const usable = cached && existsSync(path) && existsSync(manifest) && Object.entries(JSON.parse(readFileSync(manifest, "utf8"))).every(([name, hash]) => current[name] === hash);
  if (!usable) {
    for (const f of [path, manifest, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    const building = `${path}.partial`;
    rmSync(building, { force: true });
    const { openStore } = await import(pathToFileURL(join(distDir(), "store", "open-store.js")).href);
    const { STORE_JOBS } = await import(pathToFileURL(join(distDir(), "pipeline", "job-kinds.js")).href);
    const store = await openStore({ url: `sqlite:${building}`, maxAttempts: 10, jobs: STORE_JOBS });
    await store.close();
    for (const suffix of ["-wal", "-shm"]) rmSync(building + suffix, { force: true });
    let last = 0;
    const r = fillBoardStore(building, {
      builds,
      onProgress: (n) => {
        if (n - last >= builds / 4 || n === builds) ctx.log(`board: generated ${n.toLocaleString("en-US")} builds`);
        last = n;
      },
    });
    renameSync(building, path);
    ctx.log(`board: generated ${r.builds.toLocaleString("en-US")} builds and ${r.deliveries.toLocaleString("en-US")} deliveries in ${r.seconds.toFixed(0)} s (${(statSync(path).size / 1e9).toFixed(1)} GB)`);
  } else ctx.log(`board: using the cached store ${path}`);
  refreshBoardStore(path);
  return {
    path,
    // After buildgate has opened (and migrated) the store: remember what it was migrated with.
    remember: () => cached && writeFileSync(manifest, JSON.stringify(Object.fromEntries(appliedMigrations(path).map((name) => [name, current[name]])))),
    cleanup: () => tmp?.cleanup(),
  };
}

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(url, { agent, headers: { accept: "text/html" } }, (res) => {
        let bytes = 0;
        res.on("data", (c) => (bytes += c.length));
        res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - t, bytes }));
      })
      .on("error", reject);
  });
}

/** The pages measured: the two the goal names, then the list's filters and a deep page. */
function pages(builds) {
  return [
    { name: "dashboard /", path: "/" },
    { name: "builds /builds", path: "/builds" },
    { name: "builds, page deep in history", path: `/builds?before=${Math.floor(builds / 2)}` },
    { name: "builds by repository", path: `/builds?repository=${encodeURIComponent(REPOSITORIES[7])}` },
    { name: "builds by state (failed)", path: "/builds?state=failed" },
    { name: "builds by route and branch", path: `/builds?route=deploy&ref=${encodeURIComponent("refs/heads/main")}` },
  ];
}

export async function runBoard(ctx) {
  const builds = ctx.cfg.boardBuilds;
  const store = await boardStore(ctx, builds);
  const cb = await startCodeBuildFake();
  const tmp = tempDir("board-config");
  let srv;
  try {
    const config = benchConfig({ storeUrl: `sqlite:${store.path}`, codebuildUrl: cb.url, extra: { board: { auth: { mode: "none" } } } });
    try {
      srv = await startBuildgate({ dir: tmp.dir, config, name: "buildgate-board", timeoutMs: 300_000 });
    } catch (err) {
      // A build without the board does not know the `board` key.
      if (!/board/.test(String(err))) throw err;
      const { board: _board, ...older } = config;
      srv = await startBuildgate({ dir: tmp.dir, config: older, name: "buildgate-board", timeoutMs: 300_000 });
    }
    store.remember();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const probe = await Promise.all(["/", "/builds"].map((p) => get(agent, srv.url + p)));
    if (probe.some((p) => p.status === 404)) {
      ctx.log("board: not available (GET / or /builds answered 404)");
      return { available: false, builds, deliveries: 2 * builds };
    }
    const results = [];
    for (const page of pages(builds)) {
      for (let i = 0; i < 3; i++) await get(agent, srv.url + page.path);
      const samples = [];
      const statuses = new Set();
      let bytes = 0;
      // A slow page gets fewer samples (at least 5) rather than stretching the run.
      const until = performance.now() + 15_000;
      for (let i = 0; i < ctx.cfg.boardSamples && (i < 5 || performance.now() < until); i++) {
        const r = await get(agent, srv.url + page.path);
        samples.push(r.ms);
        statuses.add(r.status);
        bytes = r.bytes;
      }
      const s = summarize(samples);
      const row = { ...page, p50: s.p50, p95: s.p95, max: s.max, n: s.n, statuses: [...statuses], bytes };
      results.push(row);
      ctx.log(`board ${page.name}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (HTTP ${row.statuses.join("/")}, ${(bytes / 1024).toFixed(0)} KB)`);
    }
    agent.destroy();
    return { available: true, builds, deliveries: 2 * builds, pages: results, peakMb: srv.memory().peakMb };
  } finally {
    await srv?.stop();
    await cb.close();
    tmp.cleanup();
    store.cleanup();
  }
}
