// Runs buildgate's real tracker job (dist/pipeline/track-builds.js) over a real SQLite store
// holding `builds` in-flight builds, against the CodeBuild fake at `codebuildUrl`, for three
// cycles: two steady ones (nothing changed) and one where every build changed phase.
// Input (stdin JSON): { codebuildUrl, builds, dir, idPrefix }. Output: the cycles.
/* global fetch */
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { distDir } from "./buildgate.mjs";
import { printJson, readStdinJson } from "./procs.mjs";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const dist = (p) => import(pathToFileURL(join(distDir(), p)).href);
const { openStore } = await dist("store/open-store.js");
const { STORE_JOBS } = await dist("pipeline/job-kinds.js");
const { createTrackBuilds } = await dist("pipeline/track-builds.js");
const { createCodeBuildBuilder, createCodeBuildClient } = await dist("builders/codebuild/codebuild-builder.js");

const input = await readStdinJson();
const url = `sqlite:${join(input.dir, "tracking.db")}`;
await (await openStore({ url, maxAttempts: 10, jobs: STORE_JOBS })).close();

// In-flight builds, as the tracker last saw them: queued in SUBMITTED, exactly what the fake
// answers (input.startMs), so the first cycle is a steady one.
const db = new Database(join(input.dir, "tracking.db"));
const now = Date.now();
const phases = JSON.stringify([{ type: "SUBMITTED", startedAt: input.startMs }]);
db.prepare("insert into deliveries (source, delivery_id, event, received_at, headers, body, body_sha256, status) values ('github', 'tracking', 'push', ?, '{}', '{}', 'x', 'routed')").run(now);
const insert = db.prepare(`insert into builds (dedupe_key, delivery_row_id, route, provider, repository, event_kind, ref, sha, project, context, source_version, env, state, external_id, created_at, updated_at, started_at, external_status, current_phase, phases)
  values (?, 1, 'ci', 'github', 'Codertocat/Hello-World', 'push', 'refs/heads/master', ?, 'hello-ci', 'buildgate/ci', 'refs/heads/master', '{}', 'queued', ?, ?, ?, ?, 'IN_PROGRESS', 'SUBMITTED', ?)`);
db.transaction(() => {
  for (let i = 0; i < input.builds; i++) insert.run(`tracking-${i}`, i.toString(16).padStart(40, "0"), `${input.idPrefix}${i}`, now, now, input.startMs, phases);
})();
db.close();

const store = await openStore({ url, maxAttempts: 10, jobs: STORE_JOBS });
const builder = createCodeBuildBuilder(createCodeBuildClient({ region: "us-east-1", endpoint: input.codebuildUrl, maxAttempts: 3 }));
const tracker = createTrackBuilds({ store, builder, intervalMs: 15_000 });
const logged = [];
const log = { info: (o, msg) => msg === "tracking cycle" && logged.push(o), warn: () => {}, error: () => {}, debug: () => {}, child: () => log };
const control = (op) => fetch(input.codebuildUrl, { method: "POST", headers: { "x-amz-target": `Bench.${op}`, "content-type": "application/x-amz-json-1.1" }, body: "{}" }).then((r) => r.json());

const cycles = [];
for (const name of ["steady", "steady again", "all changed"]) {
  if (name === "all changed") await control("AdvanceAll");
  const before = await control("Counts");
  const t = performance.now();
  await tracker.run({}, { job: { id: 0 }, log });
  const ms = performance.now() - t;
  const after = await control("Counts");
  const summary = logged.pop() ?? {};
  cycles.push({ name, ms, batchGetBuilds: after.BatchGetBuilds - before.BatchGetBuilds, ids: after.batchIds - before.batchIds, builds: summary.builds, changed: summary.changed, failedCalls: summary.failedCalls });
}
await store.close();
printJson({ cycles });
