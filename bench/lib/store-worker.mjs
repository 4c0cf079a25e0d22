// The inbox's write alone, in-process: store.insertDeliveries from dist/ on a fresh SQLite store
// (synchronous=FULL as shipped), in batches of 1 and of 50 deliveries, for each payload.
// Input (stdin JSON): { dir, seconds }. Output: rows/s and µs per row by payload and batch size.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { distDir } from "./buildgate.mjs";
import { ingestPayloads } from "./payloads.mjs";
import { printJson, readStdinJson } from "./procs.mjs";

const { openStore } = await import(pathToFileURL(join(distDir(), "store", "open-store.js")).href);
const { STORE_JOBS } = await import(pathToFileURL(join(distDir(), "pipeline", "job-kinds.js")).href);
const input = await readStdinJson();
const out = [];
let n = 0;
for (const p of ingestPayloads()) {
  for (const batch of [1, 50]) {
    const store = await openStore({ url: `sqlite:${join(input.dir, `${p.name}-${batch}.db`)}`, maxAttempts: 10, jobs: STORE_JOBS });
    const rows = () => Array.from({ length: batch }, () => ({ source: "github", deliveryId: `store-${n++}`, event: p.event, headers: { "x-github-event": p.event, "content-type": "application/json" }, body: p.body, bodySha256: "0".repeat(64), receivedAt: Date.now() }));
    for (let i = 0; i < 20; i++) await store.insertDeliveries(rows()); // warm-up
    let count = 0;
    const t = performance.now();
    while (performance.now() - t < input.seconds * 1000) {
      await store.insertDeliveries(rows());
      count += batch;
    }
    const ms = performance.now() - t;
    await store.close();
    out.push({ payload: p.name, batch, rowsPerSec: (count * 1000) / ms, usPerRow: (ms * 1000) / count });
  }
}
printJson({ results: out });
