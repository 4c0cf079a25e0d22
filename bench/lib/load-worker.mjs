// The load generator, run as its own process on its own core. Input (stdin JSON):
// { mode: "saturate" | "rate" | "paced", targets: [url], path, event, body, signature,
//   connections, durationSec, warmupSec, rate, graceMs, idPrefix }
// Output (last stdout line): { rps, ok, non2xx, errors, p50, p99, ... } — latencies in ms.
import autocannon from "autocannon";
import { pacedLoad } from "./paced.mjs";
import { printJson, readStdinJson } from "./procs.mjs";
import { summarize } from "./stats.mjs";

const input = await readStdinJson();
const baseHeaders = { "content-type": "application/json", "x-github-event": input.event, "x-hub-signature-256": input.signature, "user-agent": "GitHub-Hookshot/bench" };
let seq = 0;
const nextId = (phase) => `${input.idPrefix}-${phase}-${(seq++).toString(36)}`;

/** One autocannon run per target, at once; each request carries a fresh X-GitHub-Delivery. */
async function cannon(phase, durationSec, overallRate) {
  const latencies = [];
  const runs = input.targets.map((url) => {
    const instance = autocannon({
      url: url + input.path,
      connections: Math.max(1, Math.round(input.connections / input.targets.length)),
      duration: durationSec,
      ...(overallRate ? { overallRate: Math.round(overallRate / input.targets.length) } : {}),
      requests: [
        {
          method: "POST",
          body: input.body,
          headers: baseHeaders,
          setupRequest: (req) => ({ ...req, headers: { ...baseHeaders, "x-github-delivery": nextId(phase) } }),
        },
      ],
    });
    instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
    return instance;
  });
  const results = await Promise.all(runs);
  const sum = (f) => results.reduce((a, r) => a + f(r), 0);
  const ok = sum((r) => r["2xx"]);
  const seconds = Math.max(...results.map((r) => r.duration));
  const s = summarize(latencies);
  return { ok, non2xx: sum((r) => r.non2xx), errors: sum((r) => r.errors), timeouts: sum((r) => r.timeouts), seconds, rps: ok / seconds, p50: s.p50, p99: s.p99, max: s.max, acP99: Math.max(...results.map((r) => r.latency.p99)) };
}

async function paced(phase, durationSec) {
  const url = input.targets[0];
  const r = await pacedLoad({
    url,
    rate: input.rate,
    durationMs: durationSec * 1000,
    graceMs: phase === "warm" ? 1000 : (input.graceMs ?? 5000),
    request: () => ({ path: input.path, headers: { ...baseHeaders, "x-github-delivery": nextId(phase) }, body: input.body }),
  });
  const ok = r.statuses.filter((s) => s >= 200 && s < 300).length;
  const s = summarize(r.latencies);
  return { ok, non2xx: r.statuses.filter((x) => x >= 300).length, errors: r.errors, timeouts: r.unanswered, seconds: r.elapsedSec, rps: ok / r.elapsedSec, p50: s.p50, p99: s.p99, max: s.max, maxLagMs: r.maxLagMs };
}

if (input.mode === "paced") {
  if (input.warmupSec > 0) await paced("warm", input.warmupSec);
  printJson(await paced("run", input.durationSec));
} else {
  const rate = input.mode === "rate" ? input.rate : undefined;
  if (input.warmupSec > 0) await cannon("warm", input.warmupSec, rate);
  printJson(await cannon("run", input.durationSec, rate));
}
