// Ingest: signed push (7.7 KB) and pull_request (24 KB) deliveries against buildgate's real
// server process and the two baselines, at saturation and at a fixed 1,000 requests/s.
import { fileURLToPath } from "node:url";
import { benchConfig, startBuildgate, tempDir } from "./lib/buildgate.mjs";
import { startCodeBuildFake } from "./lib/fakes.mjs";
import { ingestPayloads, SECRET } from "./lib/payloads.mjs";
import { cpuMs, runJsonWorker, SERVER_CPU, startServer, withCpu } from "./lib/procs.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export const LOAD_WORKER = here("./lib/load-worker.mjs");
const RATE = 1000;

/** The three servers under test; each start is a fresh process (and a fresh store). */
export function serverKinds(codebuildUrl, env = {}) {
  const baseline = (name, script) => () => startServer({ name, args: [here(script)], env: { WEBHOOK_SECRET: SECRET }, ready: /listening (http\S+)/ });
  return {
    bare: baseline("bare node:http", "./baselines/bare-http.mjs"),
    express: baseline("express + @octokit/webhooks", "./baselines/express-octokit.mjs"),
    buildgate: async () => {
      const tmp = tempDir("ingest");
      const srv = await startBuildgate({ dir: tmp.dir, env, config: benchConfig({ storeUrl: `sqlite:${tmp.dir}/buildgate.db`, codebuildUrl }) });
      return { ...srv, stop: () => srv.stop().finally(tmp.cleanup) };
    },
  };
}

/** Runs the load generator (its own process, on the load core) against `targets`. */
export function load(mode, targets, payload, o) {
  return runJsonWorker(LOAD_WORKER, {
    mode,
    targets,
    path: "/webhooks/github",
    event: payload.event,
    body: payload.body,
    signature: payload.signature,
    connections: o.connections ?? 50,
    durationSec: o.durationSec,
    warmupSec: o.warmupSec,
    rate: o.rate ?? RATE,
    graceMs: o.graceMs,
    idPrefix: `${payload.name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One run on a fresh server: the load result plus the server's peak memory. */
async function once(start, mode, payload, o) {
  const srv = await start();
  try {
    const { result: r, cpu } = await withCpu([() => cpuMs(srv.pid)], () => load(mode, [srv.url], payload, o));
    return { ...r, ...srv.memory(), serverCpu: cpu[0] };
  } finally {
    await srv.stop();
  }
}

/** The inbox's write alone (store.insertDeliveries in one process on the server core). */
async function storeWrite(ctx) {
  const tmp = tempDir("store");
  try {
    const { results } = await runJsonWorker(here("./lib/store-worker.mjs"), { dir: tmp.dir, seconds: ctx.cfg.storeSec }, { cpu: SERVER_CPU });
    for (const r of results) ctx.log(`ingest store write ${r.payload}, batches of ${r.batch}: ${Math.round(r.rowsPerSec)} deliveries/s, ${Math.round(r.usPerRow)} µs each`);
    return results;
  } finally {
    tmp.cleanup();
  }
}

export async function runIngest(ctx) {
  const { cfg, log } = ctx;
  const cb = await startCodeBuildFake();
  const kinds = serverKinds(cb.url);
  const out = { payloads: {}, store: await storeWrite(ctx) };
  try {
    // --quick (a smoke test) runs the push only.
    for (const payload of ingestPayloads().slice(0, ctx.quick ? 1 : 2)) {
      const res = { bytes: payload.bytes, saturation: {}, fixed: {} };
      out.payloads[payload.name] = res;
      // Saturation: the three servers interleaved, `rounds` times; the median round counts.
      const runs = { bare: [], express: [], buildgate: [] };
      for (let round = 0; round < cfg.ingestRounds; round++) {
        for (const kind of Object.keys(kinds)) {
          const r = await once(kinds[kind], "saturate", payload, { durationSec: cfg.saturationSec, warmupSec: cfg.warmupSec });
          runs[kind].push(r);
          log(`ingest ${payload.name} saturation ${kind} round ${round + 1}: ${Math.round(r.rps)} req/s, p99 ${r.p99.toFixed(1)} ms, non-2xx ${r.non2xx}, errors ${r.errors}, peak RSS ${r.peakMb.toFixed(0)} MB, server CPU ${r.serverCpu.toFixed(0)}%`);
        }
      }
      for (const [kind, rs] of Object.entries(runs)) {
        const rps = median(rs.map((r) => r.rps));
        const mid = rs.find((r) => r.rps === rps);
        res.saturation[kind] = { rps, p50: mid.p50, p99: mid.p99, serverCpu: mid.serverCpu, non2xx: rs.reduce((a, r) => a + r.non2xx, 0), errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0), peakMb: Math.max(...rs.map((r) => r.peakMb)), rounds: rs.map((r) => Math.round(r.rps)) };
      }
      // Fixed rate: an open-loop paced generator (latency from each request's due time), and
      // autocannon's overallRate for buildgate (bursty: see docs/benchmarks.md).
      for (const kind of ctx.quick ? ["buildgate"] : Object.keys(kinds)) {
        const r = await once(kinds[kind], "paced", payload, { durationSec: cfg.fixedSec, warmupSec: cfg.warmupSec, rate: RATE, graceMs: cfg.graceMs });
        res.fixed[kind] = r;
        log(`ingest ${payload.name} ${RATE}/s paced ${kind}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${Math.round(r.rps)} req/s ok, non-2xx ${r.non2xx}, errors ${r.errors}, unanswered ${r.timeouts}, peak RSS ${r.peakMb.toFixed(0)} MB`);
      }
      if (ctx.quick) continue;
      const ac = await once(kinds.buildgate, "rate", payload, { durationSec: cfg.fixedSec, warmupSec: cfg.warmupSec, rate: RATE, connections: 10 });
      res.fixed.buildgateAutocannon = ac;
      log(`ingest ${payload.name} ${RATE}/s autocannon overallRate buildgate: p50 ${ac.p50.toFixed(2)} ms, p99 ${ac.p99.toFixed(2)} ms, ${Math.round(ac.rps)} req/s ok`);
    }
  } finally {
    await cb.close();
  }
  return out;
}
