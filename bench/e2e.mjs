// End to end: a signed push is received → CodeBuild's StartBuild arrives at the fake, and →
// the first "pending" commit status arrives at the GitHub fake. Every delivery is a new commit.
import { performance } from "node:perf_hooks";
import { benchConfig, startBuildgate, tempDir } from "./lib/buildgate.mjs";
import { startCodeBuildFake, startGithubFake } from "./lib/fakes.mjs";
import { pacedLoad } from "./lib/paced.mjs";
import { pushExample, signGithub, uniquePush } from "./lib/payloads.mjs";
import { sleep, summarize } from "./lib/stats.mjs";

// buildgate posts at most 75 statuses a minute per process (GitHub's content-creation limit);
// only the first deliveries of a run can get their status without waiting for that window.
export const STATUS_BUDGET_DELIVERIES = 30;

/** Percentiles where an arrival missing at `cutoff` counts as slower than anything seen. */
function latencies(sent, arrived, ids, cutoff) {
  const values = ids.map((id) => (arrived.has(id) && arrived.get(id) <= cutoff ? arrived.get(id) - sent.get(id) : Infinity));
  const s = summarize(values);
  return { ...s, arrived: values.filter(Number.isFinite).length, of: ids.length };
}

async function runRate(ctx, rate, seconds) {
  const sent = new Map();
  const started = new Map();
  const pending = new Map();
  const cb = await startCodeBuildFake({
    onStartBuild: (body, at) => {
      const sha = /\^\{([0-9a-f]{40})\}$/.exec(body.sourceVersion ?? "")?.[1];
      if (sha && !started.has(sha)) started.set(sha, at);
    },
  });
  const gh = await startGithubFake({ onStatus: (s, at) => s.state === "pending" && !pending.has(s.sha) && pending.set(s.sha, at) });
  const tmp = tempDir("e2e");
  const srv = await startBuildgate({ dir: tmp.dir, config: benchConfig({ storeUrl: `sqlite:${tmp.dir}/buildgate.db`, codebuildUrl: cb.url, githubUrl: gh.url }) });
  const base = pushExample();
  const tag = `${rate}-${Date.now()}`;
  const send = async (n, r, phase) => {
    const shas = [];
    const bodies = Array.from({ length: n }, (_, i) => uniquePush(base, i, `${phase}-${tag}`));
    const result = await pacedLoad({
      url: srv.url,
      rate: r,
      durationMs: (n / r) * 1000,
      graceMs: ctx.cfg.graceMs,
      request: (i) => ({ path: "/webhooks/github", body: bodies[i].body, headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": `e2e-${phase}-${tag}-${i}`, "x-hub-signature-256": signGithub(bodies[i].body) } }),
      onSent: (i, _due, at) => {
        sent.set(bodies[i].sha, at);
        shas.push(bodies[i].sha);
      },
    });
    return { shas, result };
  };
  const waitFor = async (shas, map, ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !shas.every((s) => map.has(s))) await sleep(50);
  };
  try {
    // Warm up (JIT, the AWS SDK's first call) with a few deliveries that stay inside the status budget.
    const warm = await send(ctx.quick ? 3 : 5, 5, "warm");
    await waitFor(warm.shas, started, ctx.quick ? 5_000 : 15_000);
    const { shas, result } = await send(Math.round(rate * seconds), rate, "run");
    await waitFor(shas, started, ctx.cfg.e2eWaitMs);
    await waitFor(shas.slice(0, STATUS_BUDGET_DELIVERIES), pending, Math.min(10_000, ctx.cfg.e2eWaitMs));
    const cutoff = performance.now();
    const accepted = result.statuses.filter((s) => s === 202).length;
    const out = {
      rate,
      deliveries: shas.length,
      accepted,
      ingestP99: summarize(result.latencies).p99,
      startBuild: latencies(sent, started, shas, cutoff),
      pendingFirst: latencies(sent, pending, shas.slice(0, STATUS_BUDGET_DELIVERIES), cutoff),
      pendingAll: latencies(sent, pending, shas, cutoff),
      peakMb: srv.memory().peakMb,
    };
    return out;
  } finally {
    await srv.stop();
    await cb.close();
    await gh.close();
    tmp.cleanup();
  }
}

export async function runE2e(ctx) {
  const out = { rates: [] };
  for (const [rate, seconds] of ctx.cfg.e2eRates) {
    const r = await runRate(ctx, rate, seconds);
    out.rates.push(r);
    const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "not seen");
    ctx.log(`e2e ${rate}/s: ${r.deliveries} deliveries (${r.accepted} accepted); StartBuild p50 ${f(r.startBuild.p50)}, p99 ${f(r.startBuild.p99)} (${r.startBuild.arrived}/${r.startBuild.of} arrived); pending status (first ${STATUS_BUDGET_DELIVERIES}) p50 ${f(r.pendingFirst.p50)}, p99 ${f(r.pendingFirst.p99)}`);
  }
  return out;
}
