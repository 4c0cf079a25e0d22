// Scale-out: buildgate replicas sharing one PostgreSQL database; saturation ingest with one
// replica, then two (the load generator splits its connections between them).
import { createRequire } from "node:module";
import { load } from "./ingest.mjs";
import { benchConfig, startBuildgate, tempDir } from "./lib/buildgate.mjs";
import { startCodeBuildFake } from "./lib/fakes.mjs";
import { ingestPayloads } from "./lib/payloads.mjs";
import { cpuMs, cpuMsOf, LOAD_CPU, SERVER_CPU, withCpu } from "./lib/procs.mjs";

const require = createRequire(import.meta.url);
const pg = require("pg");
export const PG_URL = process.env.BUILDGATE_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function withClient(fn) {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function runScaleOut(ctx) {
  try {
    await withClient((c) => c.query("select 1"));
  } catch (err) {
    ctx.log(`scale-out: PostgreSQL at ${PG_URL} is unreachable (${err.message}): not measured`);
    return { available: false, reason: `PostgreSQL unreachable: ${err.message}` };
  }
  const [push] = ingestPayloads();
  const cb = await startCodeBuildFake();
  const tmp = tempDir("scale-out");
  const schemas = [];
  const out = { available: true, payload: push.name, replicas: {} };
  try {
    for (const replicas of [1, 2]) {
      const schema = `bench_${Date.now().toString(36)}_${replicas}`;
      schemas.push(schema);
      await withClient((c) => c.query(`create schema ${schema}`));
      const storeUrl = `${PG_URL}?options=-c%20search_path%3D${schema}`;
      const servers = [];
      try {
        // One after the other: the first migrates the schema. Replica i runs on core i.
        for (let i = 0; i < replicas; i++) {
          servers.push(await startBuildgate({ dir: tmp.dir, name: `replica-${replicas}-${i}`, cpu: i === 0 ? SERVER_CPU : LOAD_CPU, config: benchConfig({ storeUrl, codebuildUrl: cb.url }) }));
        }
        const probes = [...servers.map((s) => () => cpuMs(s.pid)), () => cpuMsOf("postgres")];
        const { result: r, cpu } = await withCpu(probes, () => load("saturate", servers.map((s) => s.url), push, { durationSec: ctx.cfg.scaleOutSec, warmupSec: ctx.cfg.warmupSec }));
        const replicaCpu = cpu.slice(0, -1);
        out.replicas[replicas] = { ...r, peakMb: Math.max(...servers.map((s) => s.memory().peakMb)), replicaCpu, postgresCpu: cpu.at(-1) };
        ctx.log(`scale-out ${replicas} replica(s) on PostgreSQL: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, non-2xx ${r.non2xx}, errors ${r.errors}; CPU: replicas ${replicaCpu.map((c) => `${c.toFixed(0)}%`).join(" + ")}, PostgreSQL ${cpu.at(-1).toFixed(0)}%`);
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    await withClient(async (c) => {
      for (const s of schemas) await c.query(`drop schema if exists ${s} cascade`);
    }).catch(() => undefined);
    await cb.close();
    tmp.cleanup();
  }
  return out;
}
