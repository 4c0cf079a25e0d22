// Tracking: buildgate's tracker over 10,000 in-flight builds — BatchGetBuilds calls per cycle
// and cycle time. The tracker runs in its own process on the server core; the fake on the load core.
import { fileURLToPath } from "node:url";
import { tempDir } from "./lib/buildgate.mjs";
import { fakeBuild, startCodeBuildFake } from "./lib/fakes.mjs";
import { runJsonWorker, SERVER_CPU } from "./lib/procs.mjs";

export async function runTracking(ctx) {
  const builds = ctx.cfg.trackingBuilds;
  const cb = await startCodeBuildFake();
  const tmp = tempDir("tracking");
  const idPrefix = "hello-ci:bench-";
  const startMs = Math.floor(Date.now() / 1000) * 1000;
  for (let i = 0; i < builds; i++) cb.builds.set(`${idPrefix}${i}`, fakeBuild(`${idPrefix}${i}`, "hello-ci", "refs/heads/master", "SUBMITTED", startMs));
  try {
    const r = await runJsonWorker(fileURLToPath(new URL("./lib/tracking-worker.mjs", import.meta.url)), { codebuildUrl: cb.url, builds, dir: tmp.dir, idPrefix, startMs }, { cpu: SERVER_CPU, env: { AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench-secret" } });
    for (const c of r.cycles) ctx.log(`tracking ${builds.toLocaleString("en-US")} in flight, ${c.name} cycle: ${c.batchGetBuilds} BatchGetBuilds calls (${c.ids} ids), ${c.changed ?? "?"} changed, ${c.ms.toFixed(0)} ms`);
    return { builds, cycles: r.cycles };
  } finally {
    await cb.close();
    tmp.cleanup();
  }
}
