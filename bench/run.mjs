#!/usr/bin/env node
// buildgate benchmarks: `npm run bench` (full, < 10 minutes) or `npm run bench -- --quick` (CI smoke
// test, < 2 minutes). Options: --only=ingest,e2e,board,tracking,logs,scale-out  --strict (exit 2 on a MISS).
// Prints every section, the goals with PASS/MISS, and writes .bench/latest.{json,md}.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runBoard } from "./board.mjs";
import { runE2e } from "./e2e.mjs";
import { runIngest } from "./ingest.mjs";
import { runLogs } from "./logs.mjs";
import { removeTempDirs, ROOT, tempDir } from "./lib/buildgate.mjs";
import { judge } from "./lib/goals.mjs";
import { runOnLoadCore, TASKSET } from "./lib/procs.mjs";
import { tables, toMarkdown, toText } from "./lib/report.mjs";
import { runScaleOut } from "./scale-out.mjs";
import { runTracking } from "./tracking.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const strict = args.includes("--strict");
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");

// The harness (load generators, fakes) runs on the load core; servers are started on the other.
await runOnLoadCore(import.meta.url, args, removeTempDirs);

const cfg = quick
  ? { ingestRounds: 1, saturationSec: 1.5, warmupSec: 0.5, fixedSec: 1.5, graceMs: 2_000, storeSec: 0.5, e2eRates: [[50, 2], [500, 0.5]], e2eWaitMs: 3_000, boardBuilds: 20_000, boardSamples: 15, trackingBuilds: 1_000, scaleOutSec: 1 }
  : { ingestRounds: 2, saturationSec: 5, warmupSec: 2, fixedSec: 6, graceMs: 5_000, storeSec: 2, e2eRates: [[50, 10], [500, 4]], e2eWaitMs: 30_000, boardBuilds: 1_000_000, boardSamples: 60, trackingBuilds: 10_000, scaleOutSec: 6 };

const t0 = performance.now();
const log = (msg) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const machine = {
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpu: /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model,
  node: process.version,
  loadavg: loadavg().map((x) => x.toFixed(2)).join(" "),
  mode: quick ? "quick" : "full",
  pinning: existsSync(TASKSET) ? "servers on CPU 0, load generator and fakes on CPU 1 (taskset)" : "no taskset: unpinned",
};
log(`buildgate bench (${machine.mode}) on ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadavg}`);

if (!existsSync(join(ROOT, "dist", "cli.js"))) {
  console.error("dist/cli.js is missing: run `npm run build` first (npm run bench does)");
  process.exit(1);
}
// Measure a private copy of the build (with the files it reads beside it): a rebuild of dist/
// during the run must not change what is measured halfway.
// It lives outside the repository (linters and tests never see it), with package.json and a
// link to node_modules so it resolves exactly as dist/ does.
if (!process.env.BUILDGATE_BENCH_DIST) {
  const snapshot = tempDir("snapshot").dir;
  for (const dir of ["dist", "views", "public", "config"]) if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(snapshot, dir), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(snapshot, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(snapshot, "node_modules"));
  process.env.BUILDGATE_BENCH_DIST = join(snapshot, "dist");
}

const sections = { ingest: runIngest, e2e: runE2e, board: runBoard, tracking: runTracking, logs: runLogs, "scale-out": runScaleOut };
const keys = { ingest: "ingest", e2e: "e2e", board: "board", tracking: "tracking", logs: "logs", "scale-out": "scaleOut" };
const results = { machine, cfg, errors: {} };
for (const [name, run] of Object.entries(sections)) {
  if (only && !only.includes(name)) continue;
  log(`— ${name}`);
  try {
    results[keys[name]] = await run({ cfg, log, quick });
  } catch (err) {
    results.errors[keys[name]] = String(err?.stack ?? err);
    log(`${name} FAILED: ${err?.stack ?? err}`);
  }
}
results.goals = judge(results);
machine.loadavgEnd = loadavg().map((x) => x.toFixed(2)).join(" ");
results.seconds = (performance.now() - t0) / 1000;

const ts = tables(results);
console.log(toText(ts));
mkdirSync(join(ROOT, ".bench"), { recursive: true });
writeFileSync(join(ROOT, ".bench", "latest.json"), JSON.stringify(results, null, 2));
writeFileSync(join(ROOT, ".bench", "latest.md"), `Run ${machine.date} (${machine.mode}): ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadavg} at start and ${machine.loadavgEnd} at the end, ${results.seconds.toFixed(0)} s.\n\n${toMarkdown(ts)}`);
const broken = Object.keys(results.errors);
const missed = results.goals.filter((g) => g.status === "MISS").length;
log(`done in ${results.seconds.toFixed(0)} s: ${results.goals.filter((g) => g.status === "PASS").length} PASS, ${missed} MISS, ${results.goals.filter((g) => g.status === "not measured").length} not measured${broken.length ? `; harness errors in ${broken.join(", ")}` : ""}. Results: .bench/latest.json, .bench/latest.md`);
removeTempDirs();
process.exit(broken.length ? 1 : strict && missed ? 2 : 0);
