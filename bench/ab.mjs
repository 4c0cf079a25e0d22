#!/usr/bin/env node
// A/B ingest comparison of several builds of buildgate, interleaved in one run (the machine's
// noise hits every variant alike): `node bench/ab.mjs name=DIST_DIR[,ENV=VALUE…] …`.
// Options: --payload=push|pull_request  --rounds=N  --seconds=S  --mode=saturate|paced.
// Each variant runs as a fresh `dist/cli.js serve` process; bare node:http is the yardstick.
import { resolve } from "node:path";
import { load, serverKinds } from "./ingest.mjs";
import { removeTempDirs } from "./lib/buildgate.mjs";
import { startCodeBuildFake } from "./lib/fakes.mjs";
import { ingestPayloads } from "./lib/payloads.mjs";
import { runOnLoadCore } from "./lib/procs.mjs";
import { summarize } from "./lib/stats.mjs";

const args = process.argv.slice(2);
await runOnLoadCore(import.meta.url, args, removeTempDirs);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const variants = args
  .filter((a) => !a.startsWith("--"))
  .map((a) => {
    const [name, spec] = a.split(/=(.*)/s);
    const [dir, ...env] = spec.split(",");
    return { name, dir: resolve(dir), env: Object.fromEntries(env.map((e) => e.split(/=(.*)/s))) };
  });
const payload = ingestPayloads().find((p) => p.name === opt("payload", "push"));
const rounds = Number(opt("rounds", 3));
const seconds = Number(opt("seconds", 5));
const mode = opt("mode", "saturate");

const cb = await startCodeBuildFake();
const runs = Object.fromEntries([["bare node:http", []], ...variants.map((v) => [v.name, []])]);
const runOne = async (name, start) => {
  const srv = await start();
  try {
    const r = await load(mode, [srv.url], payload, { durationSec: seconds, warmupSec: 2, rate: 1000 });
    runs[name].push({ ...r, ...srv.memory() });
    console.log(`${name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, peak RSS ${srv.memory().peakMb.toFixed(0)} MB`);
  } finally {
    await srv.stop();
  }
};
for (let round = 0; round < rounds; round++) {
  await runOne("bare node:http", serverKinds(cb.url).bare);
  for (const v of variants) {
    process.env.BUILDGATE_BENCH_DIST = v.dir;
    await runOne(v.name, serverKinds(cb.url, v.env).buildgate);
  }
}
await cb.close();
const bare = summarize(runs["bare node:http"].map((r) => r.rps)).p50;
console.log(`\n${payload.name}, ${mode}, ${rounds} rounds of ${seconds} s (median round):`);
for (const [name, rs] of Object.entries(runs)) {
  const rps = summarize(rs.map((r) => r.rps)).p50;
  console.log(`${name.padEnd(28)} ${String(Math.round(rps)).padStart(6)} req/s  ${(rps / bare).toFixed(2)}× bare  p99 ${summarize(rs.map((r) => r.p99)).p50.toFixed(1)} ms  peak RSS ${Math.max(...rs.map((r) => r.peakMb)).toFixed(0)} MB  rounds ${rs.map((r) => Math.round(r.rps)).join(", ")}`);
}
